-- Up Migration

-- What the web app and the client API add (docs/web.md). Each table has one owning module.

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

-- Escrow deal negotiation (backend/src/deals/proposals.ts): terms one party signed and offers the other; the
-- other signs (agreed), counters with new terms (a new row, this one `countered`) or declines. The deal id is the
-- EIP-712 digest of the terms; once either party opens it on chain, the indexer's `deals` row has the same id.
CREATE TABLE deal_proposals (
  deal_id bytes32 PRIMARY KEY,
  seller evm_address NOT NULL,
  buyer evm_address NOT NULL,
  batch_id uint256 NOT NULL,
  terms jsonb NOT NULL,
  proposer evm_address NOT NULL,
  seller_signature text,
  buyer_signature text,
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'agreed', 'countered', 'declined')),
  replaces bytes32 REFERENCES deal_proposals (deal_id),
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (seller = lower(seller) AND buyer = lower(buyer) AND proposer = lower(proposer))
);
CREATE INDEX deal_proposals_seller_idx ON deal_proposals (seller, created_at);
CREATE INDEX deal_proposals_buyer_idx ON deal_proposals (buyer, created_at);

-- Operator freezes and unfreezes from the operations console (backend/src/reconciliation/operatorFreeze.ts): the
-- reason in words and who gave it, beside the transaction (the chain keeps only a uint16 reason code).
CREATE TABLE batch_freeze_notes (
  id bigserial PRIMARY KEY,
  batch_id uint256 NOT NULL,
  action text NOT NULL CHECK (action IN ('freeze', 'unfreeze')),
  reason text NOT NULL CHECK (reason <> ''),
  operator text NOT NULL,
  tx_hash bytes32,
  error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batch_freeze_notes_batch_idx ON batch_freeze_notes (batch_id, id);

-- Down Migration

DROP TABLE batch_freeze_notes;
DROP TABLE deal_proposals;
DROP TABLE certificate_documents;
