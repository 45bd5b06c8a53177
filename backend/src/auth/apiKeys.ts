import type { Pool } from "pg";
import { API_KEY_PREFIX, hashSecret, newSecret } from "./plugins/app/auth";
import { insertApiKey } from "./queries/auth";

export type CreateApiKeyParameters = { name: string; scopes: string[] };
export type CreateApiKeyReturnType = { id: string; key: string };

/**
 * Makes an operator API key: 256 random bits with the `ck_` prefix. Only its SHA-256 is stored, so the key is
 * returned once, here, and cannot be shown again.
 */
export async function createApiKey(pool: Pool, { name, scopes }: CreateApiKeyParameters): Promise<CreateApiKeyReturnType> {
  const key = newSecret(API_KEY_PREFIX);
  const id = await insertApiKey(pool, name, hashSecret(key), scopes);
  return { id, key };
}

/** Revokes a key by id; false when no live key has that id. */
export async function revokeApiKey(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1::bigint AND revoked_at IS NULL", [id]);
  return (rowCount ?? 0) > 0;
}
