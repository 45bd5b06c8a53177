import { expect } from "chai";
import { testChain, testPublicClient, testRelayer, useAutomine } from "../../support/chain";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { deployTestPlatform } from "../support/platform";
import { creditTokenAbi } from "../../../backend/src/chain/abi";
import { FREEZE_REASON, createBatchFreezer, createReconciler } from "../../../backend/src/reconciliation";
import { activeBlocks, addBatch, addRegistry, clearState, snapshot } from "./fixtures";

describe("reconciliation freezer on the embedded chain", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await useAutomine();
  });
  after(async () => {
    await db?.drop();
  });

  it("a registry hold freezes the batch on-chain once (agent's freezeBatch); a second freezer sees it frozen", async () => {
    const platform = await deployTestPlatform();
    const { hre } = await testChain();
    const { ethers } = hre as unknown as { ethers: typeof import("hardhat").ethers };
    const [, , , , , alice] = await ethers.getSigners();
    const { batchId } = await platform.deposit(alice!, 300n);
    const creditToken = platform.deployment.creditToken;
    const publicClient = await testPublicClient();
    const relayer = await testRelayer(0); // the platform's admin holds the agent role

    // The index and the custody snapshot of that batch, with one block on hold at the registry.
    await clearState(db.pool);
    await addRegistry(db.pool);
    await addBatch(db.pool, { batchId, holders: [[alice!.address.toLowerCase(), 300n]] });
    const blocks = activeBlocks(300n);
    blocks[1]!.status = "ON_HOLD";
    await snapshot(db.pool, batchId, blocks);

    const ctx = testContext(db);
    const freezer = createBatchFreezer({ relayer, creditToken });
    const reconciler = createReconciler(ctx, { onDiscrepancy: freezer.onDiscrepancy });
    const summary = await reconciler.runOnce();
    expect(summary.discrepancies.status_mismatch).to.equal(1);

    const abi = creditTokenAbi;
    expect(
      await publicClient.readContract({ address: creditToken, abi, functionName: "isBatchFrozen", args: [batchId] }),
    ).to.equal(true);
    const txHash = freezer.frozen.get(batchId.toString());
    expect(txHash).to.match(/^0x[0-9a-f]{64}$/);
    const logs = await publicClient.getContractEvents({ address: creditToken, abi, eventName: "BatchFrozen", fromBlock: 0n });
    expect(logs).to.have.length(1);
    expect((logs[0] as unknown as { args: { batchId: bigint; reasonCode: number } }).args).to.include({
      batchId,
      reasonCode: FREEZE_REASON.status_mismatch,
    });

    // Same freezer, next run: nothing sent. A fresh freezer (restarted process) meets CreditTokenBatchFrozenUnchanged.
    await reconciler.runOnce();
    const fresh = createBatchFreezer({ relayer: await testRelayer(0), creditToken });
    await createReconciler(ctx, { onDiscrepancy: fresh.onDiscrepancy }).runOnce();
    expect(fresh.frozen.get(batchId.toString())).to.equal("already-frozen");
    const after = await publicClient.getContractEvents({ address: creditToken, abi, eventName: "BatchFrozen", fromBlock: 0n });
    expect(after).to.have.length(1);
  });
});
