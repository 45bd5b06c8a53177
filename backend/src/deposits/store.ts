/**
 * The deposit flow's writes to `deposit_intents` (and the `deposits` claim), for the arrival watcher and the
 * immobilize handler. Every transition names the status it leaves, so two watchers (or a watcher and a handler)
 * racing on one intent apply it once.
 */
import type { Pool, PoolClient } from "pg";
import { enqueue } from "../queue/jobs";
import { IMMOBILIZE_JOB_KIND, type IntentStatus, immobilizeJobKeyOf } from "./intent";

export type StoredIntent = {
  intentId: string;
  holder: string;
  registry: string;
  declaredSerial: string;
  declaredPrefix: string;
  declaredStart: bigint;
  declaredEnd: bigint;
  status: IntentStatus;
  recordId: string | null;
  quantity: bigint | null;
  expiresAt: Date;
};

type Row = {
  intent_id: string;
  holder: string;
  registry_id: string;
  declared_serial: string;
  declared_prefix: string;
  declared_start: string;
  declared_end: string;
  status: IntentStatus;
  record_id: string | null;
  quantity: string | null;
  expires_at: Date;
};

const SELECT = `SELECT intent_id, holder, registry_id, declared_serial, declared_prefix, declared_start::text,
  declared_end::text, status::text, record_id, quantity::text, expires_at FROM deposit_intents`;

function toIntent(row: Row): StoredIntent {
  return {
    intentId: row.intent_id,
    holder: row.holder,
    registry: row.registry_id,
    declaredSerial: row.declared_serial,
    declaredPrefix: row.declared_prefix,
    declaredStart: BigInt(row.declared_start),
    declaredEnd: BigInt(row.declared_end),
    status: row.status,
    recordId: row.record_id,
    quantity: row.quantity === null ? null : BigInt(row.quantity),
    expiresAt: row.expires_at,
  };
}

/** Intents the watcher still has work on, oldest first. */
export async function openIntents(pool: Pool, limit: number): Promise<StoredIntent[]> {
  const { rows } = await pool.query<Row>(
    `${SELECT} WHERE status IN ('awaiting_transfer', 'arrived', 'immobilized') ORDER BY created_at LIMIT $1`,
    [limit],
  );
  return rows.map(toIntent);
}

export async function loadIntent(pool: Pool, intentId: string): Promise<StoredIntent | undefined> {
  const { rows } = await pool.query<Row>(`${SELECT} WHERE intent_id = $1`, [intentId.toLowerCase()]);
  return rows[0] === undefined ? undefined : toIntent(rows[0]);
}

/** Moves an intent from `from` to a final or waiting status with a detail; false when it had moved on already. */
export async function setStatus(
  pool: Pool,
  intentId: string,
  from: IntentStatus,
  to: IntentStatus,
  detail: string | null,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE deposit_intents SET status = $3, status_detail = $4, updated_at = now() WHERE intent_id = $1 AND status = $2`,
    [intentId, from, to, detail],
  );
  return (rowCount ?? 0) > 0;
}

/** Records a detail (what the intent waits for, why its job failed) without changing the status. */
export async function setDetail(pool: Pool, intentId: string, status: IntentStatus, detail: string): Promise<void> {
  await pool.query(
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

type ClaimRow = {
  id: string;
  status: string;
  deposit_id: string | null;
  block_start: string;
  block_end: string;
};

/**
 * In one transaction: the intent (still `awaiting_transfer`, row locked) becomes `arrived` with the record and
 * range, the range is claimed in `deposits` (status pending, so `deposits_no_overlap` guards it from now on; the
 * indexer turns exactly this row minted on DepositConfirmed), and one `immobilize` job is enqueued. A range
 * already claimed returns `already_tokenized` and changes nothing.
 */
export async function markArrived(pool: Pool, intent: StoredIntent, arrival: Arrival): Promise<MarkArrivedReturnType> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const locked = await client.query(
      "SELECT 1 FROM deposit_intents WHERE intent_id = $1 AND status = 'awaiting_transfer' FOR UPDATE",
      [intent.intentId],
    );
    if (locked.rowCount === 0) {
      await client.query("ROLLBACK");
      return { outcome: "moved_on" };
    }
    const conflict = await overlappingClaim(client, intent.registry, arrival);
    if (conflict !== undefined) {
      await client.query("ROLLBACK");
      return { outcome: "already_tokenized", detail: conflict };
    }
    await client.query(
      `INSERT INTO deposits (registry_id, serial_prefix, block_start, block_end, holder, status)
       VALUES ($1, $2, $3, $4, $5, 'pending')`,
      [intent.registry, arrival.serialPrefix, arrival.blockStart.toString(), arrival.blockEnd.toString(), intent.holder],
    );
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
    await client.query("COMMIT");
    return { outcome: "arrived", jobCreated: created };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The pending or minted deposit overlapping the arrived range, described, or undefined. */
async function overlappingClaim(client: PoolClient, registry: string, arrival: Arrival): Promise<string | undefined> {
  const { rows } = await client.query<ClaimRow>(
    `SELECT id::text, status::text, deposit_id, block_start::text, block_end::text FROM deposits
      WHERE registry_id = $1 AND serial_prefix = $2 AND status IN ('pending', 'minted')
        AND int8range(block_start, block_end, '[]') && int8range($3::bigint, $4::bigint, '[]')
      ORDER BY block_start LIMIT 1`,
    [registry, arrival.serialPrefix, arrival.blockStart.toString(), arrival.blockEnd.toString()],
  );
  const claim = rows[0];
  if (claim === undefined) return undefined;
  const which = claim.deposit_id === null ? `deposit #${claim.id}` : `deposit ${claim.deposit_id}`;
  return `already tokenized: units ${claim.block_start}-${claim.block_end} overlap ${which} (${claim.status})`;
}

/** `arrived` -> `immobilized` once the registry confirmed the immobilization (the record id it names). */
export async function markImmobilized(pool: Pool, intentId: string, recordId: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE deposit_intents SET status = 'immobilized', status_detail = NULL, record_id = $2, updated_at = now()
      WHERE intent_id = $1 AND status = 'arrived'`,
    [intentId, recordId],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * The mint transaction of the intent's deposit as indexed: the `deposits` row the DepositConfirmed projection
 * marked minted with `deposit_id` = the intent id, else the raw `chain_events` log.
 */
export async function findMint(pool: Pool, intentId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ tx_hash: string }>(
    `SELECT mint_tx_hash AS tx_hash FROM deposits WHERE deposit_id = $1 AND status IN ('minted', 'withdrawn') AND mint_tx_hash IS NOT NULL
     UNION ALL
     (SELECT tx_hash FROM chain_events WHERE event_name = 'DepositConfirmed' AND lower(args->>'depositId') = $1
       ORDER BY block_number LIMIT 1)
     LIMIT 1`,
    [intentId.toLowerCase()],
  );
  return rows[0]?.tx_hash;
}

/** `arrived` or `immobilized` -> `minted` with the mint transaction. */
export async function markMinted(pool: Pool, intentId: string, txHash: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE deposit_intents SET status = 'minted', status_detail = NULL, mint_tx_hash = $2, updated_at = now()
      WHERE intent_id = $1 AND status IN ('arrived', 'immobilized')`,
    [intentId, txHash.toLowerCase()],
  );
  return (rowCount ?? 0) > 0;
}
