import { expect } from "chai";
import type { RegistryGuard } from "../../../backend/src/guard";
import type { RegistryPort } from "../../../backend/src/registries/port";
import type { RunningSimulator } from "../../../backend/src/simulators";
import { createChangeApplier, createRegistryPoller, createSnapshotWriter } from "../../../backend/src/watchers";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { CUSTODY, clearWatcherState, startVerra, testGuard, verraPrefix, verraSerial } from "./fixtures";

async function latestBlocks(db: TestDatabase, prefix: string) {
  const { rows } = await db.pool.query(
    `SELECT b.native_id, b.quantity::text, b.status::text AS status, b.memo
       FROM registry_snapshot_blocks b
      WHERE b.snapshot_id = (SELECT id FROM registry_snapshots WHERE serial_prefix = $1 ORDER BY taken_at DESC, id DESC LIMIT 1)
      ORDER BY b.native_id::bigint`,
    [prefix],
  );
  return rows;
}

describe("watchers: custody snapshot writer", () => {
  let db: TestDatabase;
  let guard: RegistryGuard;
  let sim: RunningSimulator;
  let adapter: RegistryPort;
  let adapters: { VERRA: RegistryPort };

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    guard = await testGuard(db);
  });
  beforeEach(async () => {
    await clearWatcherState(db.pool);
    ({ sim, adapter, adapters } = await startVerra());
  });
  afterEach(async () => {
    await sim?.close();
  });
  after(async () => {
    await db?.drop();
  });

  it("a retirement between the listing and the catch-up is not counted twice: the writer lists again", async () => {
    const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(8100, 1n, 300n) });
    await adapter.immobilize({ account: CUSTODY, recordId: block.id, quantity: 300n, memo: "deposit-8100" });
    const ctx = testContext(db);
    const applier = createChangeApplier(ctx, { adapters, guard, custodyAccount: CUSTODY });
    const poller = createRegistryPoller(ctx, { adapters, guard, applier });
    await poller.pollRegistry("VERRA");

    // The registry moves right after the first listing (the listing still shows 300 units live).
    let child: string | undefined;
    const writer = createSnapshotWriter(ctx, {
      adapters,
      guard,
      custodyAccount: CUSTODY,
      catchUp: async (registry) => {
        if (child === undefined) {
          const retirement = await adapter.retire({ account: CUSTODY, recordId: block.id, quantity: 100n, memo: "OUTSIDE-8100" });
          child = retirement.resultRecordIds[0]!;
        }
        return poller.pollRegistry(registry);
      },
    });
    const result = await writer.writeRegistry("VERRA");
    expect(result).to.deep.equal({ written: true, prefixes: 1, blocks: 2, attempts: 2 });
    expect(await latestBlocks(db, verraPrefix(8100))).to.deep.equal([
      { native_id: block.id, quantity: "200", status: "IMMOBILIZED", memo: null },
      { native_id: child, quantity: "100", status: "RETIRED", memo: "OUTSIDE-8100" },
    ]);
  });

  it("blocks that left by transfer are listed as PENDING_TRANSFER with the transfer's memo, as they left; every batch " +
    "gets a snapshot", async () => {
    await db.pool.query("INSERT INTO registries (id, name) VALUES ('VERRA', 'VERRA')");
    await db.pool.query("INSERT INTO batches (batch_id, registry_id, serial_prefix) VALUES (1, 'VERRA', $1)", [
      verraPrefix(8300),
    ]);
    const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(8200, 1n, 50n) });
    const transfer = await adapter.transfer({
      fromAccount: CUSTODY,
      toAccount: "HOLDER-1",
      recordId: block.id,
      quantity: 50n,
      memo: "withdrawal-1",
    });
    const ctx = testContext(db);
    const applier = createChangeApplier(ctx, { adapters, guard, custodyAccount: CUSTODY });
    const poller = createRegistryPoller(ctx, { adapters, guard, applier });
    const writer = createSnapshotWriter(ctx, {
      adapters,
      guard,
      custodyAccount: CUSTODY,
      catchUp: (registry) => poller.pollRegistry(registry),
    });
    expect(await writer.writeRegistry("VERRA")).to.deep.include({ written: true, prefixes: 2 });
    // The whole block left (same record id, now the holder's): gone from custody, with the transfer's memo.
    expect(transfer.resultRecordIds).to.deep.equal([block.id]);
    expect(await latestBlocks(db, verraPrefix(8200))).to.deep.equal([
      { native_id: block.id, quantity: "50", status: "PENDING_TRANSFER", memo: "withdrawal-1" },
    ]);
    // A batch with nothing in custody gets an empty snapshot (observed zero), not none (unobserved).
    const { rows } = await db.pool.query("SELECT units::text FROM registry_snapshots WHERE serial_prefix = $1", [
      verraPrefix(8300),
    ]);
    expect(rows).to.deep.equal([{ units: "0" }]);
    expect(await latestBlocks(db, verraPrefix(8300))).to.deep.equal([]);
    const { rows: registry } = await db.pool.query("SELECT custody_account FROM registries WHERE id = 'VERRA'");
    expect(registry).to.deep.equal([{ custody_account: CUSTODY }]);

    // What the holder does with it afterwards (retiring part of it at their own account) does not change what left.
    await adapter.retire({ account: "HOLDER-1", recordId: block.id, quantity: 20n, memo: "holder-own-retirement" });
    expect(await writer.writeRegistry("VERRA")).to.deep.include({ written: true });
    expect(await latestBlocks(db, verraPrefix(8200))).to.deep.equal([
      { native_id: block.id, quantity: "50", status: "PENDING_TRANSFER", memo: "withdrawal-1" },
    ]);
  });
});
