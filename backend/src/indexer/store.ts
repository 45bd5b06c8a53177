/**
 * The indexer's side of Postgres: checkpoint, events and projections written in one transaction per step, and the
 * reorg rollback.
 *
 * Reorg strategy (why rebuild instead of undo): `chain_events` is the source of every projection, and each event
 * records the batches it touches (`batch_ids`). A rollback deletes the events above the common ancestor, then
 * resets and replays the projections of exactly the batches those events touched, through the same `applyEvent`
 * as the live path. Undo logic per event would be a second implementation of every projection, written for the
 * rarest path and tested least; a replay cannot drift from the live path. The cost is proportional to the
 * history of the affected batches, and reorgs below the confirmation depth are rare (none on QBFT). The one
 * exception is deposits, whose claims are shared with the deposit flow: their dropped events are undone one by one
 * (`undoDroppedDeposits`).
 *
 * Poison events (why a savepoint per event): one event whose projection fails for a reason a retry cannot fix (a
 * constraint its data breaks, a projection error) must not roll back the step of everybody else's events and then
 * fail the same way forever. Each event is stored and projected under its own SAVEPOINT; on such a failure the
 * savepoint is rolled back and the event is recorded in `indexer_poison_events`. An event of `SKIPPABLE_EVENTS`
 * is then left out (stored in `chain_events` when its insert worked, its projection not applied) and the step
 * goes on; any other event throws `IndexerPoisonError`, the step's transaction rolls back (the checkpoint stays
 * before the block) and the indexer halts, because skipping a balance, supply or request change would make every
 * later projection wrong. Transient database errors still abort and retry the whole step.
 */
import type { Pool, PoolClient } from "pg";
import { CHAIN_EVENTS_CHANNEL } from "../db/channels";
import { withTransaction } from "../db/transaction";
import { deleteUnrequested } from "../requests/store";
import { BaseError } from "../errors";
import { CheckpointMovedError, IndexerPoisonError, type PoisonEvent, isTransientDbError } from "./errors";
import { type StoredEvent, applyEvent, batchIdsOf, isSkippable, resetBatch, undoDroppedDeposits } from "./projections";
import { storableText } from "../db/storable";
import type { ChainEvent, Checkpoint } from "./types";
import type { Hex } from "viem";

/**
 * One writer per checkpoint name: a second indexer process on the same database waits for this lock instead of
 * interleaving its writes (transaction-scoped, released by commit or rollback).
 */
function inStep<T>(pool: Pool, name: string, body: (db: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, body, { advisoryLock: `indexer:${name}` });
}

export async function readCheckpoint(db: Pool | PoolClient, name: string): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<{ block_number: string; block_hash: Hex }>(
    "SELECT block_number, block_hash FROM checkpoints WHERE name = $1",
    [name],
  );
  const row = rows[0];
  return row === undefined ? undefined : { blockNumber: BigInt(row.block_number), blockHash: row.block_hash };
}

async function writeCheckpoint(db: PoolClient, name: string, checkpoint: Checkpoint | undefined): Promise<void> {
  if (checkpoint === undefined) {
    await db.query("DELETE FROM checkpoints WHERE name = $1", [name]);
    return;
  }
  await db.query(
    `INSERT INTO checkpoints (name, block_number, block_hash, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash,
       updated_at = now()`,
    [name, checkpoint.blockNumber.toString(), checkpoint.blockHash],
  );
}

function sameCheckpoint(a: Checkpoint | undefined, b: Checkpoint | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.blockNumber === b.blockNumber && a.blockHash === b.blockHash;
}

export type StoreStepParameters = {
  name: string;
  /** The checkpoint the step started from; the write is refused if another writer moved it meanwhile. */
  expected: Checkpoint | undefined;
  next: Checkpoint;
  events: ChainEvent[];
};

/** Stores a step's events (idempotent by (tx hash, log index)), their projections and the new checkpoint. */
export type StoreStepReturnType = { inserted: number; names: string[]; skipped: PoisonEvent[] };

export async function storeStep(pool: Pool, params: StoreStepParameters): Promise<StoreStepReturnType> {
  return inStep(pool, params.name, async (db) => {
    if (!sameCheckpoint(await readCheckpoint(db, params.name), params.expected)) {
      throw new CheckpointMovedError(`checkpoint ${params.name} moved during the step`);
    }
    let inserted = 0;
    const names: string[] = [];
    const skipped: PoisonEvent[] = [];
    for (const event of params.events) {
      const stored: StoredEvent = {
        blockNumber: event.blockNumber.toString(),
        txHash: event.txHash,
        logIndex: event.logIndex,
        eventName: event.eventName,
        args: event.args,
        stringBytes: event.stringBytes,
      };
      let isNew = false;
      const notStored = await guarded(db, stored, event.blockHash, async () => {
        const batchIds = await batchIdsOf(db, stored);
        const { rowCount } = await db.query(
          `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args, batch_ids,
             string_bytes)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb) ON CONFLICT (tx_hash, log_index) DO NOTHING`,
          [stored.blockNumber, event.blockHash, event.txHash, event.logIndex, event.contract, event.eventName,
            JSON.stringify(event.args), batchIds, JSON.stringify(event.stringBytes ?? {})],
        );
        isNew = rowCount !== 0;
      });
      if (notStored !== undefined) skipped.push(notStored);
      if (!isNew) continue;
      inserted++;
      names.push(event.eventName);
      // Its own savepoint: a skipped projection leaves the stored event in place, for the record and the replay.
      const notProjected = await guarded(db, stored, event.blockHash, () => applyEvent(db, stored));
      if (notProjected !== undefined) skipped.push(notProjected);
    }
    await writeCheckpoint(db, params.name, params.next);
    if (inserted > 0) {
      const payload = {
        fromBlock: params.events[0]?.blockNumber.toString(),
        toBlock: params.next.blockNumber.toString(),
        count: inserted,
      };
      await db.query("SELECT pg_notify($1, $2)", [CHAIN_EVENTS_CHANNEL, JSON.stringify(payload)]);
    }
    return { inserted, names, skipped };
  });
}

/**
 * Runs one event's work under a savepoint (see the header). Returns the recorded poison of a skippable event,
 * undefined when the work succeeded; throws `IndexerPoisonError` for a poison event that must halt the indexer,
 * and rethrows errors a retry can fix.
 */
async function guarded(
  db: PoolClient,
  event: StoredEvent,
  blockHash: string,
  work: () => Promise<void>,
): Promise<PoisonEvent | undefined> {
  await db.query("SAVEPOINT indexer_event");
  try {
    await work();
    await db.query("RELEASE SAVEPOINT indexer_event");
    return undefined;
  } catch (error) {
    await db.query("ROLLBACK TO SAVEPOINT indexer_event");
    if (isTransientDbError(error) || (error instanceof BaseError && error.retryable)) throw error;
    const poison: PoisonEvent = {
      blockNumber: event.blockNumber,
      blockHash,
      txHash: event.txHash,
      logIndex: event.logIndex,
      eventName: event.eventName,
      error: storableText(error instanceof Error ? error.message : String(error)).slice(0, 2000),
    };
    if (!isSkippable(event.eventName)) {
      const message = `${event.eventName} at block ${event.blockNumber} cannot be projected`;
      throw new IndexerPoisonError(message, { ...poison, cause: error });
    }
    await recordPoison(db, poison, "skipped");
    return poison;
  }
}

/** Records (or counts again) a poison event; `halted` ones are written after their step rolled back. */
export async function recordPoison(db: Pool | PoolClient, poison: PoisonEvent, action: "skipped" | "halted"): Promise<void> {
  await db.query(
    `INSERT INTO indexer_poison_events (tx_hash, log_index, block_number, block_hash, event_name, action, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tx_hash, log_index) DO UPDATE SET action = excluded.action, error = excluded.error,
       block_number = excluded.block_number, block_hash = excluded.block_hash,
       attempts = indexer_poison_events.attempts + 1, last_seen_at = now()`,
    [poison.txHash, poison.logIndex, poison.blockNumber, poison.blockHash, poison.eventName, action, poison.error],
  );
}

/** Distinct (block number, hash) pairs with stored events below `below`, newest first: reorg ancestor candidates. */
export async function storedBlocks(pool: Pool, below: bigint, limit: number): Promise<Checkpoint[]> {
  const { rows } = await pool.query<{ block_number: string; block_hash: Hex }>(
    `SELECT DISTINCT block_number, block_hash FROM chain_events WHERE block_number < $1
     ORDER BY block_number DESC LIMIT $2`,
    [below.toString(), limit],
  );
  return rows.map((row) => ({ blockNumber: BigInt(row.block_number), blockHash: row.block_hash }));
}

type EventRow = {
  block_number: string;
  block_hash: string;
  tx_hash: string;
  log_index: number;
  event_name: string;
  args: StoredEvent["args"];
  string_bytes: StoredEvent["stringBytes"];
};

function toStored(row: EventRow): StoredEvent {
  return {
    blockNumber: row.block_number,
    txHash: row.tx_hash,
    logIndex: row.log_index,
    eventName: row.event_name,
    args: row.args,
    stringBytes: row.string_bytes,
  };
}

export type RollbackParameters = {
  name: string;
  expected: Checkpoint | undefined;
  /** Last block kept; undefined drops everything (the ancestor is below the deployment). */
  ancestor: Checkpoint | undefined;
};

export type RollbackReturnType = { droppedEvents: number; rebuiltBatches: string[] };

/** Deletes the events above the ancestor and rebuilds the projections of the batches they touched. */
export async function rollback(pool: Pool, params: RollbackParameters): Promise<RollbackReturnType> {
  return inStep(pool, params.name, async (db) => {
    if (!sameCheckpoint(await readCheckpoint(db, params.name), params.expected)) {
      throw new CheckpointMovedError(`checkpoint ${params.name} moved during the rollback`);
    }
    const above = (params.ancestor?.blockNumber ?? -1n).toString();
    const { rows: droppedRows } = await db.query<EventRow & { batch_ids: string[] }>(
      `DELETE FROM chain_events WHERE block_number > $1
       RETURNING block_number, block_hash, tx_hash, log_index, event_name, args, string_bytes,
         batch_ids::text[] AS batch_ids`,
      [above],
    );
    const dropped = droppedRows
      .sort((a, b) => Number(BigInt(a.block_number) - BigInt(b.block_number)) || a.log_index - b.log_index)
      .map(toStored);
    const batches = [...new Set(droppedRows.flatMap((row) => row.batch_ids))].sort();
    const droppedRequests = dropped
      .filter((event) => event.eventName === "RetirementRequested" || event.eventName === "WithdrawalRequested")
      .map((event) => String(event.args.requestId));
    await undoDroppedDeposits(db, dropped);
    for (const batchId of batches) {
      await resetBatch(db, batchId);
      const { rows } = await db.query<EventRow>(
        `SELECT block_number, block_hash, tx_hash, log_index, event_name, args, string_bytes FROM chain_events
         WHERE $1 = ANY(batch_ids) ORDER BY block_number, log_index`,
        [batchId],
      );
      // The replay meets the same poison as the live path and treats it the same way.
      for (const row of rows) await guarded(db, toStored(row), row.block_hash, () => applyEvent(db, toStored(row), batchId));
    }
    // A request whose request event was dropped no longer exists on-chain.
    await deleteUnrequested(db, droppedRequests);
    await writeCheckpoint(db, params.name, params.ancestor);
    return { droppedEvents: dropped.length, rebuiltBatches: batches };
  });
}
