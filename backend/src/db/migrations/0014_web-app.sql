-- Up Migration

-- What the web app and the client API add (docs/web.md).

-- Certificate PDFs as rendered (backend/src/certificates/documents.ts): the SHA-256 of each rendering, so the public
-- verification page finds a certificate by the hash of a PDF someone hands over. The rendering is deterministic
-- (fixed creation date, embedded font), so one certificate has one hash unless what it states changed.
CREATE TABLE certificate_documents (
  pdf_sha256 text PRIMARY KEY CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  request_id bytes32 NOT NULL,
  record_sha256 text NOT NULL CHECK (record_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificate_documents_request_idx ON certificate_documents (request_id);

-- Down Migration

DROP TABLE certificate_documents;
