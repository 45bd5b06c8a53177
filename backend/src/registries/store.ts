/**
 * The `registries` table (migration 0001): one row per registry the platform has met, with the platform's custody
 * account there once known. Rows are created on first use by whoever meets the registry first (the indexer on
 * `BatchRegistered`, a deposit intent, a custody snapshot); the custody account, once set, is never replaced.
 */
import type { Queryable } from "../db/queryable";

/** Creates the row of `registryId` when missing; sets its custody account when it has none yet. */
export async function ensureRegistry(db: Queryable, registryId: string, custodyAccount?: string): Promise<void> {
  if (custodyAccount === undefined) {
    await db.query("INSERT INTO registries (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING", [registryId]);
    return;
  }
  await db.query(
    `INSERT INTO registries (id, name, custody_account) VALUES ($1, $1, $2)
     ON CONFLICT (id) DO UPDATE SET custody_account = coalesce(registries.custody_account, excluded.custody_account)`,
    [registryId, custodyAccount],
  );
}
