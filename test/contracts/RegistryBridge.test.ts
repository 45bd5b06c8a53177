import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { type Hex, keccak256, toHex } from "viem";
import { RESERVE_SHORTFALL_REASON } from "../../backend/src/chain/attestations";
import { DETAILS, deployPlatformFixture, REGISTRY_GOLD, REGISTRY_VERRA, REQUEST_WINDOW } from "../support/platformFixture";

const KIND = { None: 0, Retirement: 1, Withdrawal: 2 } as const;
const STATUS = { None: 0, Pending: 1, Confirmed: 2, Rejected: 3 } as const;

describe("RegistryBridge", () => {
  async function fixture() {
    const f = await deployPlatformFixture();
    const { batchId, blockKey, message } = await f.deposit(f.alice.address, 1_000n);
    await f.deposit(f.bob.address, 500n);
    return { ...f, batchId, blockKey, firstDeposit: message };
  }

  describe("constructor", () => {
    it("announces the first oracle set as epoch 1", async () => {
      const { oracles, admin, addresses } = await loadFixture(fixture);
      const set = oracles.map((o) => o.address);
      const bridge = await (
        await ethers.getContractFactory("RegistryBridge")
      ).deploy(addresses.creditToken, admin.address, set, 2, 60);
      await expect(bridge.deploymentTransaction()).to.emit(bridge, "OracleSetUpdated").withArgs(1, set, 2);
    });

    it("refuses a zero token or admin and an invalid oracle set", async () => {
      const { oracles, admin, addresses } = await loadFixture(fixture);
      const factory = await ethers.getContractFactory("RegistryBridge");
      const set = oracles.map((o) => o.address);
      await expect(factory.deploy(ethers.ZeroAddress, admin.address, set, 2, 60)).to.be.revertedWithCustomError(
        factory,
        "RegistryBridgeZeroAddress",
      );
      await expect(factory.deploy(addresses.creditToken, ethers.ZeroAddress, set, 2, 60)).to.be.revertedWithCustomError(
        factory,
        "RegistryBridgeZeroAddress",
      );
      await expect(factory.deploy(addresses.creditToken, admin.address, set.slice(0, 1), 1, 60))
        .to.be.revertedWithCustomError(factory, "RegistryBridgeInvalidOracleSet")
        .withArgs(1, 1);
    });
  });

  describe("confirmDeposit", () => {
    it("registers a new batch, takes the deposit id and block key and mints to the holder", async () => {
      const f = await loadFixture(fixture);
      const m = f.depositMessage(f.carol.address, 250n, { registryId: REGISTRY_GOLD, serialPrefix: "GS1-1-BR-GS9-9-2018" });
      const batchId = await f.creditToken.batchIdOf(m.registryId, m.serialPrefix);
      const blockKey = await f.registryBridge.blockKeyOf(batchId, m.blockStart, m.blockEnd);
      const tx = f.registryBridge.connect(f.relayer).confirmDeposit(m, await f.quorum("DepositConfirmed", m), 0n);
      await expect(tx)
        .to.emit(f.registryBridge, "DepositConfirmed")
        .withArgs(m.depositId, m.holder, batchId, blockKey, m.blockStart, m.blockEnd);
      await expect(tx)
        .to.emit(f.creditToken, "BatchRegistered")
        .withArgs(batchId, m.registryId, m.projectId, m.vintage, m.unitType, m.serialPrefix);
      await expect(tx)
        .to.emit(f.creditToken, "TransferSingle")
        .withArgs(f.addresses.registryBridge, ethers.ZeroAddress, f.carol.address, batchId, 250n);
      expect(await f.creditToken.balanceOf(f.carol.address, batchId)).to.equal(250n);
      expect(await f.registryBridge.isDepositUsed(m.depositId)).to.equal(true);
      expect(await f.registryBridge.isBlockDeposited(batchId, m.blockStart, m.blockEnd)).to.equal(true);
    });

    it("adds to an existing batch without registering it again", async () => {
      const f = await loadFixture(fixture);
      const m = f.depositMessage(f.alice.address, 10n);
      const tx = f.registryBridge.confirmDeposit(m, await f.quorum("DepositConfirmed", m), 0n);
      await expect(tx).not.to.emit(f.creditToken, "BatchRegistered");
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(1_510n);
    });

    it("refuses a serial block deposited twice, even under a fresh deposit id", async () => {
      const f = await loadFixture(fixture);
      const again = f.depositMessage(f.bob.address, 0n, {
        blockStart: f.firstDeposit.blockStart,
        blockEnd: f.firstDeposit.blockEnd,
        depositId: keccak256(toHex("another deposit")),
      });
      await expect(f.registryBridge.confirmDeposit(again, await f.quorum("DepositConfirmed", again), 0n))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeBlockOverlaps")
        .withArgs(f.batchId, again.blockStart, again.blockEnd, f.firstDeposit.blockStart, f.firstDeposit.blockEnd);
    });

    it("refuses a reused deposit id, an inverted block, registry 0, an ineligible holder, a frozen batch", async () => {
      const f = await loadFixture(fixture);
      const cases: [Parameters<typeof f.depositMessage>[2], string, unknown[]][] = [
        [{ depositId: f.firstDeposit.depositId }, "RegistryBridgeDepositAlreadyUsed", [f.firstDeposit.depositId]],
        [{ blockStart: 50n, blockEnd: 49n }, "RegistryBridgeInvalidBlock", [50n, 49n]],
        [{ registryId: 0 }, "RegistryBridgeInvalidRegistry", [0]],
      ];
      for (const [o, error, args] of cases) {
        const m = f.depositMessage(f.alice.address, 5n, o);
        await expect(f.registryBridge.confirmDeposit(m, await f.quorum("DepositConfirmed", m), 0n))
          .to.be.revertedWithCustomError(f.registryBridge, error)
          .withArgs(...args);
      }
      const stranger = f.depositMessage(f.outsider.address, 5n);
      await expect(f.registryBridge.confirmDeposit(stranger, await f.quorum("DepositConfirmed", stranger), 0n))
        .to.be.revertedWithCustomError(f.identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(f.outsider.address);
      await f.creditToken.connect(f.agent).freezeBatch(f.batchId, 3);
      const frozen = f.depositMessage(f.alice.address, 5n);
      await expect(f.registryBridge.confirmDeposit(frozen, await f.quorum("DepositConfirmed", frozen), 0n))
        .to.be.revertedWithCustomError(f.creditToken, "CreditTokenBatchFrozen")
        .withArgs(f.batchId);
    });

    it("confirms many deposits under one quorum (confirmDeposits) and refuses an empty batch", async () => {
      const f = await loadFixture(fixture);
      const items = [
        f.depositMessage(f.alice.address, 3n),
        f.depositMessage(f.bob.address, 4n),
        f.depositMessage(f.carol.address, 5n),
      ];
      const hints = [0n, 0n, 0n]; // any hint confirms; exact ones only save gas
      const tx = f.registryBridge.confirmDeposits(items, await f.quorum("DepositConfirmedBatch", { items }), hints);
      const last = items[2]!;
      const lastKey = await f.registryBridge.blockKeyOf(f.batchId, last.blockStart, last.blockEnd);
      await expect(tx)
        .to.emit(f.registryBridge, "DepositConfirmed")
        .withArgs(last.depositId, f.carol.address, f.batchId, lastKey, last.blockStart, last.blockEnd);
      expect(await f.creditToken.balanceOf(f.carol.address, f.batchId)).to.equal(5n);
      await expect(f.registryBridge.confirmDeposits(items, await f.quorum("DepositConfirmedBatch", { items }), hints))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeDepositAlreadyUsed")
        .withArgs(items[0]!.depositId);
      await expect(f.registryBridge.confirmDeposits([], [], [])).to.be.revertedWithCustomError(
        f.registryBridge,
        "RegistryBridgeEmptyBatch",
      );
      const more = [f.depositMessage(f.alice.address, 3n)];
      await expect(f.registryBridge.confirmDeposits(more, await f.quorum("DepositConfirmedBatch", { items: more }), []))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeHintCount")
        .withArgs(1n, 0n);
    });
  });

  describe("requestRetirement", () => {
    it("locks the units in the bridge under the request id with a deadline", async () => {
      const f = await loadFixture(fixture);
      const key = f.nextKey();
      const requestId = await f.registryBridge.requestIdOf(f.alice.address, key);
      const tx = await f.registryBridge.connect(f.alice).requestRetirement(f.batchId, 100n, key, DETAILS);
      await expect(tx)
        .to.emit(f.creditToken, "TransferSingle")
        .withArgs(f.addresses.registryBridge, f.alice.address, f.addresses.registryBridge, f.batchId, 100n);
      const deadline = BigInt((await tx.getBlock())!.timestamp) + BigInt(REQUEST_WINDOW);
      await expect(tx)
        .to.emit(f.registryBridge, "RetirementRequested")
        .withArgs(requestId, f.alice.address, f.batchId, 100n, key, deadline, [DETAILS.beneficiary, DETAILS.reason]);
      expect(await f.creditToken.balanceOf(f.addresses.registryBridge, f.batchId)).to.equal(100n);
      expect(await f.creditToken.balanceOf(f.alice.address, f.batchId)).to.equal(900n);
      const r = await f.registryBridge.requestOf(requestId);
      expect([r.kind, r.status, r.overdueFlagged, r.deadline, r.certificate]).to.deep.equal([
        BigInt(KIND.Retirement),
        BigInt(STATUS.Pending),
        false,
        deadline,
        "0x000000000000000000000000000000",
      ]);
      expect(await f.registryBridge.requestWindow()).to.equal(BigInt(REQUEST_WINDOW));
      expect(await f.registryBridge.token()).to.equal(f.addresses.creditToken);
    });

    it("a repeated key with the same parameters is a no-op returning the id; other parameters revert", async () => {
      const f = await loadFixture(fixture);
      const r = await f.requestRetirement(f.alice, f.batchId, 100n);
      const b = f.registryBridge.connect(f.alice);
      expect(await b.requestRetirement.staticCall(f.batchId, 100n, r.key, DETAILS)).to.equal(r.requestId);
      await expect(b.requestRetirement(f.batchId, 100n, r.key, DETAILS)).not.to.emit(f.registryBridge, "RetirementRequested");
      expect(await f.creditToken.balanceOf(f.addresses.registryBridge, f.batchId)).to.equal(100n);
      await expect(b.requestRetirement(f.batchId, 101n, r.key, DETAILS))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeIdempotencyConflict")
        .withArgs(r.requestId);
      await expect(b.requestRetirement(f.batchId, 100n, r.key, { ...DETAILS, reason: "other" }))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeIdempotencyConflict")
        .withArgs(r.requestId);
      await expect(b.requestWithdrawal(f.batchId, 100n, r.key, ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeIdempotencyConflict")
        .withArgs(r.requestId);
      // still recognised after the registry answered
      const c = f.retirementConfirmation(r);
      await f.registryBridge.confirmRetirement(c, await f.quorum("RetirementConfirmed", c));
      expect(await b.requestRetirement.staticCall(f.batchId, 100n, r.key, DETAILS)).to.equal(r.requestId);
      await expect(b.requestRetirement(f.batchId, 100n, r.key, DETAILS)).not.to.emit(f.creditToken, "TransferSingle");
    });

    it("a paused registry refuses a repeated key too; a requester (REQUESTER_ROLE) may not repeat a key", async () => {
      const f = await loadFixture(fixture);
      const r = await f.requestRetirement(f.alice, f.batchId, 100n);
      const w = await f.requestWithdrawal(f.alice, f.batchId, 10n);
      const role = await f.registryBridge.REQUESTER_ROLE();
      await f.registryBridge.connect(f.admin).grantRole(role, f.outsider.address);
      const asRequester = f.registryBridge.connect(f.outsider);
      // the caller of a ...For function moved units to the holder expecting them locked: a no-op would leave them free
      await expect(asRequester.requestRetirementFor(f.alice.address, f.batchId, 100n, r.key, DETAILS))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeIdempotencyKeyUsed")
        .withArgs(r.requestId);
      await expect(asRequester.requestWithdrawalFor(f.alice.address, f.batchId, 10n, w.key, w.registryAccount))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeIdempotencyKeyUsed")
        .withArgs(w.requestId);
      await f.registryBridge.connect(f.guardian).pauseRegistry(REGISTRY_VERRA);
      await expect(f.registryBridge.connect(f.alice).requestRetirement(f.batchId, 100n, r.key, DETAILS))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRegistryPaused")
        .withArgs(REGISTRY_VERRA);
      await expect(f.registryBridge.connect(f.alice).requestWithdrawal(f.batchId, 10n, w.key, w.registryAccount))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRegistryPaused")
        .withArgs(REGISTRY_VERRA);
    });

    it("refuses zero amounts, a short balance, an ineligible holder, a frozen batch", async () => {
      const f = await loadFixture(fixture);
      const b = f.registryBridge.connect(f.alice);
      await expect(b.requestRetirement(f.batchId, 0n, f.nextKey(), DETAILS)).to.be.revertedWithCustomError(
        f.registryBridge,
        "RegistryBridgeZeroAmount",
      );
      await expect(b.requestRetirement(f.batchId, 1_001n, f.nextKey(), DETAILS))
        .to.be.revertedWithCustomError(f.creditToken, "ERC1155InsufficientBalance")
        .withArgs(f.alice.address, 1_000n, 1_001n, f.batchId);
      await f.creditToken.connect(f.agent).freezeWallet(f.alice.address, 1);
      await expect(b.requestRetirement(f.batchId, 1n, f.nextKey(), DETAILS))
        .to.be.revertedWithCustomError(f.identityRegistry, "IdentityRegistryFrozen")
        .withArgs(f.alice.address);
      await f.creditToken.connect(f.agent).freezeBatch(f.batchId, 1);
      await expect(f.registryBridge.connect(f.bob).requestRetirement(f.batchId, 1n, f.nextKey(), DETAILS))
        .to.be.revertedWithCustomError(f.creditToken, "CreditTokenBatchFrozen")
        .withArgs(f.batchId);
    });

    it("requestRetirementFor / requestWithdrawalFor need REQUESTER_ROLE", async () => {
      const f = await loadFixture(fixture);
      const role = await f.registryBridge.REQUESTER_ROLE();
      await expect(
        f.registryBridge.connect(f.outsider).requestRetirementFor(f.alice.address, f.batchId, 1n, f.nextKey(), DETAILS),
      )
        .to.be.revertedWithCustomError(f.registryBridge, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, role);
      await expect(
        f.registryBridge.connect(f.outsider).requestWithdrawalFor(f.alice.address, f.batchId, 1n, f.nextKey(), ethers.ZeroHash),
      )
        .to.be.revertedWithCustomError(f.registryBridge, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, role);
      await f.registryBridge.connect(f.admin).grantRole(role, f.outsider.address);
      const key = f.nextKey();
      await expect(f.registryBridge.connect(f.outsider).requestRetirementFor(f.alice.address, f.batchId, 7n, key, DETAILS))
        .to.emit(f.registryBridge, "RetirementRequested")
        .withArgs(
          await f.registryBridge.requestIdOf(f.alice.address, key),
          f.alice.address,
          f.batchId,
          7n,
          key,
          (v: bigint) => v > 0n,
          [DETAILS.beneficiary, DETAILS.reason],
        );
      const wkey = f.nextKey();
      await expect(
        f.registryBridge.connect(f.outsider).requestWithdrawalFor(f.alice.address, f.batchId, 3n, wkey, ethers.id("acct")),
      )
        .to.emit(f.registryBridge, "WithdrawalRequested")
        .withArgs(
          await f.registryBridge.requestIdOf(f.alice.address, wkey),
          f.alice.address,
          f.batchId,
          3n,
          wkey,
          (v: bigint) => v > 0n,
          ethers.id("acct"),
        );
      expect(await f.creditToken.balanceOf(f.addresses.registryBridge, f.batchId)).to.equal(10n);
      // the bridge's own balance backs other requests, and the zero address would mint: both refused
      for (const holder of [f.addresses.registryBridge, ethers.ZeroAddress]) {
        await expect(f.registryBridge.connect(f.outsider).requestRetirementFor(holder, f.batchId, 1n, f.nextKey(), DETAILS))
          .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeInvalidHolder")
          .withArgs(holder);
        await expect(
          f.registryBridge.connect(f.outsider).requestWithdrawalFor(holder, f.batchId, 1n, f.nextKey(), ethers.ZeroHash),
        )
          .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeInvalidHolder")
          .withArgs(holder);
      }
    });
  });

  describe("retirement answers", () => {
    it("confirmation burns the units and records the certificate", async () => {
      const f = await loadFixture(fixture);
      const r = await f.requestRetirement(f.alice, f.batchId, 100n);
      const c = f.retirementConfirmation(r);
      const tx = f.registryBridge.connect(f.relayer).confirmRetirement(c, await f.quorum("RetirementConfirmed", c));
      await expect(tx)
        .to.emit(f.registryBridge, "RetirementConfirmed")
        .withArgs(r.requestId, f.alice.address, f.batchId, 100n, c.retirementIdHash, c.serialRangeHash);
      await expect(tx)
        .to.emit(f.creditToken, "TransferSingle")
        .withArgs(f.addresses.registryBridge, f.addresses.registryBridge, ethers.ZeroAddress, f.batchId, 100n);
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(1_400n);
      expect(await f.creditToken.balanceOf(f.addresses.registryBridge, f.batchId)).to.equal(0n);
      const req = await f.registryBridge.requestOf(r.requestId);
      expect([req.status, req.deadline]).to.deep.equal([BigInt(STATUS.Confirmed), 0n]);
      expect(req.certificate).to.not.equal("0x000000000000000000000000000000");
      expect(await f.registryBridge.certificateOf(r.requestId, c.retirementIdHash, c.serialRangeHash)).to.equal(true);
      expect(await f.registryBridge.certificateOf(r.requestId, c.serialRangeHash, c.retirementIdHash)).to.equal(false);
      expect(await f.registryBridge.isRequestRejected(r.requestId)).to.equal(false);
    });

    it("a retirement confirmed twice is refused", async () => {
      const f = await loadFixture(fixture);
      const r = await f.requestRetirement(f.alice, f.batchId, 100n);
      const c = f.retirementConfirmation(r);
      const sigs = await f.quorum("RetirementConfirmed", c);
      await f.registryBridge.confirmRetirement(c, sigs);
      await expect(f.registryBridge.confirmRetirement(c, sigs))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(r.requestId, KIND.Retirement, STATUS.Confirmed);
      const other = f.retirementConfirmation(r, "another registry id");
      await expect(f.registryBridge.confirmRetirement(other, await f.quorum("RetirementConfirmed", other)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(r.requestId, KIND.Retirement, STATUS.Confirmed);
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(1_400n);
    });

    it("refuses answers whose request parameters differ, and unknown or wrong-kind requests", async () => {
      const f = await loadFixture(fixture);
      const r = await f.requestRetirement(f.alice, f.batchId, 100n);
      const wrongAmount = { ...f.retirementConfirmation(r), amount: 1_000n };
      await expect(f.registryBridge.confirmRetirement(wrongAmount, await f.quorum("RetirementConfirmed", wrongAmount)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestMismatch")
        .withArgs(r.requestId);
      const unknown = { ...f.retirementConfirmation(r), requestId: keccak256(toHex("nope")) };
      await expect(f.registryBridge.confirmRetirement(unknown, await f.quorum("RetirementConfirmed", unknown)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(unknown.requestId, KIND.None, STATUS.None);
      const w = { ...f.withdrawalConfirmation({ ...r, registryAccount: ethers.ZeroHash as Hex }) };
      await expect(f.registryBridge.confirmWithdrawal(w, await f.quorum("WithdrawalConfirmed", w)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(r.requestId, KIND.Retirement, STATUS.Pending);
    });

    it("a rejected request returns the units and changes no supply", async () => {
      const f = await loadFixture(fixture);
      const r = await f.requestRetirement(f.alice, f.batchId, 100n);
      const j = f.retirementRejection(r);
      const sigs = await f.quorum("RetirementRejected", j);
      await expect(f.registryBridge.rejectRetirement(j, sigs))
        .to.emit(f.registryBridge, "RetirementRejected")
        .withArgs(r.requestId, f.alice.address, f.batchId, 100n, j.reasonHash);
      expect(await f.creditToken.balanceOf(f.alice.address, f.batchId)).to.equal(1_000n);
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(1_500n);
      expect(await f.registryBridge.isRequestRejected(r.requestId)).to.equal(true);
      await expect(f.registryBridge.rejectRetirement(j, sigs))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(r.requestId, KIND.Retirement, STATUS.Rejected);
      const c = f.retirementConfirmation(r);
      await expect(f.registryBridge.confirmRetirement(c, await f.quorum("RetirementConfirmed", c)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(r.requestId, KIND.Retirement, STATUS.Rejected);
      const r2 = await f.requestRetirement(f.alice, f.batchId, 5n);
      const j2 = { ...f.retirementRejection(r2), holder: f.bob.address as Hex }; // units would go to the wrong holder
      await expect(f.registryBridge.rejectRetirement(j2, await f.quorum("RetirementRejected", j2)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestMismatch")
        .withArgs(r2.requestId);
    });

    it("on a frozen batch a confirmation still burns, a rejection waits for the unfreeze", async () => {
      const f = await loadFixture(fixture);
      const r1 = await f.requestRetirement(f.alice, f.batchId, 10n);
      const r2 = await f.requestRetirement(f.alice, f.batchId, 20n);
      await f.creditToken.connect(f.agent).freezeBatch(f.batchId, 1);
      const c = f.retirementConfirmation(r1);
      await f.registryBridge.confirmRetirement(c, await f.quorum("RetirementConfirmed", c));
      const j = f.retirementRejection(r2);
      const sigs = await f.quorum("RetirementRejected", j);
      await expect(f.registryBridge.rejectRetirement(j, sigs))
        .to.be.revertedWithCustomError(f.creditToken, "CreditTokenBatchFrozen")
        .withArgs(f.batchId);
      await f.creditToken.connect(f.agent).unfreezeBatch(f.batchId, 1);
      await expect(f.registryBridge.rejectRetirement(j, sigs)).to.emit(f.registryBridge, "RetirementRejected");
    });

    it("confirmRetirements: many requests under one quorum; a replay and an empty batch are refused", async () => {
      const f = await loadFixture(fixture);
      const items = [];
      for (const [holder, amount] of [
        [f.alice, 10n],
        [f.bob, 20n],
        [f.alice, 30n],
      ] as const) {
        items.push(f.retirementConfirmation(await f.requestRetirement(holder, f.batchId, amount), `${amount}`));
      }
      const sigs = await f.quorum("RetirementConfirmedBatch", { items });
      const tx = f.registryBridge.connect(f.relayer).confirmRetirements(items, sigs);
      for (const item of items) {
        await expect(tx)
          .to.emit(f.registryBridge, "RetirementConfirmed")
          .withArgs(item.requestId, item.holder, f.batchId, item.amount, item.retirementIdHash, item.serialRangeHash);
      }
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(1_440n);
      await expect(f.registryBridge.confirmRetirements(items, sigs))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(items[0]!.requestId, KIND.Retirement, STATUS.Confirmed);
      await expect(f.registryBridge.confirmRetirements([], [])).to.be.revertedWithCustomError(
        f.registryBridge,
        "RegistryBridgeEmptyBatch",
      );
      // a single-item signature does not pass as a batch signature (distinct type hashes)
      const r = await f.requestRetirement(f.alice, f.batchId, 1n);
      const one = f.retirementConfirmation(r);
      await expect(
        f.registryBridge.confirmRetirements([one], await f.quorum("RetirementConfirmed", one)),
      ).to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeSignerNotOracle");
    });
  });

  describe("withdrawals", () => {
    it("a request locks the units under the request id with the registry account", async () => {
      const f = await loadFixture(fixture);
      const key = f.nextKey();
      const account = ethers.id("VERRA-ACCOUNT-7");
      const requestId = await f.registryBridge.requestIdOf(f.bob.address, key);
      const tx = await f.registryBridge.connect(f.bob).requestWithdrawal(f.batchId, 50n, key, account);
      const deadline = BigInt((await tx.getBlock())!.timestamp) + BigInt(REQUEST_WINDOW);
      await expect(tx)
        .to.emit(f.registryBridge, "WithdrawalRequested")
        .withArgs(requestId, f.bob.address, f.batchId, 50n, key, deadline, account);
      await expect(tx)
        .to.emit(f.creditToken, "TransferSingle")
        .withArgs(f.addresses.registryBridge, f.bob.address, f.addresses.registryBridge, f.batchId, 50n);
      const r = await f.registryBridge.requestOf(requestId);
      expect([r.kind, r.status, r.deadline]).to.deep.equal([BigInt(KIND.Withdrawal), BigInt(STATUS.Pending), deadline]);
      expect(await f.registryBridge.connect(f.bob).requestWithdrawal.staticCall(f.batchId, 50n, key, account)).to.equal(
        requestId,
      );
      await expect(f.registryBridge.connect(f.bob).requestWithdrawal(f.batchId, 50n, key, ethers.id("other account")))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeIdempotencyConflict")
        .withArgs(requestId);
    });

    it("confirmation burns, releases the block key, and the block may be deposited again", async () => {
      const f = await loadFixture(fixture);
      const w = await f.requestWithdrawal(f.alice, f.batchId, 1_000n);
      const c = f.withdrawalConfirmation(w, f.firstDeposit);
      const tx = f.registryBridge.confirmWithdrawal(c, await f.quorum("WithdrawalConfirmed", c));
      await expect(tx)
        .to.emit(f.registryBridge, "WithdrawalConfirmed")
        .withArgs(w.requestId, f.alice.address, f.batchId, 1_000n, c.registryTxHash, c.serialRangeHash);
      await expect(tx).to.emit(f.registryBridge, "BlockKeyReleased").withArgs(f.blockKey, w.requestId);
      const { blockStart, blockEnd } = f.firstDeposit;
      expect(await f.registryBridge.isBlockDeposited(f.batchId, blockStart, blockEnd)).to.equal(false);
      expect(await f.registryBridge.certificateOf(w.requestId, c.registryTxHash, c.serialRangeHash)).to.equal(true);
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(500n);
      const again = f.depositMessage(f.carol.address, 0n, {
        blockStart: f.firstDeposit.blockStart,
        blockEnd: f.firstDeposit.blockEnd,
        depositId: keccak256(toHex("re-deposit")),
      });
      await f.registryBridge.confirmDeposit(again, await f.quorum("DepositConfirmed", again), 0n);
      expect(await f.creditToken.balanceOf(f.carol.address, f.batchId)).to.equal(1_000n);
    });

    it("a part of a deposited block releases nothing; a range of another size than the request is refused", async () => {
      const f = await loadFixture(fixture);
      const w = await f.requestWithdrawal(f.alice, f.batchId, 10n);
      const { blockStart, blockEnd } = f.firstDeposit;
      const whole = f.withdrawalConfirmation(w, { blockStart, blockEnd }); // 1,000 units named for a 10-unit request
      await expect(f.registryBridge.confirmWithdrawal(whole, await f.quorum("WithdrawalConfirmed", whole)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeWithdrawalRangeMismatch")
        .withArgs(w.requestId, blockStart, blockEnd, 10n);
      const inverted = f.withdrawalConfirmation(w, { blockStart: 20n, blockEnd: 11n });
      await expect(f.registryBridge.confirmWithdrawal(inverted, await f.quorum("WithdrawalConfirmed", inverted)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeWithdrawalRangeMismatch")
        .withArgs(w.requestId, 20n, 11n, 10n);
      const part = f.withdrawalConfirmation(w, { blockStart, blockEnd: blockStart + 9n });
      await expect(f.registryBridge.confirmWithdrawal(part, await f.quorum("WithdrawalConfirmed", part))).not.to.emit(
        f.registryBridge,
        "BlockKeyReleased",
      );
      expect(await f.registryBridge.isBlockDeposited(f.batchId, blockStart, blockEnd)).to.equal(true);
    });

    it("rejection returns the units; confirmWithdrawals confirms many under one quorum", async () => {
      const f = await loadFixture(fixture);
      const w1 = await f.requestWithdrawal(f.alice, f.batchId, 10n);
      const j = f.withdrawalRejection(w1);
      await expect(f.registryBridge.rejectWithdrawal(j, await f.quorum("WithdrawalRejected", j)))
        .to.emit(f.registryBridge, "WithdrawalRejected")
        .withArgs(w1.requestId, f.alice.address, f.batchId, 10n, j.reasonHash);
      expect(await f.creditToken.balanceOf(f.alice.address, f.batchId)).to.equal(1_000n);
      expect(await f.registryBridge.isRequestRejected(w1.requestId)).to.equal(true);
      const bad = { ...f.withdrawalRejection(await f.requestWithdrawal(f.bob, f.batchId, 1n)), amount: 2n };
      await expect(f.registryBridge.rejectWithdrawal(bad, await f.quorum("WithdrawalRejected", bad)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestMismatch")
        .withArgs(bad.requestId);
      const items = [
        f.withdrawalConfirmation(await f.requestWithdrawal(f.alice, f.batchId, 5n)),
        f.withdrawalConfirmation(await f.requestWithdrawal(f.bob, f.batchId, 6n)),
      ];
      await expect(f.registryBridge.confirmWithdrawals(items, await f.quorum("WithdrawalConfirmedBatch", { items })))
        .to.emit(f.registryBridge, "WithdrawalConfirmed")
        .withArgs(items[1]!.requestId, f.bob.address, f.batchId, 6n, items[1]!.registryTxHash, items[1]!.serialRangeHash);
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(1_489n);
      await expect(f.registryBridge.confirmWithdrawals([], [])).to.be.revertedWithCustomError(
        f.registryBridge,
        "RegistryBridgeEmptyBatch",
      );
    });
  });

  describe("registry pause", () => {
    it("blocks new requests for that registry only, never answers to requests in flight", async () => {
      const f = await loadFixture(fixture);
      const inFlight = await f.requestRetirement(f.alice, f.batchId, 10n);
      const inFlight2 = await f.requestRetirement(f.alice, f.batchId, 20n);
      const wInFlight = await f.requestWithdrawal(f.bob, f.batchId, 5n);
      const { batchId: gold } = await f.deposit(f.alice.address, 50n, { registryId: REGISTRY_GOLD, serialPrefix: "GS-1" });
      await expect(f.registryBridge.connect(f.guardian).pauseRegistry(REGISTRY_VERRA))
        .to.emit(f.registryBridge, "RegistryPaused")
        .withArgs(REGISTRY_VERRA, f.guardian.address);
      expect(await f.registryBridge.isRegistryPaused(REGISTRY_VERRA)).to.equal(true);
      expect(await f.registryBridge.isRegistryPaused(REGISTRY_GOLD)).to.equal(false);
      await expect(f.registryBridge.connect(f.alice).requestRetirement(f.batchId, 1n, f.nextKey(), DETAILS))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRegistryPaused")
        .withArgs(REGISTRY_VERRA);
      await expect(f.registryBridge.connect(f.alice).requestWithdrawal(f.batchId, 1n, f.nextKey(), ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRegistryPaused")
        .withArgs(REGISTRY_VERRA);
      await f.requestRetirement(f.alice, gold, 5n); // other registries keep going
      const c = f.retirementConfirmation(inFlight);
      await expect(f.registryBridge.confirmRetirement(c, await f.quorum("RetirementConfirmed", c))).to.emit(
        f.registryBridge,
        "RetirementConfirmed",
      );
      const j = f.retirementRejection(inFlight2);
      await expect(f.registryBridge.rejectRetirement(j, await f.quorum("RetirementRejected", j))).to.emit(
        f.registryBridge,
        "RetirementRejected",
      );
      const wc = f.withdrawalConfirmation(wInFlight);
      await expect(f.registryBridge.confirmWithdrawal(wc, await f.quorum("WithdrawalConfirmed", wc))).to.emit(
        f.registryBridge,
        "WithdrawalConfirmed",
      );
      const d = f.depositMessage(f.bob.address, 5n);
      await f.registryBridge.confirmDeposit(d, await f.quorum("DepositConfirmed", d), 0n);
      await f.creditToken.connect(f.alice).safeTransferFrom(f.alice.address, f.bob.address, f.batchId, 1n, "0x");
      await expect(f.registryBridge.connect(f.guardian).unpauseRegistry(REGISTRY_VERRA))
        .to.emit(f.registryBridge, "RegistryUnpaused")
        .withArgs(REGISTRY_VERRA, f.guardian.address);
      await f.requestRetirement(f.alice, f.batchId, 1n);
    });

    it("is guardian-only and refuses registry 0 and no-op changes", async () => {
      const f = await loadFixture(fixture);
      const b = f.registryBridge.connect(f.guardian);
      await expect(f.registryBridge.connect(f.outsider).pauseRegistry(1))
        .to.be.revertedWithCustomError(f.registryBridge, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, await f.registryBridge.GUARDIAN_ROLE());
      await expect(f.registryBridge.connect(f.outsider).unpauseRegistry(1)).to.be.revertedWithCustomError(
        f.registryBridge,
        "AccessControlUnauthorizedAccount",
      );
      await expect(b.pauseRegistry(0))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeInvalidRegistry")
        .withArgs(0);
      await expect(b.unpauseRegistry(3))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRegistryPauseUnchanged")
        .withArgs(3, false);
      await b.pauseRegistry(255);
      await expect(b.pauseRegistry(255))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRegistryPauseUnchanged")
        .withArgs(255, true);
      expect(await f.registryBridge.isRegistryPaused(255)).to.equal(true);
    });
  });

  describe("flagOverdue", () => {
    it("after the deadline only records a flag and emits: the units never leave the bridge", async () => {
      const f = await loadFixture(fixture);
      const r = await f.requestRetirement(f.alice, f.batchId, 100n);
      const { deadline } = await f.registryBridge.requestOf(r.requestId);
      await expect(f.registryBridge.connect(f.outsider).flagOverdue(r.requestId))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotOverdue")
        .withArgs(r.requestId, deadline);
      await time.increaseTo(deadline + 1n);
      const tx = f.registryBridge.connect(f.outsider).flagOverdue(r.requestId);
      await expect(tx).to.emit(f.registryBridge, "RequestOverdue").withArgs(r.requestId, deadline, f.outsider.address);
      await expect(tx).not.to.emit(f.creditToken, "TransferSingle");
      expect(await f.creditToken.balanceOf(f.addresses.registryBridge, f.batchId)).to.equal(100n);
      expect(await f.creditToken.balanceOf(f.alice.address, f.batchId)).to.equal(900n);
      const req = await f.registryBridge.requestOf(r.requestId);
      expect([req.status, req.overdueFlagged]).to.deep.equal([BigInt(STATUS.Pending), true]);
      await expect(f.registryBridge.flagOverdue(r.requestId))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestAlreadyFlagged")
        .withArgs(r.requestId);
      // a late registry answer still lands, and the flag is kept on the record
      const c = f.retirementConfirmation(r);
      await f.registryBridge.confirmRetirement(c, await f.quorum("RetirementConfirmed", c));
      const done = await f.registryBridge.requestOf(r.requestId);
      expect([done.status, done.overdueFlagged]).to.deep.equal([BigInt(STATUS.Confirmed), true]);
      await expect(f.registryBridge.flagOverdue(r.requestId))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(r.requestId, KIND.Retirement, STATUS.Confirmed);
      await expect(f.registryBridge.flagOverdue(ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeRequestNotPending")
        .withArgs(ethers.ZeroHash, KIND.None, STATUS.None);
    });
  });

  describe("attestReserve", () => {
    it("records reserves, and freezes the batch automatically on a shortfall", async () => {
      const f = await loadFixture(fixture);
      const ok = { batchId: f.batchId, units: 1_500n, asOf: 100n };
      await expect(f.registryBridge.attestReserve(ok, await f.quorum("ReserveAttested", ok)))
        .to.emit(f.registryBridge, "ReserveAttested")
        .withArgs(f.batchId, 1_500n, 1_500n, 100n);
      expect(await f.registryBridge.reserveOf(f.batchId)).to.deep.equal([1_500n, 100n]);
      expect(await f.creditToken.isBatchFrozen(f.batchId)).to.equal(false);
      const stale = { ...ok, asOf: 100n };
      await expect(f.registryBridge.attestReserve(stale, await f.quorum("ReserveAttested", stale)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeStaleReserve")
        .withArgs(f.batchId, 100n, 100n);
      const short = { batchId: f.batchId, units: 1_499n, asOf: 200n };
      const tx = f.registryBridge.attestReserve(short, await f.quorum("ReserveAttested", short));
      await expect(tx).to.emit(f.registryBridge, "ReserveShortfall").withArgs(f.batchId, 1_499n, 1_500n);
      await expect(tx)
        .to.emit(f.creditToken, "BatchFrozen")
        .withArgs(f.batchId, RESERVE_SHORTFALL_REASON, f.addresses.registryBridge);
      expect(await f.creditToken.isBatchFrozen(f.batchId)).to.equal(true);
      const still = { ...short, asOf: 300n };
      const tx2 = f.registryBridge.attestReserve(still, await f.quorum("ReserveAttested", still));
      await expect(tx2).to.emit(f.registryBridge, "ReserveShortfall");
      await expect(tx2).not.to.emit(f.creditToken, "BatchFrozen");
      const unknown = { batchId: 12345n, units: 1n, asOf: 1n };
      await expect(f.registryBridge.attestReserve(unknown, await f.quorum("ReserveAttested", unknown)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeUnknownBatch")
        .withArgs(12345n);
      const one = { ...still, asOf: 400n };
      await expect(f.registryBridge.attestReserve(one, (await f.quorum("ReserveAttested", one)).slice(0, 1)))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeQuorumNotMet")
        .withArgs(1, 2);
    });
  });

  describe("reentrancy through an ERC-1155 receiver hook", () => {
    async function attackFixture() {
      const f = await fixture();
      const receiver = await (await ethers.getContractFactory("ReentrantERC1155Receiver")).deploy();
      const receiverAddress = await receiver.getAddress();
      await f.identityRegistry.connect(f.kycAgent).registerIdentity(receiverAddress, 826, f.expiry);
      return { ...f, receiver, receiverAddress };
    }

    it("replaying the minting attestation from the hook is blocked by the guard and by the used deposit id", async () => {
      const f = await loadFixture(attackFixture);
      const m = f.depositMessage(f.receiverAddress, 10n);
      const sigs = await f.quorum("DepositConfirmed", m);
      const replay = f.registryBridge.interface.encodeFunctionData("confirmDeposit", [m, sigs, 0n]);
      await f.receiver.arm(f.addresses.registryBridge, replay, false);
      await f.registryBridge.confirmDeposit(m, sigs, 0n);
      expect(await f.receiver.attempted()).to.equal(true);
      expect(await f.receiver.succeeded()).to.equal(false);
      const selector = f.registryBridge.interface.getError("ReentrancyGuardReentrantCall")!.selector;
      expect(await f.receiver.lastError()).to.equal(selector);
      expect(await f.creditToken.balanceOf(f.receiverAddress, f.batchId)).to.equal(10n);
      await expect(f.registryBridge.confirmDeposit(m, sigs, 0n))
        .to.be.revertedWithCustomError(f.registryBridge, "RegistryBridgeDepositAlreadyUsed")
        .withArgs(m.depositId);
    });

    it("a hook that bubbles the re-entry failure makes the whole deposit revert, with nothing minted", async () => {
      const f = await loadFixture(attackFixture);
      const m = f.depositMessage(f.receiverAddress, 10n);
      const sigs = await f.quorum("DepositConfirmed", m);
      const request = f.registryBridge.interface.encodeFunctionData("requestRetirement", [
        f.batchId,
        5n,
        ethers.id("k"),
        DETAILS,
      ]);
      await f.receiver.arm(f.addresses.registryBridge, request, true);
      await expect(f.registryBridge.confirmDeposit(m, sigs, 0n)).to.be.revertedWithCustomError(
        f.registryBridge,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.creditToken.balanceOf(f.receiverAddress, f.batchId)).to.equal(0n);
      expect(await f.registryBridge.isDepositUsed(m.depositId)).to.equal(false);
    });

    it("moving units from inside the hook keeps balances, supply and the custody head consistent", async () => {
      const f = await loadFixture(attackFixture);
      const m = f.depositMessage(f.receiverAddress, 10n);
      const move = f.creditToken.interface.encodeFunctionData("safeTransferFrom", [
        f.receiverAddress,
        f.bob.address,
        f.batchId,
        4n,
        "0x",
      ]);
      await f.receiver.arm(f.addresses.creditToken, move, true);
      await f.registryBridge.confirmDeposit(m, await f.quorum("DepositConfirmed", m), 0n);
      expect(await f.creditToken.balanceOf(f.receiverAddress, f.batchId)).to.equal(6n);
      expect(await f.creditToken.balanceOf(f.bob.address, f.batchId)).to.equal(504n);
      expect(await f.creditToken.totalSupply(f.batchId)).to.equal(1_510n);
    });
  });
});
