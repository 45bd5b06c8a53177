/**
 * Sign-In with Ethereum state (migration 0003): single-use nonces and the sessions they open. Written only here; the
 * API's auth routes and guard call these.
 */
import type { Queryable } from "../db/queryable";

/**
 * Stores a fresh sign-in nonce valid until `expiresAt`, and sweeps a few nonces that expired unused so anonymous
 * nonce requests cannot grow the table without bound (used ones stay: sessions reference them).
 */
export async function insertNonce(db: Queryable, nonce: string, expiresAt: Date): Promise<void> {
  await db.query(
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
export async function consumeNonce(db: Queryable, nonce: string): Promise<boolean> {
  const { rowCount } = await db.query(
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

export async function insertSession(db: Queryable, session: InsertSessionParameters): Promise<void> {
  await db.query(
    "INSERT INTO api_sessions (token_hash, address, chain_id, nonce, expires_at) VALUES ($1, $2, $3, $4, $5)",
    [session.tokenHash, session.address, session.chainId, session.nonce, session.expiresAt],
  );
}

export type SessionRow = { token_hash: string; address: string; expires_at: Date };

/** A live (unexpired, unrevoked) session by token hash. */
export async function findSession(db: Queryable, tokenHash: string): Promise<SessionRow | undefined> {
  const { rows } = await db.query<SessionRow>(
    `SELECT token_hash, address, expires_at FROM api_sessions
      WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
    [tokenHash],
  );
  return rows[0];
}

export async function revokeSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query("UPDATE api_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL", [tokenHash]);
}
