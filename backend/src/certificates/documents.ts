/**
 * `certificate_documents` (migration 0020), owned here: the SHA-256 of every certificate PDF the platform rendered,
 * so a PDF handed to anyone can be looked up by its hash. Rows are only added (a rendering that changed because the
 * registry's record arrived later gets a row of its own; the verification page says which rendering is current).
 */
import type { Pool } from "pg";

export async function recordDocument(
  pool: Pool,
  document: { pdfSha256: string; requestId: string; recordSha256: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO certificate_documents (pdf_sha256, request_id, record_sha256) VALUES ($1, $2, $3)
     ON CONFLICT (pdf_sha256) DO NOTHING`,
    [document.pdfSha256, document.requestId.toLowerCase(), document.recordSha256],
  );
}

/** The certificate a PDF hash belongs to, or undefined when no such PDF was rendered here. */
export async function findDocument(
  pool: Pool,
  pdfSha256: string,
): Promise<{ requestId: string; recordSha256: string; createdAt: Date } | undefined> {
  const { rows } = await pool.query<{ request_id: string; record_sha256: string; created_at: Date }>(
    "SELECT request_id, record_sha256, created_at FROM certificate_documents WHERE pdf_sha256 = $1",
    [pdfSha256.toLowerCase()],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { requestId: row.request_id, recordSha256: row.record_sha256, createdAt: row.created_at };
}
