import { expect } from "chai";
import { type Hex, decodeFunctionData, encodeFunctionData } from "viem";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { creditTokenAbi } from "../../../backend/src/chain/abi";
import { FREEZE_REASON, createBatchFreezer, createReconciler } from "../../../backend/src/reconciliation";
import { type RelayerCall, RelayerRevertError, RelayerTransportError } from "../../../backend/src/relayer";
import { activeBlocks, addBatch, addRegistry, addRequest, address, clearState, requestId, snapshot } from "./fixtures";

const TOKEN = "0x00000000000000000000000000000000000c0de1";

type Call = { address: string; functionName: string; args: readonly unknown[]; data: Hex };

/**
 * A relayer that records the calls it is asked to send (encoding them with the ABI it was given, as the relayer
 * does). `failWith`: the error every send rejects with, as the relayer types it (a decoded revert, a transport error).
 */
function fakeRelayer(options: { failWith?: Error } = {}) {
  const calls: Call[] = [];
  return {
    calls,
    async send(call: RelayerCall) {
      const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args ?? [] } as never);
      calls.push({ address: call.to, functionName: call.functionName, args: call.args ?? [], data });
      if (options.failWith !== undefined) throw options.failWith;
      const hash = `0x${calls.length.toString(16).padStart(64, "0")}` as Hex;
      return { hash, receipt: {} as never, nonce: calls.length, replacements: 0 };
    },
  };
}

describe("reconciler: alerts, freeze hook, schedule", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });

  const context = () => testContext(db);

  /**
   * Batch 1: shortfall and hold; 2: hold; 3: hold but already frozen; 4: ghost credit, burned but active at the
   * registry (no freeze); 5: clean; 6: ghost credit, retired outside the platform (freeze).
   */
  async function plant(): Promise<void> {
    await clearState(db.pool);
    await addRegistry(db.pool);
    await addBatch(db.pool, { batchId: 1n, holders: [[address(1), 500n]] });
    const one = activeBlocks(500n);
    one[0]!.status = "ON_HOLD";
    await snapshot(db.pool, 1n, one.slice(0, 4)); // 100 on hold, 300 active, 100 missing
    await addBatch(db.pool, { batchId: 2n, holders: [[address(1), 300n]] });
    const two = activeBlocks(300n);
    two[1]!.status = "ON_HOLD";
    await snapshot(db.pool, 2n, two);
    await addBatch(db.pool, { batchId: 3n, holders: [[address(1), 300n]], frozen: true });
    const three = activeBlocks(300n);
    three[1]!.status = "CANCELLED";
    await snapshot(db.pool, 3n, three);
    await addBatch(db.pool, { batchId: 4n, holders: [[address(1), 100n]] });
    await addRequest(db.pool, { requestId: requestId(4), batchId: 4n, amount: 50n, chainStatus: "confirmed" });
    await snapshot(db.pool, 4n, activeBlocks(150n));
    await addBatch(db.pool, { batchId: 5n, holders: [[address(1), 100n]] });
    await snapshot(db.pool, 5n, activeBlocks(100n));
    await addBatch(db.pool, { batchId: 6n, holders: [[address(1), 100n]] });
    const six = activeBlocks(100n, 50n);
    six[0]!.status = "RETIRED";
    await snapshot(db.pool, 6n, six);
  }

  it("freezes each affected batch once, with the compiled freezeBatch(uint256,uint16), and counts alerts by class", async () => {
    await plant();
    const ctx = context();
    const wallet = fakeRelayer();
    const freezer = createBatchFreezer({ relayer: wallet, creditToken: TOKEN });
    const seen: string[] = [];
    const reconciler = createReconciler(ctx, {
      onDiscrepancy: [freezer.onDiscrepancy, (d) => void seen.push(`${d.class}:${d.batchId}`)],
    });

    const summary = await reconciler.runOnce();
    expect(summary.discrepancies).to.deep.equal({
      ghost_credit: 2,
      shortfall: 1,
      pending_lag: 0,
      status_mismatch: 3,
      index_drift: 0,
    });
    expect(seen.sort()).to.deep.equal([
      "ghost_credit:4", "ghost_credit:6", "shortfall:1", "status_mismatch:1", "status_mismatch:2", "status_mismatch:3",
    ]);

    expect(wallet.calls.map((call) => call.args[0]).sort()).to.deep.equal([1n, 2n, 6n]);
    expect(wallet.calls.every((call) => call.address === TOKEN && call.functionName === "freezeBatch")).to.equal(true);
    // Batch 1's first discrepancy is the shortfall (inserted before status_mismatch): that is its reason code.
    expect(wallet.calls.find((call) => call.args[0] === 1n)!.args[1]).to.equal(FREEZE_REASON.shortfall);
    expect(wallet.calls.find((call) => call.args[0] === 2n)!.args[1]).to.equal(FREEZE_REASON.status_mismatch);
    expect(wallet.calls.find((call) => call.args[0] === 6n)!.args[1]).to.equal(FREEZE_REASON.ghost_credit);
    // The selector is the contract's: freezeBatch(uint256,uint16).
    expect(wallet.calls[0]!.data.slice(0, 10)).to.equal(
      encodeFunctionData({
        abi: [{ type: "function", name: "freezeBatch", stateMutability: "nonpayable", outputs: [],
          inputs: [{ name: "batchId", type: "uint256" }, { name: "reasonCode", type: "uint16" }] }],
        functionName: "freezeBatch",
        args: [1n, 1],
      }).slice(0, 10),
    );
    expect([...freezer.frozen.keys()].sort()).to.deep.equal(["1", "2", "6"]);

    // The next run finds the same discrepancies and freezes nothing again.
    await reconciler.runOnce();
    expect(wallet.calls).to.have.length(3);

    const metrics = await ctx.metrics.render();
    expect(metrics.body).to.match(/carbon_reconciliation_discrepancies_total\{class="status_mismatch"\} 6/);
    expect(metrics.body).to.match(/carbon_reconciliation_discrepancies_total\{class="shortfall"\} 2/);
    expect(metrics.body).to.match(/carbon_reconciliation_runs_total\{status="discrepancies"\} 2/);
  });

  it("treats a CreditTokenBatchFrozenUnchanged revert (by custom error name) as frozen; other failures are logged and " +
    "retried on the next run", async () => {
    await plant();
    // Named by the decoded custom error, whatever the message says.
    const already = fakeRelayer({
      failWith: new RelayerRevertError({ errorName: "CreditTokenBatchFrozenUnchanged", errorArgs: [1n, true] }),
    });
    const freezer = createBatchFreezer({ relayer: already, creditToken: TOKEN });
    const reconciler = createReconciler(context(), { onDiscrepancy: freezer.onDiscrepancy });
    await reconciler.runOnce();
    expect(freezer.frozen.get("1")).to.equal("already-frozen");
    expect(already.calls).to.have.length(3);

    const broken = fakeRelayer({ failWith: new RelayerTransportError("node unreachable", undefined) });
    const retrying = createBatchFreezer({ relayer: broken, creditToken: TOKEN });
    const second = createReconciler(context(), { onDiscrepancy: retrying.onDiscrepancy });
    const summary = await second.runOnce(); // the hook's failure does not fail the run
    expect(summary.status).to.equal("discrepancies");
    await second.runOnce();
    expect(broken.calls.map((call) => call.args[0]).sort()).to.deep.equal([1n, 1n, 2n, 2n, 6n, 6n]);
    expect(retrying.frozen.size).to.equal(0);
  });

  it("freezeOnOutsideRetirement: false leaves outside retirements to the alert", async () => {
    await plant();
    const wallet = fakeRelayer();
    const freezer = createBatchFreezer({ relayer: wallet, creditToken: TOKEN, freezeOnOutsideRetirement: false });
    await createReconciler(context(), { onDiscrepancy: freezer.onDiscrepancy }).runOnce();
    expect(wallet.calls.map((call) => call.args[0]).sort()).to.deep.equal([1n, 2n]);
  });

  it("decodes as the artifact's freezeBatch", async () => {
    await plant();
    const wallet = fakeRelayer();
    const freezer = createBatchFreezer({ relayer: wallet, creditToken: TOKEN });
    await createReconciler(context(), { onDiscrepancy: freezer.onDiscrepancy }).runOnce();
    const decoded = decodeFunctionData({ abi: creditTokenAbi, data: wallet.calls.find((call) => call.args[0] === 1n)!.data });
    expect(decoded.functionName).to.equal("freezeBatch");
    expect(decoded.args).to.deep.equal([1n, FREEZE_REASON.shortfall]);
  });

  it("runs continuously until stopped, and stops with the shutdown hook", async () => {
    await clearState(db.pool);
    await addRegistry(db.pool);
    await addBatch(db.pool, { batchId: 1n, holders: [[address(1), 100n]] });
    await snapshot(db.pool, 1n, activeBlocks(100n));
    const ctx = context();
    const reconciler = createReconciler(ctx, { intervalMs: 20 });
    reconciler.start();
    const deadline = Date.now() + 20_000;
    let count = 0;
    while (Date.now() < deadline) {
      const { rows } = await db.pool.query<{ count: number }>("SELECT count(*)::int AS count FROM reconciliation_runs");
      count = rows[0]?.count ?? 0;
      if (count >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(count).to.be.at.least(3);
    expect(reconciler.running).to.equal(true);
    expect(await ctx.shutdown.run("test")).to.equal(true);
    expect(reconciler.running).to.equal(false);
    const {
      rows: [after],
    } = await db.pool.query(
      "SELECT count(*)::int AS count, count(*) FILTER (WHERE status = 'running')::int AS running FROM reconciliation_runs",
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { rows: [later] } = await db.pool.query("SELECT count(*)::int AS count FROM reconciliation_runs");
    expect(later.count).to.equal(after.count);
    expect(after.running).to.equal(0);
    expect(reconciler.lastSummary?.status).to.equal("clean");
  });
});
