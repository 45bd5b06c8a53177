import type { Pool } from "pg";

/**
 * Stores a fresh sign-in nonce valid until `expiresAt`, and sweeps a few nonces that expired unused so anonymous
 * nonce requests cannot grow the table without bound (used ones stay: sessions reference them).
 */
export async function insertNonce(pool: Pool, nonce: string, expiresAt: Date): Promise<void> {
  await pool.query(
    `WITH swept AS (
       DELETE FROM siwe_nonces WHERE nonce IN (
         SELECT nonce FROM siwe_nonces WHERE used_at IS NULL AND expires_at < now() LIMIT 100 FOR UPDATE SKIP LOCKED)
     )
     INSERT INTO siwe_nonces (nonce, expires_at) VALUES ($1, $2)`,
    [nonce, expiresAt],
  );
}

/**
 * Consumes a nonce: true once for a nonce that exists, is unused and unexpired; false afterwards. The single
 * conditional UPDATE is what makes it single-use under concurrency (the row lock serialises two sign-ins).
 */
export async function consumeNonce(pool: Pool, nonce: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    "UPDATE siwe_nonces SET used_at = now() WHERE nonce = $1 AND used_at IS NULL AND expires_at > now()",
    [nonce],
  );
  return (rowCount ?? 0) > 0;
}

export type InsertSessionParameters = {
  tokenHash: string;
  address: string;
  chainId: number;
  nonce: string;
  expiresAt: Date;
};

export async function insertSession(pool: Pool, session: InsertSessionParameters): Promise<void> {
  await pool.query(
    "INSERT INTO api_sessions (token_hash, address, chain_id, nonce, expires_at) VALUES ($1, $2, $3, $4, $5)",
    [session.tokenHash, session.address, session.chainId, session.nonce, session.expiresAt],
  );
}

export type SessionRow = { token_hash: string; address: string; expires_at: Date };

/** A live (unexpired, unrevoked) session by token hash. */
export async function findSession(pool: Pool, tokenHash: string): Promise<SessionRow | undefined> {
  const { rows } = await pool.query<SessionRow>(
    `SELECT token_hash, address, expires_at FROM api_sessions
      WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
    [tokenHash],
  );
  return rows[0];
}

export async function revokeSession(pool: Pool, tokenHash: string): Promise<void> {
  await pool.query("UPDATE api_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL", [tokenHash]);
}

export type ApiKeyRow = { id: string; name: string; key_hash: string; scopes: string[] };

/** An unrevoked API key by hash; `last_used_at` is bumped in the same statement. */
export async function useApiKey(pool: Pool, keyHash: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await pool.query<ApiKeyRow>(
    `UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL
     RETURNING id::text, name, key_hash, scopes`,
    [keyHash],
  );
  return rows[0];
}

/** Creates an operator key row for an already hashed key (used by tests and a future CLI command). */
export async function insertApiKey(pool: Pool, name: string, keyHash: string, scopes: string[] = []): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    "INSERT INTO api_keys (name, key_hash, scopes) VALUES ($1, $2, $3) RETURNING id::text",
    [name, keyHash, scopes],
  );
  return rows[0]?.id ?? "";
}
