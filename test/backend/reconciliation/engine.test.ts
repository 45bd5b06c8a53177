import { expect } from "chai";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type DiscrepancyRecord, reconcile } from "../../../backend/src/reconciliation";
import {
  BRIDGE,
  activeBlocks,
  addBatch,
  addPendingDeposit,
  addRegistry,
  addRequest,
  address,
  clearState,
  requestId,
  snapshot,
} from "./fixtures";

const HOUR_AGO = new Date(Date.now() - 3_600_000);

describe("reconciliation engine (SQL)", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });

  beforeEach(async () => {
    await clearState(db.pool);
    await addRegistry(db.pool);
  });

  /** Two healthy batches: 1 (500 units, two holders) and 2 (300 units). */
  async function healthy(): Promise<void> {
    await addBatch(db.pool, { batchId: 1n, holders: [[address(1), 400n], [address(2), 100n]] });
    await snapshot(db.pool, 1n, activeBlocks(500n));
    await addBatch(db.pool, { batchId: 2n, holders: [[address(3), 300n]] });
    await snapshot(db.pool, 2n, activeBlocks(300n));
  }

  function only(found: DiscrepancyRecord[], cls: string): DiscrepancyRecord {
    expect(found.map((d) => `${d.class}:${d.batchId}`), JSON.stringify(found)).to.have.length(1);
    const [d] = found;
    expect(d!.class).to.equal(cls);
    return d!;
  }

  it("a clean state yields zero discrepancies and a stored clean run", async () => {
    await healthy();
    const { summary, found } = await reconcile(db.pool);
    expect(found).to.deep.equal([]);
    expect(summary).to.include({ status: "clean", batches: 2, blocks: 8, total: 0 });
    expect(summary.discrepancies).to.deep.equal({
      ghost_credit: 0,
      shortfall: 0,
      pending_lag: 0,
      status_mismatch: 0,
      index_drift: 0,
    });
    const { rows } = await db.pool.query("SELECT status::text, summary, finished_at FROM reconciliation_runs WHERE id = $1", [
      summary.runId,
    ]);
    expect(rows[0].status).to.equal("clean");
    expect(rows[0].summary.batches).to.equal(2);
    expect(rows[0].finished_at).to.be.instanceOf(Date);
  });

  it("uses only the latest snapshot of the custody account", async () => {
    await healthy();
    // An older snapshot with less, and a newer one of another account: neither counts.
    await snapshot(db.pool, 1n, activeBlocks(10n), { takenAt: new Date(Date.now() - 86_400_000) });
    await snapshot(db.pool, 1n, activeBlocks(7n), { account: "SOMEONE-ELSE", takenAt: new Date(Date.now() + 60_000) });
    const { found } = await reconcile(db.pool);
    expect(found).to.deep.equal([]);
  });

  it("shortfall: a block transferred out of custody is found once, with the numbers", async () => {
    await healthy();
    const blocks = activeBlocks(500n);
    await snapshot(db.pool, 1n, blocks.slice(1)); // block b0 (100 units) is gone
    const { summary, found } = await reconcile(db.pool);
    const d = only(found, "shortfall");
    expect(d).to.include({ batchId: "1", registryId: "VERRA", expected: "500", actual: "400" });
    expect(d.details).to.include({ supply: "500", custody: "400", missingUnits: "100", expectedCustody: "500", frozen: false });
    expect(summary.discrepancies.shortfall).to.equal(1);
    expect(summary.status).to.equal("discrepancies");
    const { rows } = await db.pool.query("SELECT class::text, batch_id::text, details FROM discrepancies WHERE run_id = $1", [
      summary.runId,
    ]);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ class: "shortfall", batch_id: "1" });
    expect(rows[0].details.missingUnits).to.equal("100");
  });

  it("shortfall: an empty snapshot is observed zero; no snapshot at all is unobserved, not compared", async () => {
    await addBatch(db.pool, { batchId: 7n, holders: [[address(1), 50n]] });
    const unobserved = await reconcile(db.pool);
    expect(unobserved.found).to.deep.equal([]);
    expect(unobserved.summary).to.include({ unobserved: 1, status: "clean" });
    await snapshot(db.pool, 7n, []);
    const { found, summary } = await reconcile(db.pool);
    const d = only(found, "shortfall");
    expect(d).to.include({ batchId: "7", expected: "50", actual: "0" });
    expect(d.details).to.include({ missingUnits: "50", blocks: 0 });
    expect(summary.unobserved).to.equal(0);
  });

  it("status_mismatch: a registry hold on a block backing supply", async () => {
    await healthy();
    const blocks = activeBlocks(300n, 100n, 1_000n);
    blocks[2]!.status = "ON_HOLD";
    await snapshot(db.pool, 2n, blocks);
    const d = only((await reconcile(db.pool)).found, "status_mismatch");
    expect(d).to.include({ batchId: "2", expected: "300", actual: "200" });
    expect(d.details).to.include({ onHold: "100", cancelled: "0" });
    expect(d.details.heldBlockIds).to.deep.equal(["b2"]);
  });

  it("status_mismatch: a cancellation", async () => {
    await healthy();
    const blocks = activeBlocks(500n);
    blocks[0]!.status = "CANCELLED";
    await snapshot(db.pool, 1n, blocks);
    const d = only((await reconcile(db.pool)).found, "status_mismatch");
    expect(d.details).to.include({ cancelled: "100", onHold: "0" });
  });

  it("ghost_credit: a retirement outside the platform (no memo, or the memo of no platform request)", async () => {
    await healthy();
    const blocks = activeBlocks(500n);
    blocks[0]!.status = "RETIRED";
    blocks[1]!.status = "RETIRED";
    blocks[1]!.memo = requestId(999); // no such request
    await snapshot(db.pool, 1n, blocks);
    const d = only((await reconcile(db.pool)).found, "ghost_credit");
    expect(d).to.include({ batchId: "1", expected: "500", actual: "300" });
    expect(d.details).to.include({ retiredOutside: "200", outsideRetirement: true, surplusUnits: "0" });
  });

  it("ghost_credit: units burned on-chain that the registry still shows active in custody", async () => {
    // Batch 1 burned 100 (confirmed retirement) but the registry never retired them: supply 400, custody 500.
    await addBatch(db.pool, { batchId: 1n, holders: [[address(1), 400n]] });
    await addRequest(db.pool, { requestId: requestId(1), batchId: 1n, amount: 100n, chainStatus: "confirmed" });
    await snapshot(db.pool, 1n, activeBlocks(500n));
    const d = only((await reconcile(db.pool)).found, "ghost_credit");
    expect(d).to.include({ batchId: "1", expected: "400", actual: "500" });
    expect(d.details).to.include({ surplusUnits: "100", outsideRetirement: false });
  });

  it("a retirement a rejected request's memo names is an outside retirement", async () => {
    await healthy();
    await addRequest(db.pool, { requestId: requestId(5), batchId: 1n, amount: 100n, chainStatus: "rejected" });
    const blocks = activeBlocks(500n);
    blocks[0]!.status = "RETIRED";
    blocks[0]!.memo = requestId(5);
    await snapshot(db.pool, 1n, blocks);
    const d = only((await reconcile(db.pool)).found, "ghost_credit");
    expect(d.details).to.include({ retiredOutside: "100" });
  });

  it("in-flight and finished platform operations are clean: pending (fresh), confirmed, pending deposit", async () => {
    // Batch 1: 500 minted; request A (100, pending, registry already retired: fresh), request B (50, confirmed and
    // burned: supply 450 after it). Custody: 300 active + 100 retired memo A + 50 retired memo B, plus 70 units of a
    // pending deposit. Expected custody T = 450 - 100 = 350... with the deposit: C = 350 + 70 is no surplus.
    await addBatch(db.pool, { batchId: 1n, holders: [[address(1), 350n], [BRIDGE, 100n]] });
    await addRequest(db.pool, { requestId: requestId(0xa), batchId: 1n, amount: 100n, chainStatus: "pending" });
    await addRequest(db.pool, { requestId: requestId(0xb), batchId: 1n, amount: 50n, chainStatus: "confirmed" });
    await addPendingDeposit(db.pool, 1n, 9_000n, 70n);
    const blocks = activeBlocks(420n, 70n);
    blocks.push({ nativeId: "ra", quantity: 100n, status: "RETIRED", memo: requestId(0xa).toUpperCase().replace("0X", "0x") });
    blocks.push({ nativeId: "rb", quantity: 50n, status: "RETIRED", memo: requestId(0xb) });
    await snapshot(db.pool, 1n, blocks);
    const { found, summary } = await reconcile(db.pool);
    expect(found).to.deep.equal([]);
    expect(summary.blocks).to.equal(8);
  });

  it("a pending withdrawal whose block left custody (PENDING_TRANSFER with its memo) is not a shortfall", async () => {
    await addBatch(db.pool, { batchId: 3n, holders: [[address(1), 200n], [BRIDGE, 100n]] });
    await addRequest(db.pool, { requestId: requestId(3), batchId: 3n, amount: 100n, kind: "withdrawal" });
    const blocks = activeBlocks(300n);
    blocks[0]!.status = "PENDING_TRANSFER";
    blocks[0]!.memo = requestId(3);
    await snapshot(db.pool, 3n, blocks);
    expect((await reconcile(db.pool)).found).to.deep.equal([]);
  });

  it("pending_lag: a request pending past the threshold while the registry already retired it", async () => {
    await addBatch(db.pool, { batchId: 1n, holders: [[address(1), 400n], [BRIDGE, 100n]] });
    await addRequest(db.pool, { requestId: requestId(0x11), batchId: 1n, amount: 100n, createdAt: HOUR_AGO });
    // Pending past the threshold but the registry has not done it yet: not a lag (the worker's business).
    await addRequest(db.pool, { requestId: requestId(0x12), batchId: 1n, amount: 1n, createdAt: HOUR_AGO });
    const blocks = activeBlocks(400n);
    blocks.push({ nativeId: "r", quantity: 100n, status: "RETIRED", memo: requestId(0x11) });
    await snapshot(db.pool, 1n, blocks);
    const d = only((await reconcile(db.pool, { pendingLagMs: 60_000 })).found, "pending_lag");
    expect(d).to.include({ batchId: "1", expected: "100", actual: "100" });
    expect(d.details).to.deep.include({ requests: 1, requestIds: [requestId(0x11)], thresholdMs: 60_000 });
    // Under a longer threshold it is not late yet.
    expect((await reconcile(db.pool, { pendingLagMs: 7_200_000 })).found).to.deep.equal([]);
  });

  it("index_drift: total_supply disagrees with the events and the balances", async () => {
    await healthy();
    await db.pool.query("UPDATE batches SET total_supply = 520 WHERE batch_id = 1");
    await db.pool.query(
      "UPDATE registry_snapshot_blocks SET quantity = 120, block_end = block_start + 119 WHERE native_id = 'b0' AND " +
        "snapshot_id = (SELECT max(id) FROM registry_snapshots WHERE serial_prefix = 'P1')",
    );
    const d = only((await reconcile(db.pool)).found, "index_drift");
    expect(d).to.include({ batchId: "1", expected: "500", actual: "520" });
    expect(d.details).to.include({
      supply: "520",
      eventSupply: "500",
      balancesSum: "500",
      holderMismatches: 0,
      batchIndexed: true,
    });
  });

  it("index_drift: one holder's balance differs from the events (sums still equal)", async () => {
    await healthy();
    await db.pool.query("UPDATE balances SET amount = amount + 10 WHERE batch_id = 1 AND holder = $1", [address(1)]);
    await db.pool.query("UPDATE balances SET amount = amount - 10 WHERE batch_id = 1 AND holder = $1", [address(2)]);
    const d = only((await reconcile(db.pool)).found, "index_drift");
    expect(d.details).to.include({ holderMismatches: 2, balancesSum: "500" });
  });

  it("index_drift: TransferBatch events count too", async () => {
    await healthy();
    await db.pool.query(
      `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args)
       VALUES (99, $1, $2, 0, $3, 'TransferBatch', $4::jsonb)`,
      [`0x${"1".repeat(64)}`, `0x${"2".repeat(64)}`, address(0xc7),
        JSON.stringify({ operator: BRIDGE, from: address(1), to: address(2), ids: ["1", "2"], values: ["5", "0"] })],
    );
    const d = only((await reconcile(db.pool)).found, "index_drift");
    expect(d).to.include({ batchId: "1" });
    expect(d.details).to.include({ holderMismatches: 2, supply: "500", eventSupply: "500" });
    await db.pool.query("UPDATE balances SET amount = amount - 5 WHERE batch_id = 1 AND holder = $1", [address(1)]);
    await db.pool.query("UPDATE balances SET amount = amount + 5 WHERE batch_id = 1 AND holder = $1", [address(2)]);
    expect((await reconcile(db.pool)).found).to.deep.equal([]);
  });

  it("index_drift: events of a batch the index has no row for", async () => {
    await healthy();
    await db.pool.query(
      `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args)
       VALUES (99, $1, $2, 0, $3, 'TransferSingle', $4::jsonb)`,
      [
        `0x${"3".repeat(64)}`,
        `0x${"4".repeat(64)}`,
        address(0xc7),
        JSON.stringify({
          operator: BRIDGE,
          from: "0x0000000000000000000000000000000000000000",
          to: address(1),
          id: "42",
          value: "9",
        }),
      ],
    );
    const d = only((await reconcile(db.pool)).found, "index_drift");
    expect(d).to.include({ batchId: "42", registryId: null, expected: "9", actual: "0" });
    expect(d.details).to.include({ batchIndexed: false, eventSupply: "9", holderMismatches: 1 });
  });

  it("an empty database is clean", async () => {
    await clearState(db.pool);
    const { summary } = await reconcile(db.pool);
    expect(summary).to.include({ status: "clean", batches: 0, blocks: 0, total: 0 });
  });

  it("stores every run and its discrepancies", async () => {
    await healthy();
    const first = await reconcile(db.pool);
    await snapshot(db.pool, 2n, activeBlocks(250n));
    const second = await reconcile(db.pool);
    const { rows: runs } = await db.pool.query("SELECT id::text, status::text FROM reconciliation_runs ORDER BY id");
    expect(runs).to.deep.equal([
      { id: first.summary.runId, status: "clean" },
      { id: second.summary.runId, status: "discrepancies" },
    ]);
    const { rows } = await db.pool.query(
      "SELECT run_id::text, class::text, batch_id::text, expected::text, actual::text FROM discrepancies",
    );
    expect(rows).to.deep.equal([
      { run_id: second.summary.runId, class: "shortfall", batch_id: "2", expected: "300", actual: "250" },
    ]);
    // Still found by the next run: the earlier row stays open. Fixed: every open row of it is resolved.
    const third = await reconcile(db.pool);
    expect(third.summary).to.include({ total: 1, resolved: 0 });
    await snapshot(db.pool, 2n, activeBlocks(300n));
    const fourth = await reconcile(db.pool);
    expect(fourth.summary).to.include({ status: "clean", resolved: 2 });
    const { rows: open } = await db.pool.query("SELECT count(*)::int AS n FROM discrepancies WHERE resolved_at IS NULL");
    expect(open[0].n).to.equal(0);
  });

  it("a failing run is stored as failed with the error", async () => {
    await healthy();
    await db.pool.query(
      "UPDATE chain_events SET args = jsonb_set(args, '{value}', '\"not a number\"') WHERE id = (SELECT min(id) FROM " +
        "chain_events)",
    );
    let failed: unknown;
    try {
      await reconcile(db.pool);
    } catch (error) {
      failed = error;
    }
    expect(failed).to.be.instanceOf(Error);
    const { rows } = await db.pool.query("SELECT status::text, error FROM reconciliation_runs ORDER BY id DESC LIMIT 1");
    expect(rows[0].status).to.equal("failed");
    expect(rows[0].error).to.match(/numeric/);
  });
});
