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
 */
import type { Pool, PoolClient } from "pg";
import { CHAIN_EVENTS_CHANNEL } from "../db/channels";
import { withTransaction } from "../db/transaction";
import { deleteUnrequested } from "../requests/store";
import { CheckpointMovedError } from "./errors";
import { type StoredEvent, applyEvent, batchIdsOf, resetBatch, undoDroppedDeposits } from "./projections";
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
export async function storeStep(pool: Pool, params: StoreStepParameters): Promise<{ inserted: number; names: string[] }> {
  return inStep(pool, params.name, async (db) => {
    if (!sameCheckpoint(await readCheckpoint(db, params.name), params.expected)) {
      throw new CheckpointMovedError(`checkpoint ${params.name} moved during the step`);
    }
    let inserted = 0;
    const names: string[] = [];
    for (const event of params.events) {
      const stored: StoredEvent = {
        blockNumber: event.blockNumber.toString(),
        txHash: event.txHash,
        logIndex: event.logIndex,
        eventName: event.eventName,
        args: event.args,
      };
      const batchIds = await batchIdsOf(db, stored);
      const { rowCount } = await db.query(
        `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args, batch_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT (tx_hash, log_index) DO NOTHING`,
        [stored.blockNumber, event.blockHash, event.txHash, event.logIndex, event.contract, event.eventName,
          JSON.stringify(event.args), batchIds],
      );
      if (rowCount === 0) continue;
      inserted++;
      names.push(event.eventName);
      await applyEvent(db, stored);
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
    return { inserted, names };
  });
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

type EventRow = { block_number: string; tx_hash: string; log_index: number; event_name: string; args: StoredEvent["args"] };

function toStored(row: EventRow): StoredEvent {
  return {
    blockNumber: row.block_number,
    txHash: row.tx_hash,
    logIndex: row.log_index,
    eventName: row.event_name,
    args: row.args,
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
       RETURNING block_number, tx_hash, log_index, event_name, args, batch_ids::text[] AS batch_ids`,
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
        `SELECT block_number, tx_hash, log_index, event_name, args FROM chain_events
         WHERE $1 = ANY(batch_ids) ORDER BY block_number, log_index`,
        [batchId],
      );
      for (const row of rows) await applyEvent(db, toStored(row), batchId);
    }
    // A request whose request event was dropped no longer exists on-chain.
    await deleteUnrequested(db, droppedRequests);
    await writeCheckpoint(db, params.name, params.ancestor);
    return { droppedEvents: dropped.length, rebuiltBatches: batches };
  });
}
