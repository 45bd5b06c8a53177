/**
 * Writing a custody snapshot in the layout reconciliation reads (migration 0005): a `registry_snapshots` header per
 * (registry, custody account, serial prefix) and one `registry_snapshot_blocks` row per block, inserted with one
 * set-based statement (unnest of arrays), never row by row.
 */
import type { Pool, PoolClient } from "pg";
import { replaceUnstorable, storableOrNull } from "../db/storable";

export type SnapshotBlockStatus =
  | "ACTIVE"
  | "IMMOBILIZED"
  | "PENDING_TRANSFER"
  | "RETIRED"
  | "CANCELLED"
  | "ON_HOLD"
  | "EXPIRED"
  | "BUFFER";

export type SnapshotBlock = {
  /** The registry's own record id. */
  nativeId: string;
  blockStart?: bigint | undefined;
  blockEnd?: bigint | undefined;
  quantity: bigint;
  status: SnapshotBlockStatus;
  /** The registry's memo of the operation that retired or moved the block (the platform's request id). */
  memo?: string | undefined;
};

export type RecordSnapshotParameters = {
  registryId: string;
  /** The platform's custody account at the registry. */
  account: string;
  serialPrefix: string;
  takenAt?: Date;
  /**
   * Every block the registry lists for the custody account and prefix: live ones (active, immobilized, on hold)
   * and the ones retired or transferred out of it, with their final status and memo.
   */
  blocks: SnapshotBlock[];
};

/** Stores one snapshot in one transaction; returns its id. */
export async function recordCustodySnapshot(pool: Pool | PoolClient, parameters: RecordSnapshotParameters): Promise<string> {
  const custody = parameters.blocks
    .filter((block) => block.status === "ACTIVE" || block.status === "IMMOBILIZED")
    .reduce((sum, block) => sum + block.quantity, 0n);
  const { rows } = await pool.query<{ id: string }>(
    `WITH header AS (
       INSERT INTO registry_snapshots (registry_id, account, serial_prefix, units, taken_at)
       VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now())) RETURNING id
     ), blocks AS (
       INSERT INTO registry_snapshot_blocks (snapshot_id, native_id, block_start, block_end, quantity, status, memo)
       SELECT header.id, b.native_id, b.block_start, b.block_end, b.quantity, b.status::block_status, b.memo
         FROM header, unnest($6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::text[])
              AS b(native_id, block_start, block_end, quantity, status, memo)
     )
     SELECT id::text FROM header`,
    [
      parameters.registryId,
      parameters.account,
      parameters.serialPrefix,
      custody.toString(),
      parameters.takenAt?.toISOString() ?? null,
      parameters.blocks.map((block) => replaceUnstorable(block.nativeId)),
      parameters.blocks.map((block) => block.blockStart?.toString() ?? null),
      parameters.blocks.map((block) => block.blockEnd?.toString() ?? null),
      parameters.blocks.map((block) => block.quantity.toString()),
      parameters.blocks.map((block) => block.status),
      parameters.blocks.map((block) => storableOrNull(block.memo)),
    ],
  );
  return rows[0]!.id;
}
