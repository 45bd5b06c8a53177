import crypto from "node:crypto";
import type { Pool } from "pg";
import { type SnapshotBlock, recordCustodySnapshot } from "../../../backend/src/reconciliation";

export const ZERO = "0x0000000000000000000000000000000000000000";
export const BRIDGE = "0x00000000000000000000000000000000000b71d6";
export const CUSTODY = "VCS-CUSTODY-1";

export function hex(bytes: number): string {
  return `0x${crypto.randomBytes(bytes).toString("hex")}`;
}

export function address(n: number): string {
  return `0x${n.toString(16).padStart(40, "0")}`;
}

export function requestId(n: number): string {
  return `0x${n.toString(16).padStart(64, "0")}`;
}

export async function addRegistry(pool: Pool, id = "VERRA", custodyAccount: string | null = CUSTODY): Promise<void> {
  await pool.query("INSERT INTO registries (id, name, custody_account) VALUES ($1, $1, $2)", [id, custodyAccount]);
}

let eventBlock = 1;

/** A chain event row as the indexer stores it. */
export async function addTransferEvent(pool: Pool, batchId: bigint, from: string, to: string, value: bigint): Promise<void> {
  await pool.query(
    `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args, batch_ids)
     VALUES ($1, $2, $3, 0, $4, 'TransferSingle', $5::jsonb, ARRAY[$6::numeric])`,
    [
      eventBlock++,
      hex(32),
      hex(32),
      address(0xc7),
      JSON.stringify({ operator: BRIDGE, from, to, id: batchId.toString(), value: value.toString() }),
      batchId.toString(),
    ],
  );
}

export type BatchFixture = {
  batchId: bigint;
  registryId?: string;
  prefix?: string;
  /** Holder -> amount; minted from zero in chain_events, stored in balances, summed into total_supply. */
  holders: Array<[string, bigint]>;
  frozen?: boolean;
};

/** A batch whose projections agree with its chain events. Returns its supply. */
export async function addBatch(pool: Pool, fixture: BatchFixture): Promise<bigint> {
  const supply = fixture.holders.reduce((sum, [, amount]) => sum + amount, 0n);
  await pool.query(
    `INSERT INTO batches (batch_id, registry_id, serial_prefix, total_supply, frozen, registered_block)
     VALUES ($1, $2, $3, $4, $5, 1)`,
    [
      fixture.batchId.toString(),
      fixture.registryId ?? "VERRA",
      fixture.prefix ?? `P${fixture.batchId}`,
      supply.toString(),
      fixture.frozen ?? false,
    ],
  );
  for (const [holder, amount] of fixture.holders) {
    if (amount === 0n) continue;
    await pool.query("INSERT INTO balances (batch_id, holder, amount, updated_block) VALUES ($1, $2, $3, 1)", [
      fixture.batchId.toString(),
      holder,
      amount.toString(),
    ]);
    await addTransferEvent(pool, fixture.batchId, ZERO, holder, amount);
  }
  return supply;
}

export async function snapshot(
  pool: Pool,
  batchId: bigint,
  blocks: SnapshotBlock[],
  options: { registryId?: string; account?: string; takenAt?: Date } = {},
): Promise<string> {
  return recordCustodySnapshot(pool, {
    registryId: options.registryId ?? "VERRA",
    account: options.account ?? CUSTODY,
    serialPrefix: `P${batchId}`,
    ...(options.takenAt === undefined ? {} : { takenAt: options.takenAt }),
    blocks,
  });
}

/** Splits `units` into blocks of at most `size` ACTIVE units, numbered from `start`. */
export function activeBlocks(units: bigint, size = 100n, start = 1_000n, idPrefix = "b"): SnapshotBlock[] {
  const blocks: SnapshotBlock[] = [];
  let next = start;
  let left = units;
  let i = 0;
  while (left > 0n) {
    const quantity = left < size ? left : size;
    blocks.push({ nativeId: `${idPrefix}${i++}`, blockStart: next, blockEnd: next + quantity - 1n, quantity, status: "ACTIVE" });
    next += quantity;
    left -= quantity;
  }
  return blocks;
}

export type RequestFixture = {
  requestId: string;
  batchId: bigint;
  amount: bigint;
  kind?: "retirement" | "withdrawal";
  chainStatus?: "pending" | "confirmed" | "rejected";
  createdAt?: Date;
};

export async function addRequest(pool: Pool, fixture: RequestFixture): Promise<void> {
  const kind = fixture.kind ?? "retirement";
  const chainStatus = fixture.chainStatus ?? "pending";
  const status = chainStatus === "pending" ? "submitted" : chainStatus;
  await pool.query(
    `INSERT INTO requests (request_id, kind, holder, batch_id, amount, status, destination_account, chain_status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now()))`,
    [
      fixture.requestId,
      kind,
      address(1),
      fixture.batchId.toString(),
      fixture.amount.toString(),
      status,
      kind === "withdrawal" ? "HOLDER-ACCOUNT" : null,
      chainStatus,
      fixture.createdAt?.toISOString() ?? null,
    ],
  );
}

export async function addPendingDeposit(pool: Pool, batchId: bigint, blockStart: bigint, quantity: bigint): Promise<void> {
  await pool.query(
    `INSERT INTO deposits (registry_id, serial_prefix, block_start, block_end, status) VALUES ('VERRA', $1, $2, $3, 'pending')`,
    [`P${batchId}`, blockStart.toString(), (blockStart + quantity - 1n).toString()],
  );
}

/** Empties every table the engine reads or writes (between property-test runs). */
export async function clearState(pool: Pool): Promise<void> {
  await pool.query(
    `TRUNCATE discrepancies, reconciliation_runs, registry_snapshot_blocks, registry_snapshots, deposits, requests,
       balances, chain_events, checkpoints, batches, registries CASCADE`,
  );
}
