/**
 * Deposit intents for the API: creating one (with the "never tokenized twice" checks), reading one, a holder's
 * list, and the wallet's KYC state as the indexer saw it on the IdentityRegistry.
 */
import type { Pool } from "pg";
import { newestFirst } from "./keyset";

export type IntentRow = {
  intent_id: string;
  holder: string;
  registry_id: string;
  declared_serial: string;
  declared_prefix: string | null;
  declared_start: string | null;
  declared_end: string | null;
  source_account: string | null;
  status: string;
  status_detail: string | null;
  record_id: string | null;
  serial_prefix: string | null;
  block_start: string | null;
  block_end: string | null;
  quantity: string | null;
  batch_id: string | null;
  mint_tx_hash: string | null;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
};

const INTENT_SELECT = `
SELECT intent_id, holder, registry_id, declared_serial, declared_prefix, declared_start::text, declared_end::text,
       source_account, status::text, status_detail, record_id, serial_prefix, block_start::text, block_end::text,
       quantity::text, batch_id::text, mint_tx_hash, expires_at, created_at, updated_at
  FROM deposit_intents`;

export async function getIntent(pool: Pool, intentId: string): Promise<IntentRow | undefined> {
  const { rows } = await pool.query<IntentRow>(`${INTENT_SELECT} WHERE intent_id = $1`, [intentId.toLowerCase()]);
  return rows[0];
}

/** A holder's intents, newest first by (created_at, intent_id). */
export async function listIntents(
  pool: Pool,
  params: { holder: string; after?: string[] | undefined; limit: number },
): Promise<IntentRow[]> {
  const [created, id] = params.after ?? [null, null];
  const { rows } = await pool.query<IntentRow>(
    `${INTENT_SELECT} WHERE holder = $1 AND ${newestFirst("created_at", "intent_id", 2)}`,
    [params.holder.toLowerCase(), created, id, params.limit + 1],
  );
  return rows;
}

export type NewIntent = {
  intentId: string;
  holder: string;
  registry: string;
  declaredSerial: string;
  declaredPrefix: string;
  declaredStart: bigint;
  declaredEnd: bigint;
  sourceAccount: string | undefined;
  custodyAccount: string;
  expiresAt: Date;
};

export type InsertIntentReturnType = { created: IntentRow } | { conflict: string };

type ClaimRow = {
  id: string;
  status: string;
  deposit_id: string | null;
  block_start: string;
  block_end: string;
};
type OpenIntentRow = {
  intent_id: string;
  holder: string;
  status: string;
  declared_start: string;
  declared_end: string;
  expires_at: Date;
};

/**
 * Stores a new intent unless its range is already claimed: by a pending or minted deposit (the rows
 * `deposits_no_overlap` guards) or by another open intent (`deposit_intents_no_overlap`, which also settles two
 * concurrent declarations: the second insert fails). The `registries` row is created when missing.
 */
export async function insertIntent(pool: Pool, intent: NewIntent): Promise<InsertIntentReturnType> {
  const range = [intent.registry, intent.declaredPrefix, intent.declaredStart.toString(), intent.declaredEnd.toString()];
  const claims = await pool.query<ClaimRow>(
    `SELECT id::text, status::text, deposit_id, block_start::text, block_end::text FROM deposits
      WHERE registry_id = $1 AND serial_prefix = $2 AND status IN ('pending', 'minted')
        AND int8range(block_start, block_end, '[]') && int8range($3::bigint, $4::bigint, '[]')
      ORDER BY block_start LIMIT 1`,
    range,
  );
  const claim = claims.rows[0];
  if (claim !== undefined) {
    const what =
      claim.status === "minted" ? `already tokenized (deposit ${claim.deposit_id ?? `#${claim.id}`})` : "being deposited";
    return {
      conflict: `units ${claim.block_start}-${claim.block_end} of ${intent.declaredPrefix} are ${what}`,
    };
  }
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO registries (id, name, custody_account) VALUES ($1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET custody_account = coalesce(registries.custody_account, excluded.custody_account)`,
      [intent.registry, intent.custodyAccount],
    );
    await client.query(
      `INSERT INTO deposit_intents (intent_id, holder, registry_id, declared_serial, declared_prefix, declared_start,
                                    declared_end, source_account, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        intent.intentId,
        intent.holder.toLowerCase(),
        intent.registry,
        intent.declaredSerial,
        intent.declaredPrefix,
        intent.declaredStart.toString(),
        intent.declaredEnd.toString(),
        intent.sourceAccount ?? null,
        intent.expiresAt,
      ],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    if ((error as { code?: string }).code !== "23P01") throw error;
    return { conflict: await openIntentConflict(pool, intent) };
  } finally {
    client.release();
  }
  const created = await getIntent(pool, intent.intentId);
  if (created === undefined) throw new Error(`deposit intent ${intent.intentId} vanished after insert`);
  return { created };
}

/** Names the open intent that holds the range; another holder's intent id (its memo) is not disclosed. */
async function openIntentConflict(pool: Pool, intent: NewIntent): Promise<string> {
  const { rows } = await pool.query<OpenIntentRow>(
    `SELECT intent_id, holder, status::text, declared_start::text, declared_end::text, expires_at FROM deposit_intents
      WHERE registry_id = $1 AND declared_prefix = $2 AND status IN ('awaiting_transfer', 'arrived', 'immobilized')
        AND int8range(declared_start, declared_end, '[]') && int8range($3::bigint, $4::bigint, '[]')
      LIMIT 1`,
    [intent.registry, intent.declaredPrefix, intent.declaredStart.toString(), intent.declaredEnd.toString()],
  );
  const open = rows[0];
  if (open === undefined) return `units of ${intent.declaredPrefix} overlap an open deposit intent`;
  const whose =
    open.holder === intent.holder.toLowerCase() ? `your deposit intent ${open.intent_id}` : "another wallet's deposit intent";
  return (
    `units ${open.declared_start}-${open.declared_end} of ${intent.declaredPrefix} are claimed by ${whose} ` +
    `(${open.status}, expires ${open.expires_at.toISOString()})`
  );
}

export type WalletVerification = { verified: true } | { verified: false; reason: string };

type IdentityEventRow = {
  event_name: string;
  expiry: string | null;
  frozen: boolean | null;
};

/**
 * Whether the IdentityRegistry verifies `wallet` at `now`, from the indexed events: the latest of
 * IdentityRegistered/Updated/Removed decides (with its expiry), and the latest WalletFrozenSet must not be frozen.
 * The bridge mints only to verified wallets, so a deposit for any other would strand the block in custody.
 */
export async function walletVerification(pool: Pool, wallet: string, now: Date): Promise<WalletVerification> {
  const { rows } = await pool.query<IdentityEventRow>(
    `(SELECT event_name, args->>'expiry' AS expiry, NULL::boolean AS frozen FROM chain_events
       WHERE event_name IN ('IdentityRegistered', 'IdentityUpdated', 'IdentityRemoved') AND lower(args->>'wallet') = $1
       ORDER BY block_number DESC, log_index DESC LIMIT 1)
     UNION ALL
     (SELECT event_name, NULL, (args->>'frozen')::boolean FROM chain_events
       WHERE event_name = 'WalletFrozenSet' AND lower(args->>'wallet') = $1
       ORDER BY block_number DESC, log_index DESC LIMIT 1)`,
    [wallet.toLowerCase()],
  );
  const identity = rows.find((row) => row.event_name !== "WalletFrozenSet");
  if (rows.some((row) => row.event_name === "WalletFrozenSet" && row.frozen === true)) {
    return {
      verified: false,
      reason: "the wallet is frozen on the IdentityRegistry",
    };
  }
  if (identity === undefined)
    return {
      verified: false,
      reason: "the wallet has no identity on the IdentityRegistry (KYC first)",
    };
  if (identity.event_name === "IdentityRemoved")
    return {
      verified: false,
      reason: "the wallet's identity was removed from the IdentityRegistry",
    };
  const expiry = BigInt(identity.expiry ?? "0");
  if (expiry <= BigInt(Math.floor(now.getTime() / 1000))) {
    return {
      verified: false,
      reason: `the wallet's identity expired at ${new Date(Number(expiry) * 1000).toISOString()}`,
    };
  }
  return { verified: true };
}
