import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toHex } from "viem";
import { depositHintsOf } from "../../backend/src/chain/deposits";
import { deployPlatformFixture } from "../support/platformFixture";

/**
 * The bridge refuses overlapping serial blocks itself (issue 12 §3.3): per batch a sorted linked list of the
 * deposited blocks, checked against the new block's neighbours; and a withdrawal can release only a block of its
 * own batch holding exactly its units (§3.2).
 */
describe("RegistryBridge: deposited serial blocks", () => {
  async function fixture() {
    const f = await deployPlatformFixture();
    const a = await f.deposit(f.alice.address, 1_000n, { blockStart: 1_000n, blockEnd: 1_999n });
    const other = await f.deposit(f.bob.address, 500n, { serialPrefix: "VCS-OTHER-2021", blockStart: 5_000n, blockEnd: 5_499n });
    let n = 0;
    /** A deposit message of `[blockStart, blockEnd]` in the fixture batch (or `serialPrefix`) under a fresh id. */
    const block = (blockStart: bigint, blockEnd: bigint, serialPrefix?: string) =>
      f.depositMessage(f.carol.address, 0n, {
        blockStart,
        blockEnd,
        depositId: keccak256(toHex(`range-${++n}`)),
        ...(serialPrefix === undefined ? {} : { serialPrefix }),
      });
    const confirm = async (m: ReturnType<typeof block>, hint = 0n) =>
      f.registryBridge.connect(f.relayer).confirmDeposit(m, await f.quorum("DepositConfirmed", m), hint);
    return { ...f, a, other, block, confirm };
  }

  it("refuses a block overlapping a deposited one of the same batch; adjacent blocks and other batches are fine", async () => {
    const f = await loadFixture(fixture);
    const batchId = f.a.batchId;
    for (const [start, end] of [
      [1_500n, 2_499n],
      [500n, 1_000n],
      [1_999n, 1_999n],
      [900n, 2_100n],
      [1_200n, 1_300n],
      [1_000n, 1_999n],
    ]) {
      await expect(f.confirm(f.block(start!, end!)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeBlockOverlaps")
        .withArgs(batchId, start, end, 1_000n, 1_999n);
    }
    expect(await f.creditToken.totalSupply(batchId)).to.equal(1_000n);
    await f.confirm(f.block(2_000n, 2_099n), 1_000n); // just above
    await f.confirm(f.block(900n, 999n)); // just below, new lowest
    await f.confirm(f.block(1_200n, 1_300n, "VCS-THIRD-2021")); // the same numbers in another batch
    const [starts, ends] = await f.registryBridge.depositedBlocksOf(batchId);
    expect([...starts]).to.deep.equal([900n, 1_000n, 2_000n]);
    expect([...ends]).to.deep.equal([999n, 1_999n, 2_099n]);
    // between two deposited blocks, overlapping the upper one: named in the error
    await expect(f.confirm(f.block(2_050n, 2_200n), 1_000n))
      .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeBlockOverlaps")
      .withArgs(batchId, 2_050n, 2_200n, 2_000n, 2_099n);
  });

  it("a withdrawal confirmation cannot release the serial block of units it did not withdraw", async () => {
    const f = await loadFixture(fixture);
    const w = await f.requestWithdrawal(f.alice, f.a.batchId, 10n);
    // bob's block of another batch, named for alice's 10 units: not the request's size, refused
    const named = f.withdrawalConfirmation(w, f.other.message);
    await expect(f.registryBridge.confirmWithdrawal(named, await f.quorum("WithdrawalConfirmed", named)))
      .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeWithdrawalRangeMismatch")
      .withArgs(w.requestId, 5_000n, 5_499n, 10n);
    // 10 units numbered inside bob's block: only the request's own batch is looked at, nothing is released
    const c = f.withdrawalConfirmation(w, { blockStart: 5_000n, blockEnd: 5_009n });
    await expect(f.registryBridge.confirmWithdrawal(c, await f.quorum("WithdrawalConfirmed", c))).not.to.emit(
      f.registryBridge,
      "BlockKeyReleased",
    );
    expect(await f.registryBridge.isBlockDeposited(f.other.batchId, 5_000n, 5_499n)).to.equal(true);
    const again = f.block(5_000n, 5_499n, "VCS-OTHER-2021");
    await expect(f.confirm(again))
      .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeBlockOverlaps")
      .withArgs(f.other.batchId, 5_000n, 5_499n, 5_000n, 5_499n);
  });

  it("a full withdrawal unlinks its block (lowest, middle, highest); the block may be deposited again", async () => {
    const f = await loadFixture(fixture);
    const batchId = f.a.batchId;
    await f.confirm(f.block(3_000n, 3_009n), 1_000n);
    await f.confirm(f.block(4_000n, 4_009n), 3_000n);
    const listed = async () => (await f.registryBridge.depositedBlocksOf(batchId))[0].map(BigInt);
    const release = async (start: bigint, end: bigint, from = f.carol) => {
      const w = await f.requestWithdrawal(from, batchId, end - start + 1n);
      const c = f.withdrawalConfirmation(w, { blockStart: start, blockEnd: end });
      await expect(f.registryBridge.confirmWithdrawal(c, await f.quorum("WithdrawalConfirmed", c)))
        .to.emit(f.registryBridge, "BlockKeyReleased")
        .withArgs(await f.registryBridge.blockKeyOf(batchId, start, end), w.requestId);
    };
    await release(3_000n, 3_009n); // middle
    expect(await listed()).to.deep.equal([1_000n, 4_000n]);
    await release(1_000n, 1_999n, f.alice); // lowest
    expect(await listed()).to.deep.equal([4_000n]);
    await release(4_000n, 4_009n); // the last one
    expect(await listed()).to.deep.equal([]);
    await f.confirm(f.block(1_000n, 1_999n));
    await f.confirm(f.block(3_000n, 4_009n), 1_000n); // spans what were two blocks
    expect(await listed()).to.deep.equal([1_000n, 3_000n]);
  });

  it("any hint gives the same outcome; the nearest block below saves a read per block it skips", async () => {
    const f = await loadFixture(fixture);
    const batchId = f.a.batchId;
    for (let i = 0n; i < 12n; i += 1n) await f.confirm(f.block(10_000n + i * 100n, 10_009n + i * 100n));
    expect(await f.registryBridge.depositHintOf(batchId, 10_550n)).to.equal(10_500n);
    expect(await f.registryBridge.depositHintOf(batchId, 999n)).to.equal(0n);
    const exact = await (await f.confirm(f.block(10_550n, 10_559n), 10_500n)).wait();
    const lower = await (await f.confirm(f.block(10_650n, 10_659n), 1_000n)).wait();
    const none = await (await f.confirm(f.block(10_750n, 10_759n), 0n)).wait();
    const above = await (await f.confirm(f.block(10_850n, 10_859n), 11_100n)).wait(); // not below: from the lowest
    expect(exact!.gasUsed < lower!.gasUsed && lower!.gasUsed < none!.gasUsed, "exact < lower < none").to.equal(true);
    expect(above!.gasUsed > exact!.gasUsed).to.equal(true);
    // the walk from the hint still finds the overlap
    await expect(f.confirm(f.block(10_555n, 10_560n), 1_000n))
      .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeBlockOverlaps")
      .withArgs(batchId, 10_555n, 10_560n, 10_550n, 10_559n);
  });

  it("confirmDeposits with depositHintsOf: a later item's nearest block may be an earlier item of the same call", async () => {
    const f = await loadFixture(fixture);
    const items = [
      f.block(2_100n, 2_199n),
      f.block(2_300n, 2_399n),
      f.block(2_200n, 2_249n),
      f.block(7_000n, 7_009n, "VCS-OTHER-2021"),
    ];
    const hintOnChain = async (batchId: bigint, start: bigint) => f.registryBridge.depositHintOf(batchId, start);
    const hints = await depositHintsOf({ deposits: items, hintOnChain });
    expect(hints).to.deep.equal([1_000n, 2_100n, 2_100n, 5_000n]);
    await f.registryBridge.connect(f.relayer).confirmDeposits(items, await f.quorum("DepositConfirmedBatch", { items }), hints);
    const [starts] = await f.registryBridge.depositedBlocksOf(f.a.batchId);
    expect([...starts]).to.deep.equal([1_000n, 2_100n, 2_200n, 2_300n]);
    // an overlap inside one call is refused like any other
    const clash = [f.block(8_000n, 8_099n), f.block(8_050n, 8_149n)];
    await expect(
      f.registryBridge
        .connect(f.relayer)
        .confirmDeposits(clash, await f.quorum("DepositConfirmedBatch", { items: clash }), [2_300n, 8_000n]),
    )
      .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeBlockOverlaps")
      .withArgs(f.a.batchId, 8_050n, 8_149n, 8_000n, 8_099n);
  });
});
