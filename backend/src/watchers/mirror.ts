/**
 * The custody mirror (`custody_blocks`, migration 0009): per registry and custody account, every block seen in the
 * account and every block that left it, each as the registry last described it. Rows are only ever overwritten
 * with a fresh read of the registry (`applier.ts`, `snapshots.ts`), so what they say does not depend on the order
 * events arrived in. An upsert that changes nothing leaves `changed_at` alone.
 */
import type { Pool, PoolClient } from "pg";
import type { RegistryName } from "../registries/ids";
import { sleep } from "../sleep";
import type { BlockStatus, CreditBlock } from "../registries/model";
import { replaceUnstorable, storableOrNull } from "../db/storable";
import { payloadJson } from "./events";

export type MirrorBlock = {
  nativeId: string;
  serialPrefix: string;
  blockStart: bigint | undefined;
  blockEnd: bigint | undefined;
  quantity: bigint;
  status: BlockStatus;
  holderAccount: string | undefined;
  memo: string | undefined;
  /** The block this one was split from. */
  parentId: string | undefined;
};

export type MirrorWrite = {
  block: CreditBlock;
  /** The memo of the operation that moved the block out of custody, when the block itself does not carry one. */
  memo?: string | undefined;
};

/**
 * Upserts the registry's current word on each block. A registry that does not say who holds a block (Verra's
 * cancellation report) or which memo retired it keeps the mirror's earlier value for that field.
 */
export async function upsertMirror(
  db: Pool | PoolClient,
  registry: RegistryName,
  account: string,
  writes: MirrorWrite[],
): Promise<number> {
  if (writes.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO custody_blocks AS m (registry_id, account, native_id, serial, serial_prefix, block_start, block_end,
                                      quantity, status, native_status, holder_account, memo, parent_native_id, payload)
     SELECT $1, $2, b.native_id, b.serial, b.serial_prefix, b.block_start, b.block_end, b.quantity,
            b.status::block_status, b.native_status, b.holder_account, b.memo, b.parent_native_id, b.payload
       FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[],
                   $11::text[], $12::text[], $13::text[], $14::jsonb[])
            AS b(native_id, serial, serial_prefix, block_start, block_end, quantity, status, native_status,
                 holder_account, memo, parent_native_id, payload)
     ON CONFLICT (registry_id, account, native_id) DO UPDATE SET
       serial = excluded.serial, serial_prefix = excluded.serial_prefix, block_start = excluded.block_start,
       block_end = excluded.block_end, quantity = excluded.quantity, status = excluded.status,
       native_status = excluded.native_status, holder_account = coalesce(excluded.holder_account, m.holder_account),
       memo = coalesce(excluded.memo, m.memo), parent_native_id = excluded.parent_native_id,
       payload = excluded.payload, observed_at = now(),
       changed_at = CASE WHEN (m.block_start, m.block_end, m.quantity, m.status, m.holder_account, m.memo)
                              IS DISTINCT FROM (excluded.block_start, excluded.block_end, excluded.quantity,
                                                excluded.status, coalesce(excluded.holder_account, m.holder_account),
                                                coalesce(excluded.memo, m.memo))
                         THEN clock_timestamp() ELSE m.changed_at END`,
    [
      registry,
      account,
      writes.map(({ block }) => replaceUnstorable(block.registryRecordId)),
      writes.map(({ block }) => replaceUnstorable(block.serial)),
      writes.map(({ block }) => block.serialPrefix),
      writes.map(({ block }) => block.blockStart?.toString() ?? null),
      writes.map(({ block }) => block.blockEnd?.toString() ?? null),
      writes.map(({ block }) => block.quantity.toString()),
      writes.map(({ block }) => block.status),
      writes.map(({ block }) => storableOrNull(block.nativeStatus)),
      writes.map(({ block }) => storableOrNull(block.holderAccount)),
      writes.map(({ block, memo }) => storableOrNull(block.retirement?.memo ?? memo)),
      writes.map(({ block }) => storableOrNull(block.parentBlock)),
      writes.map(({ block }) => payloadJson(block.sourcePayload)),
    ],
  );
  return rowCount ?? 0;
}

/** The mirror's holder of each of `nativeIds` it already follows (null: the registry never said). */
export async function knownHolders(
  db: Pool | PoolClient,
  registry: RegistryName,
  account: string,
  nativeIds: string[],
): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ native_id: string; holder_account: string | null }>(
    "SELECT native_id, holder_account FROM custody_blocks WHERE registry_id = $1 AND account = $2 AND native_id = " +
      "ANY($3::text[])",
    [registry, account, nativeIds],
  );
  return new Map(rows.map((row) => [row.native_id, row.holder_account]));
}

type MirrorRow = {
  native_id: string;
  serial_prefix: string;
  block_start: string | null;
  block_end: string | null;
  quantity: string;
  status: BlockStatus;
  holder_account: string | null;
  memo: string | null;
  parent_native_id: string | null;
};

/** Every mirror row of the account at `registry`. */
export async function mirrorBlocks(db: Pool | PoolClient, registry: RegistryName, account: string): Promise<MirrorBlock[]> {
  const { rows } = await db.query<MirrorRow>(
    `SELECT native_id, serial_prefix, block_start::text, block_end::text, quantity::text, status::text AS status,
            holder_account, memo, parent_native_id
       FROM custody_blocks WHERE registry_id = $1 AND account = $2`,
    [registry, account],
  );
  return rows.map((row) => ({
    nativeId: row.native_id,
    serialPrefix: row.serial_prefix,
    blockStart: row.block_start === null ? undefined : BigInt(row.block_start),
    blockEnd: row.block_end === null ? undefined : BigInt(row.block_end),
    quantity: BigInt(row.quantity),
    status: row.status,
    holderAccount: row.holder_account ?? undefined,
    memo: row.memo ?? undefined,
    parentId: row.parent_native_id ?? undefined,
  }));
}

/** The database clock, to compare with `changed_at`. */
export async function databaseNow(db: Pool | PoolClient): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>("SELECT clock_timestamp() AS now");
  return rows[0]!.now;
}

/** Mirror rows of the account whose content changed after `since`. */
export async function changedSince(db: Pool | PoolClient, registry: RegistryName, account: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM custody_blocks WHERE registry_id = $1 AND account = $2 AND changed_at > $3",
    [registry, account, since],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Runs `fn` holding the registry's mirror lock (a session advisory lock on its own connection): the applier's
 * drains and the snapshot writer's compose step take it, so a snapshot never mixes a listing with a mirror that
 * a drain moved past it. Not re-entrant across connections: never call a drain from inside `fn`.
 *
 * Waiting is `pg_try_advisory_lock` in a loop with the connection given back between tries: a waiter blocked in
 * `pg_advisory_lock` would hold a pooled connection, and enough of them could starve the holder of the
 * connection it needs to finish (the pool is shared with the API and the indexer).
 */
export async function withMirrorLock<T>(pool: Pool, registry: RegistryName, fn: () => Promise<T>): Promise<T> {
  const key = `carbon.watchers.mirror:${registry}`;
  for (;;) {
    const lock = await pool.connect();
    let held = false;
    try {
      const { rows } = await lock.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [key]);
      held = rows[0]?.locked === true;
      if (held) return await fn();
    } finally {
      // A connection that could not unlock is destroyed (which ends its session and so the lock), never reused.
      const broken = held && (await lock.query("SELECT pg_advisory_unlock(hashtext($1))", [key]).then(() => false, () => true));
      lock.release(broken);
    }
    await sleep(50 + Math.random() * 50);
  }
}
