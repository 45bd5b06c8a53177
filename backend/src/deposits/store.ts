/**
 * The `deposit_intents` table (migrations 0006, 0010) and every statement on it, with one row type. The API declares
 * intents (`insertIntent`); the arrival watcher and the immobilize handler move them on (docs/deposits.md, "States"):
 *
 * | move | writer |
 * |---|---|
 * | inserted `awaiting_transfer` | the API (`insertIntent`) |
 * | `awaiting_transfer` -> `arrived` (record, range, batch; the range claimed in `deposits`; one `immobilize` job) |
 * the arrival watcher (`markArrived`) |
 * | `awaiting_transfer` -> `rejected` / `expired`, with the reason | the arrival watcher (`setStatus`) |
 * | `arrived` -> `immobilized` | the immobilize handler (`markImmobilized`) |
 * | `arrived` / `immobilized` -> `minted`, with the mint transaction | the arrival watcher, once the indexer shows the
 * mint (`markMinted`) |
 * | `status_detail` at the same status (what it waits for, why its job failed) | the watcher and the handler (`setDetail`) |
 *
 * Every move names the status it leaves, so two watchers (or a watcher and a handler) racing on one intent apply
 * it once.
 */
import type { Pool } from "pg";
import { newestFirst } from "../db/keyset";
import type { Queryable } from "../db/queryable";
import { withTransaction } from "../db/transaction";
import { enqueue } from "../queue/jobs";
import { ensureRegistry } from "../registries/store";
import { claimRange, overlappingClaim } from "./claims";
import { IMMOBILIZE_JOB_KIND, type IntentStatus, immobilizeJobKeyOf } from "./intent";

/** A deposit intent as every reader gets it. Ranges and quantities are bigints; unset columns are null. */
export type DepositIntent = {
  intentId: string;
  holder: string;
  registry: string;
  declaredSerial: string;
  /** The declared range (null only on intents older than migration 0010). */
  declaredPrefix: string | null;
  declaredStart: bigint | null;
  declaredEnd: bigint | null;
  sourceAccount: string | null;
  status: IntentStatus;
  statusDetail: string | null;
  recordId: string | null;
  serialPrefix: string | null;
  blockStart: bigint | null;
  blockEnd: bigint | null;
  quantity: bigint | null;
  batchId: string | null;
  mintTxHash: string | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
};

type IntentRow = {
  intent_id: string;
  holder: string;
  registry_id: string;
  declared_serial: string;
  declared_prefix: string | null;
  declared_start: string | null;
  declared_end: string | null;
  source_account: string | null;
  status: IntentStatus;
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
       source_account, status::text AS status, status_detail, record_id, serial_prefix, block_start::text,
       block_end::text, quantity::text, batch_id::text, mint_tx_hash, expires_at, created_at, updated_at
  FROM deposit_intents`;

const bigOrNull = (value: string | null) => (value === null ? null : BigInt(value));

function toIntent(row: IntentRow): DepositIntent {
  return {
    intentId: row.intent_id,
    holder: row.holder,
    registry: row.registry_id,
    declaredSerial: row.declared_serial,
    declaredPrefix: row.declared_prefix,
    declaredStart: bigOrNull(row.declared_start),
    declaredEnd: bigOrNull(row.declared_end),
    sourceAccount: row.source_account,
    status: row.status,
    statusDetail: row.status_detail,
    recordId: row.record_id,
    serialPrefix: row.serial_prefix,
    blockStart: bigOrNull(row.block_start),
    blockEnd: bigOrNull(row.block_end),
    quantity: bigOrNull(row.quantity),
    batchId: row.batch_id,
    mintTxHash: row.mint_tx_hash,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getIntent(db: Queryable, intentId: string): Promise<DepositIntent | undefined> {
  const { rows } = await db.query<IntentRow>(`${INTENT_SELECT} WHERE intent_id = $1`, [intentId.toLowerCase()]);
  return rows[0] === undefined ? undefined : toIntent(rows[0]);
}

/** A holder's intents, newest first by (created_at, intent_id); `limit + 1` rows. */
export async function listIntents(
  db: Queryable,
  params: { holder: string; after?: string[] | undefined; limit: number },
): Promise<DepositIntent[]> {
  const [created, id] = params.after ?? [null, null];
  const { rows } = await db.query<IntentRow>(
    `${INTENT_SELECT} WHERE holder = $1 AND ${newestFirst("created_at", "intent_id", 2)}`,
    [params.holder.toLowerCase(), created, id, params.limit + 1],
  );
  return rows.map(toIntent);
}

/** Intents the watcher still has work on, oldest first. */
export async function openIntents(db: Queryable, limit: number): Promise<DepositIntent[]> {
  const { rows } = await db.query<IntentRow>(
    `${INTENT_SELECT} WHERE status IN ('awaiting_transfer', 'arrived', 'immobilized') ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map(toIntent);
}

/** Intents whose block arrived (or was immobilized) and that `signer` has not attested yet (an oracle's to-do). */
export async function attestableIntentsFor(db: Queryable, signer: string, limit: number): Promise<DepositIntent[]> {
  const { rows } = await db.query<IntentRow>(
    `${INTENT_SELECT} i
      WHERE status IN ('arrived', 'immobilized')
        AND NOT EXISTS (SELECT 1 FROM oracle_observations o WHERE o.signer = $1 AND o.subject = i.intent_id)
      ORDER BY created_at LIMIT $2`,
    [signer.toLowerCase(), limit],
  );
  return rows.map(toIntent);
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

export type InsertIntentReturnType = { created: DepositIntent } | { conflict: string };

/**
 * Stores a new intent unless its range is already claimed: by a pending or minted deposit (the rows
 * `deposits_no_overlap` guards) or by another open intent (`deposit_intents_no_overlap`, which also settles two
 * concurrent declarations: the second insert fails). The `registries` row is created when missing.
 */
export async function insertIntent(pool: Pool, intent: NewIntent): Promise<InsertIntentReturnType> {
  const range = {
    registry: intent.registry,
    serialPrefix: intent.declaredPrefix,
    blockStart: intent.declaredStart,
    blockEnd: intent.declaredEnd,
  };
  const claim = await overlappingClaim(pool, range);
  if (claim !== undefined) {
    const what =
      claim.status === "minted" ? `already tokenized (deposit ${claim.deposit_id ?? `#${claim.id}`})` : "being deposited";
    return { conflict: `units ${claim.block_start}-${claim.block_end} of ${intent.declaredPrefix} are ${what}` };
  }
  try {
    await withTransaction(pool, async (client) => {
      await ensureRegistry(client, intent.registry, intent.custodyAccount);
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
    });
  } catch (error) {
    if ((error as { code?: string }).code !== "23P01") throw error;
    return { conflict: await openIntentConflict(pool, intent) };
  }
  const created = await getIntent(pool, intent.intentId);
  if (created === undefined) throw new Error(`deposit intent ${intent.intentId} vanished after insert`);
  return { created };
}

type OpenIntentRow = {
  intent_id: string;
  holder: string;
  status: string;
  declared_start: string;
  declared_end: string;
  expires_at: Date;
};

/** Names the open intent that holds the range; another holder's intent id (its memo) is not disclosed. */
async function openIntentConflict(db: Queryable, intent: NewIntent): Promise<string> {
  const { rows } = await db.query<OpenIntentRow>(
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

/** Moves an intent from `from` to a final or waiting status with a detail; false when it had moved on already. */
export async function setStatus(
  db: Queryable,
  intentId: string,
  from: IntentStatus,
  to: IntentStatus,
  detail: string | null,
): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE deposit_intents SET status = $3, status_detail = $4, updated_at = now() WHERE intent_id = $1 AND status = $2",
    [intentId, from, to, detail],
  );
  return (rowCount ?? 0) > 0;
}

/** Records a detail (what the intent waits for, why its job failed) without changing the status. */
export async function setDetail(db: Queryable, intentId: string, status: IntentStatus, detail: string): Promise<void> {
  await db.query(
    `UPDATE deposit_intents SET status_detail = $3, updated_at = now()
      WHERE intent_id = $1 AND status = $2 AND status_detail IS DISTINCT FROM $3`,
    [intentId, status, detail],
  );
}

export type Arrival = {
  recordId: string;
  serialPrefix: string;
  blockStart: bigint;
  blockEnd: bigint;
  batchId: bigint;
};

export type MarkArrivedReturnType =
  { outcome: "arrived"; jobCreated: boolean } | { outcome: "already_tokenized"; detail: string } | { outcome: "moved_on" };

/**
 * In one transaction: the intent (still `awaiting_transfer`, row locked) becomes `arrived` with the record and
 * range, the range is claimed in `deposits` (status pending, so `deposits_no_overlap` guards it from now on; the
 * indexer turns exactly this row minted on DepositConfirmed), and one `immobilize` job is enqueued. A range
 * already claimed returns `already_tokenized` and changes nothing.
 */
export async function markArrived(pool: Pool, intent: DepositIntent, arrival: Arrival): Promise<MarkArrivedReturnType> {
  return withTransaction(pool, async (client): Promise<MarkArrivedReturnType> => {
    const locked = await client.query(
      "SELECT 1 FROM deposit_intents WHERE intent_id = $1 AND status = 'awaiting_transfer' FOR UPDATE",
      [intent.intentId],
    );
    if (locked.rowCount === 0) return { outcome: "moved_on" };
    const range = { registry: intent.registry, ...arrival };
    const claim = await overlappingClaim(client, range);
    if (claim !== undefined) {
      const which = claim.deposit_id === null ? `deposit #${claim.id}` : `deposit ${claim.deposit_id}`;
      const detail = `already tokenized: units ${claim.block_start}-${claim.block_end} overlap ${which} (${claim.status})`;
      return { outcome: "already_tokenized", detail };
    }
    await claimRange(client, range, intent.holder);
    await client.query(
      `UPDATE deposit_intents SET status = 'arrived', status_detail = NULL, record_id = $2, serial_prefix = $3,
              block_start = $4, block_end = $5, quantity = $6, batch_id = $7, updated_at = now()
        WHERE intent_id = $1`,
      [
        intent.intentId,
        arrival.recordId,
        arrival.serialPrefix,
        arrival.blockStart.toString(),
        arrival.blockEnd.toString(),
        (arrival.blockEnd - arrival.blockStart + 1n).toString(),
        arrival.batchId.toString(),
      ],
    );
    const { created } = await enqueue(client, {
      kind: IMMOBILIZE_JOB_KIND,
      key: immobilizeJobKeyOf(intent.intentId),
      registry: intent.registry,
      payload: { intentId: intent.intentId },
    });
    return { outcome: "arrived", jobCreated: created };
  });
}

/** `arrived` -> `immobilized` once the registry confirmed the immobilization (the record id it names). */
export async function markImmobilized(db: Queryable, intentId: string, recordId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE deposit_intents SET status = 'immobilized', status_detail = NULL, record_id = $2, updated_at = now()
      WHERE intent_id = $1 AND status = 'arrived'`,
    [intentId, recordId],
  );
  return (rowCount ?? 0) > 0;
}

/** `arrived` or `immobilized` -> `minted` with the mint transaction. */
export async function markMinted(db: Queryable, intentId: string, txHash: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE deposit_intents SET status = 'minted', status_detail = NULL, mint_tx_hash = $2, updated_at = now()
      WHERE intent_id = $1 AND status IN ('arrived', 'immobilized')`,
    [intentId, txHash.toLowerCase()],
  );
  return (rowCount ?? 0) > 0;
}
