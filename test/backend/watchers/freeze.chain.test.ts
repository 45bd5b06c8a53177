import { expect } from "chai";
import type { PublicClient } from "viem";
import { creditTokenAbi } from "../../../backend/src/chain/abi";
import { batchIdOf } from "../../../backend/src/chain/attestations";
import type { RegistryGuard } from "../../../backend/src/guard";
import { type Indexer, createIndexer } from "../../../backend/src/indexer";
import {
  FREEZE_REASON,
  type Reconciler,
  createBatchFreezer,
  createReconciler,
  reconcile,
} from "../../../backend/src/reconciliation";
import type { RegistryPort } from "../../../backend/src/registries/port";
import type { RunningSimulator } from "../../../backend/src/simulators";
import { type RegistryWatchers, createRegistryWatchers } from "../../../backend/src/watchers";
import { testPublicClient, testRelayer, useAutomine } from "../../support/chain";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";
import { CUSTODY, requestRow, startVerra, testGuard, verraPrefix, verraSerial, waitFor } from "./fixtures";

const PREFIX_A = verraPrefix(5001);
const PREFIX_B = verraPrefix(5002);
const PREFIX_C = verraPrefix(5003);

/** Status of each block in the newest custody snapshot of `prefix` (native id -> status), or undefined before any. */
async function latestSnapshot(db: TestDatabase, prefix: string): Promise<Record<string, string> | undefined> {
  const { rows: header } = await db.pool.query<{ id: string }>(
    "SELECT id::text FROM registry_snapshots WHERE registry_id = 'VERRA' AND serial_prefix = $1 ORDER BY taken_at " +
      "DESC, id DESC LIMIT 1",
    [prefix],
  );
  if (header[0] === undefined) return undefined;
  const { rows } = await db.pool.query<{ native_id: string; status: string }>(
    "SELECT native_id, status::text AS status FROM registry_snapshot_blocks WHERE snapshot_id = $1",
    [header[0].id],
  );
  return Object.fromEntries(rows.map((row) => [row.native_id, row.status]));
}

describe("watchers on the embedded chain: custody snapshots feed reconciliation, which freezes the batch", () => {
  let db: TestDatabase;
  let platform: TestPlatform;
  let client: PublicClient;
  let indexer: Indexer;
  let sim: RunningSimulator;
  let adapter: RegistryPort;
  let guard: RegistryGuard;
  let watchers: RegistryWatchers;
  let reconciler: Reconciler;
  let blockA: string;
  let blockB: string;
  const batchA = batchIdOf(1, PREFIX_A);
  const batchB = batchIdOf(1, PREFIX_B);

  const isFrozen = (batchId: bigint) =>
    client.readContract({
      address: platform.deployment.creditToken,
      abi: creditTokenAbi,
      functionName: "isBatchFrozen",
      args: [batchId],
    });

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await useAutomine();
    platform = await deployTestPlatform();
    client = await testPublicClient();
    ({ sim, adapter } = await startVerra());
    const adapters = { VERRA: adapter };

    // Two batches minted on-chain (registry 1 = VERRA), each backed by a block of exactly the minted range that the
    // platform holds immobilized in its custody account at the registry.
    for (const [issuance, amount, prefix] of [[5001, 300n, PREFIX_A], [5002, 200n, PREFIX_B]] as const) {
      const start = platform.nextSerial();
      await platform.deposit(platform.alice, amount, prefix);
      const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(issuance, start, start + amount - 1n) });
      await adapter.immobilize({ account: CUSTODY, recordId: block.id, quantity: amount, memo: `deposit-${issuance}` });
      if (issuance === 5001) blockA = block.id;
      else blockB = block.id;
    }

    const ctx = testContext(db);
    indexer = createIndexer(ctx, { client, deployment: platform.deployment, confirmations: 0, name: "watchers-test" });
    await indexer.syncToHead();

    guard = await testGuard(db);
    watchers = createRegistryWatchers(ctx, {
      adapters,
      guard,
      custodyAccount: CUSTODY,
      pollIntervalMs: 100,
      snapshotIntervalMs: 60_000,
      snapshotDebounceMs: 50,
    });
    // The agent is the platform's admin (development account 0), sending through a relayer as the platform does.
    const freezer = createBatchFreezer({ relayer: await testRelayer(0), creditToken: platform.deployment.creditToken });
    reconciler = createReconciler(ctx, { onDiscrepancy: freezer.onDiscrepancy });
  });
  after(async () => {
    await watchers?.stop();
    await sim?.close();
    await db?.drop();
  });

  it("before any snapshot both batches are unobserved; after the writer runs they are compared and clean", async () => {
    const before = await reconcile(db.pool);
    expect(before.summary).to.include({ batches: 2, unobserved: 2, blocks: 0, status: "clean" });

    watchers.start();
    await waitFor(
      async () => (await latestSnapshot(db, PREFIX_A)) !== undefined && (await latestSnapshot(db, PREFIX_B)) !== undefined,
      15_000,
      "first snapshots",
    );
    expect(await latestSnapshot(db, PREFIX_A)).to.deep.equal({ [blockA]: "IMMOBILIZED" });
    expect(await latestSnapshot(db, PREFIX_B)).to.deep.equal({ [blockB]: "IMMOBILIZED" });

    const after = await reconciler.runOnce();
    expect(after).to.include({ batches: 2, unobserved: 0, blocks: 2, status: "clean", total: 0 });
    expect(await isFrozen(batchA)).to.equal(false);
  });

  it("a registry hold: the next snapshot shows it, reconciliation flags status_mismatch and freezes the batch " +
    "on-chain", async () => {
    sim.admin.hold(blockA);
    // No manual snapshot: the poller sees the hold, the applier stores it, a snapshot follows.
    await waitFor(async () => (await latestSnapshot(db, PREFIX_A))?.[blockA] === "ON_HOLD", 15_000, "the hold in a snapshot");

    const summary = await reconciler.runOnce();
    expect(summary.discrepancies).to.include({ status_mismatch: 1, shortfall: 0, ghost_credit: 0 });
    const { rows } = await db.pool.query("SELECT batch_id::text, details FROM discrepancies WHERE run_id = $1", [summary.runId]);
    expect(rows).to.have.length(1);
    expect(rows[0].batch_id).to.equal(batchA.toString());
    expect(rows[0].details.heldBlockIds).to.deep.equal([blockA]);

    expect(await isFrozen(batchA)).to.equal(true);
    expect(await isFrozen(batchB)).to.equal(false);
    const logs = await client.getContractEvents({
      address: platform.deployment.creditToken,
      abi: creditTokenAbi,
      eventName: "BatchFrozen",
      fromBlock: BigInt(platform.deployment.deployBlock),
    });
    const frozen = logs.map((log) => (log as unknown as { args: { batchId: bigint; reasonCode: number } }).args);
    expect(frozen.map(({ batchId, reasonCode }) => ({ batchId, reasonCode }))).to.deep.equal([
      { batchId: batchA, reasonCode: FREEZE_REASON.status_mismatch },
    ]);
  });

  it("a retirement made at the registry outside the platform is a ghost_credit outside retirement and freezes the " +
    "other batch", async () => {
    // The custody account retires 50 units with a memo that is no platform request (not through the platform).
    const outside = await adapter.retire({
      account: CUSTODY,
      recordId: blockB,
      quantity: 50n,
      memo: "OUTSIDE-RETIREMENT-1",
      beneficiary: "Someone",
    });
    const retiredChild = outside.resultRecordIds[0]!;
    await waitFor(
      async () => (await latestSnapshot(db, PREFIX_B))?.[retiredChild] === "RETIRED",
      15_000,
      "the retirement in a snapshot",
    );
    expect(await latestSnapshot(db, PREFIX_B)).to.deep.equal({ [blockB]: "IMMOBILIZED", [retiredChild]: "RETIRED" });

    const summary = await reconciler.runOnce();
    expect(summary.discrepancies).to.include({ ghost_credit: 1, shortfall: 0 });
    const { rows } = await db.pool.query(
      "SELECT details FROM discrepancies WHERE run_id = $1 AND class = 'ghost_credit' AND batch_id = $2",
      [summary.runId, batchB.toString()],
    );
    expect(rows[0].details).to.include({ outsideRetirement: true, retiredOutside: "50", custody: "150", supply: "200" });

    expect(await isFrozen(batchB)).to.equal(true);
    const logs = await client.getContractEvents({
      address: platform.deployment.creditToken,
      abi: creditTokenAbi,
      eventName: "BatchFrozen",
      args: { batchId: batchB },
      fromBlock: BigInt(platform.deployment.deployBlock),
    });
    expect(logs).to.have.length(1);
    expect((logs[0] as unknown as { args: { reasonCode: number } }).args.reasonCode).to.equal(FREEZE_REASON.ghost_credit);
  });

  it("a platform retirement, in flight and then confirmed, stays clean: its memo ties the registry retirement to the " +
    "request", async () => {
    const batchC = batchIdOf(1, PREFIX_C);
    const start = platform.nextSerial();
    await platform.deposit(platform.alice, 100n, PREFIX_C);
    const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(5003, start, start + 99n) });
    await adapter.immobilize({ account: CUSTODY, recordId: block.id, quantity: 100n, memo: "deposit-5003" });
    const request = await platform.requestRetirement(platform.alice, batchC, 40n);
    await indexer.syncToHead();

    // What the registry worker does: retire at the registry with the request id as memo.
    const retirement = await adapter.retire({ account: CUSTODY, recordId: block.id, quantity: 40n, memo: request.requestId });
    const child = retirement.resultRecordIds[0]!;
    await waitFor(
      async () => (await latestSnapshot(db, PREFIX_C))?.[child] === "RETIRED",
      15_000,
      "the retirement in a snapshot",
    );
    await waitFor(
      async () => (await requestRow(db.pool, request.requestId))?.registry_status === "CONFIRMED",
      15_000,
      "the request's registry status",
    );
    expect((await requestRow(db.pool, request.requestId)).registry_reference).to.equal(retirement.operationId);

    const forBatchC = async (runId: string) =>
      (
        await db.pool.query("SELECT class::text FROM discrepancies WHERE run_id = $1 AND batch_id = $2", [
          runId,
          batchC.toString(),
        ])
      ).rows;
    // In flight: supply still 100 (40 held by the bridge), registry custody 60 + 40 retired with the request's memo.
    expect(await forBatchC((await reconciler.runOnce()).runId)).to.deep.equal([]);
    // Confirmed and burned on-chain: supply 60 = custody 60, the retired 40 are the platform's own.
    await platform.confirmRetirement(request);
    await indexer.syncToHead();
    await watchers.snapshots.writeRegistry("VERRA");
    expect(await forBatchC((await reconciler.runOnce()).runId)).to.deep.equal([]);
    expect(await isFrozen(batchC)).to.equal(false);
  });
});
