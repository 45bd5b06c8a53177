/**
 * Operator API keys (`api_keys`, migration 0003): made by `carbon api-key create` (and for `npm start`'s own run),
 * checked by the API's operator guard, revoked by `carbon api-key revoke`. Written only here.
 */
import type { Queryable } from "../db/queryable";
import { API_KEY_PREFIX, hashSecret, newSecret } from "./secrets";

export type CreateApiKeyParameters = { name: string; scopes: string[] };
export type CreateApiKeyReturnType = { id: string; key: string };

/**
 * Makes an operator API key: 256 random bits with the `ck_` prefix. Only its SHA-256 is stored, so the key is
 * returned once, here, and cannot be shown again.
 */
export async function createApiKey(db: Queryable, { name, scopes }: CreateApiKeyParameters): Promise<CreateApiKeyReturnType> {
  const key = newSecret(API_KEY_PREFIX);
  const id = await insertApiKey(db, name, hashSecret(key), scopes);
  return { id, key };
}

/** Revokes a key by id; false when no live key has that id. */
export async function revokeApiKey(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1::bigint AND revoked_at IS NULL", [
    id,
  ]);
  return (rowCount ?? 0) > 0;
}

export type ApiKeyRow = { id: string; name: string; key_hash: string; scopes: string[] };

/** An unrevoked API key by hash; `last_used_at` is bumped in the same statement. */
export async function useApiKey(db: Queryable, keyHash: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL
     RETURNING id::text, name, key_hash, scopes`,
    [keyHash],
  );
  return rows[0];
}

/** Creates an operator key row for an already hashed key (used by tests and a future CLI command). */
export async function insertApiKey(db: Queryable, name: string, keyHash: string, scopes: string[] = []): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO api_keys (name, key_hash, scopes) VALUES ($1, $2, $3) RETURNING id::text",
    [name, keyHash, scopes],
  );
  return rows[0]?.id ?? "";
}
