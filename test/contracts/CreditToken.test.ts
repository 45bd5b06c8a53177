import { expect } from "chai";
import { ethers } from "hardhat";
import { impersonateAccount, loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { type Hex } from "viem";
import { ZERO_HEAD, batchIdOf, custodyHeadStep } from "../../backend/src/chain/attestations";
import { custodyHeadsFromLogs } from "../support/custodyLogs";
import { deployPlatformFixture, REGISTRY_VERRA, SERIAL_PREFIX } from "../support/platformFixture";

const REASON = 7;

describe("CreditToken", () => {
  async function fixture() {
    const f = await deployPlatformFixture();
    const { batchId } = await f.deposit(f.alice.address, 1_000n);
    await f.deposit(f.bob.address, 500n);
    await impersonateAccount(f.addresses.registryBridge);
    await setBalance(f.addresses.registryBridge, 10n ** 20n);
    const bridgeSigner = await ethers.getSigner(f.addresses.registryBridge);
    const [, , , , , , , , , , dave] = await ethers.getSigners();
    return { ...f, batchId, bridgeSigner, dave: dave as HardhatEthersSigner };
  }

  /** The custody head of `batchId` recomputed from the token's TransferSingle/TransferBatch logs alone. */
  async function headFromLogs(token: Awaited<ReturnType<typeof fixture>>["creditToken"], batchId: bigint): Promise<Hex> {
    return (await custodyHeadsFromLogs(token)).get(batchId) ?? ZERO_HEAD;
  }

  describe("setBridge", () => {
    it("sets the bridge once, by the admin, with BridgeSet", async () => {
      const { identityRegistry, admin, outsider, creditToken, addresses } = await loadFixture(fixture);
      const fresh = await (await ethers.getContractFactory("CreditToken")).deploy(addresses.identityRegistry, admin.address, "");
      await expect(fresh.connect(outsider).setBridge(outsider.address))
        .to.be.revertedWithCustomError(fresh, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.ZeroHash);
      await expect(fresh.setBridge(ethers.ZeroAddress)).to.be.revertedWithCustomError(fresh, "CreditTokenZeroAddress");
      await expect(fresh.setBridge(outsider.address)).to.emit(fresh, "BridgeSet").withArgs(outsider.address);
      expect(await fresh.bridge()).to.equal(outsider.address);
      expect(await fresh.identityRegistry()).to.equal(await identityRegistry.getAddress());
      await expect(creditToken.setBridge(outsider.address))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBridgeAlreadySet")
        .withArgs(addresses.registryBridge);
    });

    it("refuses a zero identity registry or admin", async () => {
      const { admin, addresses } = await loadFixture(fixture);
      const factory = await ethers.getContractFactory("CreditToken");
      await expect(factory.deploy(ethers.ZeroAddress, admin.address, "")).to.be.revertedWithCustomError(
        factory,
        "CreditTokenZeroAddress",
      );
      await expect(factory.deploy(addresses.identityRegistry, ethers.ZeroAddress, "")).to.be.revertedWithCustomError(
        factory,
        "CreditTokenZeroAddress",
      );
    });
  });

  describe("bridge-only functions", () => {
    it("reject any other caller with CreditTokenUnauthorizedBridge", async () => {
      const { creditToken, alice, batchId } = await loadFixture(fixture);
      const t = creditToken.connect(alice);
      // sent one after another (lazily): concurrent sends from one account race under automine
      for (const call of [
        () => t.registerBatch(1, "X", ethers.ZeroHash, 2020, 1),
        () => t.mint(alice.address, batchId, 1n),
        () => t.burn(batchId, 1n),
        () => t.bridgeTransfer(alice.address, alice.address, batchId, 1n),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(creditToken, "CreditTokenUnauthorizedBridge").withArgs(alice.address);
      }
    });

    it("registerBatch derives the id, stores the state once and emits BatchRegistered", async () => {
      const { creditToken, bridgeSigner } = await loadFixture(fixture);
      const projectId = ethers.id("GS-77");
      const id = batchIdOf(2, "GS1-1-IN-GS77-1-2019");
      await expect(creditToken.connect(bridgeSigner).registerBatch(2, "GS1-1-IN-GS77-1-2019", projectId, 2019, 3))
        .to.emit(creditToken, "BatchRegistered")
        .withArgs(id, 2, projectId, 2019, 3, "GS1-1-IN-GS77-1-2019");
      const state = await creditToken.batchState(id);
      expect([state.supply, state.registryId, state.frozen, state.vintage, state.unitType]).to.deep.equal([
        0n,
        2n,
        false,
        2019n,
        3n,
      ]);
      expect(await creditToken.batchIdOf(2, "GS1-1-IN-GS77-1-2019")).to.equal(id);
      await expect(creditToken.connect(bridgeSigner).registerBatch(2, "GS1-1-IN-GS77-1-2019", projectId, 2019, 3))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchAlreadyRegistered")
        .withArgs(id);
      await expect(creditToken.connect(bridgeSigner).registerBatch(0, "X", projectId, 2019, 3))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenInvalidRegistry")
        .withArgs(0);
    });

    it("mint refuses unregistered batches and supply beyond 2^128-1; burn tracks supply", async () => {
      const { creditToken, bridgeSigner, alice, batchId } = await loadFixture(fixture);
      await expect(creditToken.connect(bridgeSigner).mint(alice.address, 42n, 1n))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchNotRegistered")
        .withArgs(42n);
      await expect(creditToken.connect(bridgeSigner).mint(alice.address, batchId, 1n << 128n))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenSupplyOverflow")
        .withArgs(batchId);
      await creditToken.connect(bridgeSigner).bridgeTransfer(alice.address, bridgeSigner.address, batchId, 10n);
      await expect(creditToken.connect(bridgeSigner).burn(batchId, 4n))
        .to.emit(creditToken, "TransferSingle")
        .withArgs(bridgeSigner.address, bridgeSigner.address, ethers.ZeroAddress, batchId, 4n);
      expect(await creditToken.totalSupply(batchId)).to.equal(1_496n);
      await expect(creditToken.connect(bridgeSigner).burn(batchId, 7n))
        .to.be.revertedWithCustomError(creditToken, "ERC1155InsufficientBalance")
        .withArgs(bridgeSigner.address, 6n, 7n, batchId);
    });

    it("bridgeTransfer runs every check and calls no hook", async () => {
      const { creditToken, bridgeSigner, alice, dave, batchId, identityRegistry } = await loadFixture(fixture);
      await expect(creditToken.connect(bridgeSigner).bridgeTransfer(alice.address, bridgeSigner.address, batchId, 1n))
        .to.emit(creditToken, "TransferSingle")
        .withArgs(bridgeSigner.address, alice.address, bridgeSigner.address, batchId, 1n);
      await expect(creditToken.connect(bridgeSigner).bridgeTransfer(alice.address, dave.address, batchId, 1n))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(dave.address);
      const t = creditToken.connect(bridgeSigner);
      await expect(t.bridgeTransfer(ethers.ZeroAddress, alice.address, batchId, 1n)).to.be.revertedWithCustomError(
        creditToken,
        "CreditTokenZeroAddress",
      );
      await expect(t.bridgeTransfer(alice.address, ethers.ZeroAddress, batchId, 1n)).to.be.revertedWithCustomError(
        creditToken,
        "CreditTokenZeroAddress",
      );
    });
  });

  describe("transfers", () => {
    it("move between eligible holders and extend the custody head exactly as the logs recompute it", async () => {
      const { creditToken, alice, bob, batchId } = await loadFixture(fixture);
      const before = (await creditToken.custodyHead(batchId)) as Hex;
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 25n, "0x"))
        .to.emit(creditToken, "TransferSingle")
        .withArgs(alice.address, alice.address, bob.address, batchId, 25n);
      expect(await creditToken.custodyHead(batchId)).to.equal(
        custodyHeadStep(before, alice.address as Hex, bob.address as Hex, 25n),
      );
      expect(await creditToken.custodyHead(batchId)).to.equal(await headFromLogs(creditToken, batchId));
      expect(await creditToken.balanceOf(bob.address, batchId)).to.equal(525n);
      expect(await creditToken.totalSupply(batchId)).to.equal(1_500n);
    });

    it("batch transfers update each id's head in array order", async () => {
      const f = await loadFixture(fixture);
      const { batchId: other } = await f.deposit(f.alice.address, 10n, { serialPrefix: "VCS-2-2022" });
      await f.creditToken
        .connect(f.alice)
        .safeBatchTransferFrom(f.alice.address, f.bob.address, [f.batchId, other], [3n, 4n], "0x");
      expect(await f.creditToken.custodyHead(f.batchId)).to.equal(await headFromLogs(f.creditToken, f.batchId));
      expect(await f.creditToken.custodyHead(other)).to.equal(await headFromLogs(f.creditToken, other));
    });

    it("revert for an unverified, frozen or expired sender or receiver, naming the wallet", async () => {
      const { creditToken, identityRegistry, kycAgent, alice, bob, dave, batchId } = await loadFixture(fixture);
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, dave.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(dave.address);
      await identityRegistry.connect(kycAgent).setFrozen(bob.address, true);
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(bob.address);
      await expect(creditToken.connect(bob).safeTransferFrom(bob.address, alice.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(bob.address);
      const soon = BigInt(await time.latest()) + 100n;
      await identityRegistry.connect(kycAgent).updateIdentity(alice.address, 826, soon);
      await time.increaseTo(soon);
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryExpired")
        .withArgs(alice.address, soon);
    });

    it("cannot be pushed into the bridge (no receiver hook there)", async () => {
      const { creditToken, alice, batchId, addresses } = await loadFixture(fixture);
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, addresses.registryBridge, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(creditToken, "ERC1155InvalidReceiver")
        .withArgs(addresses.registryBridge);
    });
  });

  describe("pause", () => {
    it("stops transfers, mints and burns; only PAUSER_ROLE; events; no double pause", async () => {
      const { creditToken, pauser, outsider, alice, bob, batchId, bridgeSigner } = await loadFixture(fixture);
      await expect(creditToken.connect(outsider).pause())
        .to.be.revertedWithCustomError(creditToken, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await creditToken.PAUSER_ROLE());
      await expect(creditToken.connect(pauser).unpause()).to.be.revertedWithCustomError(creditToken, "CreditTokenNotPaused");
      await creditToken.connect(bridgeSigner).bridgeTransfer(alice.address, bridgeSigner.address, batchId, 5n);
      await expect(creditToken.connect(pauser).pause()).to.emit(creditToken, "Paused").withArgs(pauser.address);
      expect(await creditToken.paused()).to.equal(true);
      await expect(creditToken.connect(pauser).pause()).to.be.revertedWithCustomError(creditToken, "CreditTokenPaused");
      await expect(
        creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x"),
      ).to.be.revertedWithCustomError(creditToken, "CreditTokenPaused");
      await expect(creditToken.connect(bridgeSigner).mint(alice.address, batchId, 1n)).to.be.revertedWithCustomError(
        creditToken,
        "CreditTokenPaused",
      );
      await expect(creditToken.connect(bridgeSigner).burn(batchId, 1n)).to.be.revertedWithCustomError(
        creditToken,
        "CreditTokenPaused",
      );
      await expect(creditToken.connect(pauser).unpause()).to.emit(creditToken, "Unpaused").withArgs(pauser.address);
      await creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x");
    });
  });

  describe("batch freeze", () => {
    it("blocks transfers and mints but lets burns through; agent or bridge only; events", async () => {
      const { creditToken, agent, outsider, alice, bob, batchId, bridgeSigner } = await loadFixture(fixture);
      await creditToken.connect(bridgeSigner).bridgeTransfer(alice.address, bridgeSigner.address, batchId, 5n);
      await expect(creditToken.connect(outsider).freezeBatch(batchId, REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenUnauthorizedFreezer")
        .withArgs(outsider.address);
      await expect(creditToken.connect(agent).freezeBatch(batchId, REASON))
        .to.emit(creditToken, "BatchFrozen")
        .withArgs(batchId, REASON, agent.address);
      expect(await creditToken.isBatchFrozen(batchId)).to.equal(true);
      await expect(creditToken.connect(agent).freezeBatch(batchId, REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchFrozenUnchanged")
        .withArgs(batchId, true);
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchFrozen")
        .withArgs(batchId);
      await expect(creditToken.connect(bridgeSigner).mint(alice.address, batchId, 1n))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchFrozen")
        .withArgs(batchId);
      await creditToken.connect(bridgeSigner).burn(batchId, 5n);
      await expect(creditToken.connect(outsider).unfreezeBatch(batchId, REASON)).to.be.revertedWithCustomError(
        creditToken,
        "AccessControlUnauthorizedAccount",
      );
      await expect(creditToken.connect(agent).unfreezeBatch(batchId, REASON))
        .to.emit(creditToken, "BatchUnfrozen")
        .withArgs(batchId, REASON, agent.address);
      await expect(creditToken.connect(agent).unfreezeBatch(batchId, REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchFrozenUnchanged")
        .withArgs(batchId, false);
      await expect(creditToken.connect(bridgeSigner).freezeBatch(batchId, 1)).to.emit(creditToken, "BatchFrozen");
      await expect(creditToken.connect(agent).freezeBatch(99n, REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchNotRegistered")
        .withArgs(99n);
    });

    it("keeps each batch's freeze exact whatever else is frozen (the frozen-batch count only gates a fast path)", async () => {
      const f = await loadFixture(fixture);
      const { batchId: b2 } = await f.deposit(f.alice.address, 10n, { serialPrefix: "VCS-F-2" });
      const { batchId: b3 } = await f.deposit(f.alice.address, 10n, { serialPrefix: "VCS-F-3" });
      const send = (id: bigint) => f.creditToken.connect(f.alice).safeTransferFrom(f.alice.address, f.bob.address, id, 1n, "0x");
      await f.creditToken.connect(f.agent).freezeBatch(b2, REASON);
      await f.creditToken.connect(f.agent).freezeBatch(b3, REASON);
      await send(f.batchId);
      await f.creditToken.connect(f.agent).unfreezeBatch(b2, REASON);
      await send(b2);
      await expect(send(b3)).to.be.revertedWithCustomError(f.creditToken, "CreditTokenBatchFrozen").withArgs(b3);
      await f.creditToken.connect(f.agent).unfreezeBatch(b3, REASON);
      await send(b3);
      await f.creditToken.connect(f.agent).freezeBatch(b3, REASON);
      await expect(send(b3)).to.be.revertedWithCustomError(f.creditToken, "CreditTokenBatchFrozen").withArgs(b3);
      await expect(
        f.creditToken.connect(f.alice).safeBatchTransferFrom(f.alice.address, f.bob.address, [f.batchId, b3], [1n, 1n], "0x"),
      )
        .to.be.revertedWithCustomError(f.creditToken, "CreditTokenBatchFrozen")
        .withArgs(b3);
    });
  });

  describe("wallet freeze", () => {
    it("forwards to the identity registry with events on both contracts", async () => {
      const { creditToken, identityRegistry, agent, outsider, alice, bob, batchId } = await loadFixture(fixture);
      await expect(creditToken.connect(outsider).freezeWallet(alice.address, REASON))
        .to.be.revertedWithCustomError(creditToken, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await creditToken.AGENT_ROLE());
      const tx = creditToken.connect(agent).freezeWallet(alice.address, REASON);
      await expect(tx).to.emit(creditToken, "WalletFrozen").withArgs(alice.address, REASON, agent.address);
      await expect(tx)
        .to.emit(identityRegistry, "WalletFrozenSet")
        .withArgs(alice.address, true, await creditToken.getAddress());
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(alice.address);
      await expect(creditToken.connect(agent).freezeWallet(alice.address, REASON))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozenUnchanged")
        .withArgs(alice.address, true);
      await expect(creditToken.connect(outsider).unfreezeWallet(alice.address, REASON)).to.be.revertedWithCustomError(
        creditToken,
        "AccessControlUnauthorizedAccount",
      );
      await expect(creditToken.connect(agent).unfreezeWallet(alice.address, REASON))
        .to.emit(creditToken, "WalletUnfrozen")
        .withArgs(alice.address, REASON, agent.address);
      await creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x");
    });
  });

  describe("forcedTransfer", () => {
    it("drains a frozen wallet to an eligible one with ForcedTransfer", async () => {
      const { creditToken, agent, alice, bob, batchId } = await loadFixture(fixture);
      await creditToken.connect(agent).freezeWallet(alice.address, REASON);
      const tx = creditToken.connect(agent).forcedTransfer(alice.address, bob.address, batchId, 100n, REASON);
      await expect(tx)
        .to.emit(creditToken, "ForcedTransfer")
        .withArgs(alice.address, bob.address, batchId, 100n, REASON, agent.address);
      await expect(tx).to.emit(creditToken, "TransferSingle").withArgs(agent.address, alice.address, bob.address, batchId, 100n);
      expect(await creditToken.balanceOf(bob.address, batchId)).to.equal(600n);
      expect(await creditToken.custodyHead(batchId)).to.equal(await headFromLogs(creditToken, batchId));
    });

    it("still checks the receiver, the batch freeze, the pause and the balance; the bypass ends with the call", async () => {
      const { creditToken, identityRegistry, agent, pauser, alice, bob, dave, batchId } = await loadFixture(fixture);
      await creditToken.connect(agent).freezeWallet(alice.address, REASON);
      await expect(creditToken.connect(agent).forcedTransfer(bob.address, dave.address, batchId, 1n, REASON))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(dave.address);
      await expect(creditToken.connect(agent).forcedTransfer(bob.address, alice.address, batchId, 1n, REASON))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(alice.address);
      await expect(creditToken.connect(agent).forcedTransfer(alice.address, bob.address, batchId, 5_000n, REASON))
        .to.be.revertedWithCustomError(creditToken, "ERC1155InsufficientBalance")
        .withArgs(alice.address, 1_000n, 5_000n, batchId);
      await creditToken.connect(agent).freezeBatch(batchId, REASON);
      await expect(creditToken.connect(agent).forcedTransfer(alice.address, bob.address, batchId, 1n, REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchFrozen")
        .withArgs(batchId);
      await creditToken.connect(agent).unfreezeBatch(batchId, REASON);
      await creditToken.connect(pauser).pause();
      await expect(
        creditToken.connect(agent).forcedTransfer(alice.address, bob.address, batchId, 1n, REASON),
      ).to.be.revertedWithCustomError(creditToken, "CreditTokenPaused");
      await creditToken.connect(pauser).unpause();
      await creditToken.connect(agent).forcedTransfer(alice.address, bob.address, batchId, 1n, REASON);
      // the transient bypass does not outlive the forced transfer: alice (frozen) still cannot send
      await expect(creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(alice.address);
    });

    it("refuses zero addresses, the bridge and non-agents", async () => {
      const { creditToken, agent, outsider, alice, bob, batchId, addresses } = await loadFixture(fixture);
      const t = creditToken.connect(agent);
      await expect(t.forcedTransfer(ethers.ZeroAddress, bob.address, batchId, 1n, REASON)).to.be.revertedWithCustomError(
        creditToken,
        "CreditTokenZeroAddress",
      );
      await expect(t.forcedTransfer(alice.address, ethers.ZeroAddress, batchId, 1n, REASON)).to.be.revertedWithCustomError(
        creditToken,
        "CreditTokenZeroAddress",
      );
      for (const [from, to] of [
        [addresses.registryBridge, bob.address],
        [alice.address, addresses.registryBridge],
      ] as const) {
        await expect(t.forcedTransfer(from, to, batchId, 1n, REASON))
          .to.be.revertedWithCustomError(creditToken, "CreditTokenBridgeProtected")
          .withArgs(addresses.registryBridge);
      }
      await expect(creditToken.connect(outsider).forcedTransfer(alice.address, bob.address, batchId, 1n, REASON))
        .to.be.revertedWithCustomError(creditToken, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await creditToken.AGENT_ROLE());
    });
  });

  describe("setCustodian", () => {
    it("lets only the admin mark a custody contract, with CustodianSet, and refuses no-op changes and zero", async () => {
      const { creditToken, admin, outsider, carol } = await loadFixture(fixture);
      await expect(creditToken.connect(outsider).setCustodian(carol.address, true))
        .to.be.revertedWithCustomError(creditToken, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await creditToken.DEFAULT_ADMIN_ROLE());
      await expect(creditToken.connect(admin).setCustodian(carol.address, true))
        .to.emit(creditToken, "CustodianSet")
        .withArgs(carol.address, true);
      expect(await creditToken.isCustodian(carol.address)).to.equal(true);
      await expect(creditToken.connect(admin).setCustodian(carol.address, true))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenCustodianUnchanged")
        .withArgs(carol.address, true);
      await expect(creditToken.connect(admin).setCustodian(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
        creditToken,
        "CreditTokenZeroAddress",
      );
      await expect(creditToken.connect(admin).setCustodian(carol.address, false))
        .to.emit(creditToken, "CustodianSet")
        .withArgs(carol.address, false);
      expect(await creditToken.isCustodian(carol.address)).to.equal(false);
    });

    it("keeps agents' forced transfers and recoveries out of a custodian's balance, both ways", async () => {
      const { creditToken, admin, agent, alice, bob, batchId } = await loadFixture(fixture);
      await creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 10n, "0x");
      await creditToken.connect(admin).setCustodian(bob.address, true);
      const held = await creditToken.balanceOf(bob.address, batchId);
      await expect(creditToken.connect(agent).forcedTransfer(bob.address, alice.address, batchId, 1n, REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenCustodianProtected")
        .withArgs(bob.address);
      await expect(creditToken.connect(agent).forcedTransfer(alice.address, bob.address, batchId, 1n, REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenCustodianProtected")
        .withArgs(bob.address);
      await expect(creditToken.connect(agent).recoverWallet(bob.address, alice.address, [batchId], REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenCustodianProtected")
        .withArgs(bob.address);
      expect(await creditToken.balanceOf(bob.address, batchId)).to.equal(held);
    });
  });

  describe("recoverWallet", () => {
    it("moves every balance of the given ids to a verified new wallet with WalletRecovered", async () => {
      const f = await loadFixture(fixture);
      const { creditToken, identityRegistry, agent, kycAgent, alice, dave, batchId, expiry } = f;
      const { batchId: other } = await f.deposit(alice.address, 30n, { serialPrefix: "VCS-3-2023" });
      await identityRegistry.connect(kycAgent).removeIdentity(alice.address);
      await expect(creditToken.connect(agent).recoverWallet(alice.address, dave.address, [batchId, other], REASON))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(dave.address);
      await identityRegistry.connect(kycAgent).registerIdentity(dave.address, 826, expiry);
      const tx = creditToken.connect(agent).recoverWallet(alice.address, dave.address, [batchId, other], REASON);
      await expect(tx)
        .to.emit(creditToken, "WalletRecovered")
        .withArgs(alice.address, dave.address, agent.address, [batchId, other], [1_000n, 30n], REASON);
      await expect(tx)
        .to.emit(creditToken, "TransferBatch")
        .withArgs(agent.address, alice.address, dave.address, [batchId, other], [1_000n, 30n]);
      expect(await creditToken.balanceOf(alice.address, batchId)).to.equal(0n);
      expect(await creditToken.balanceOf(dave.address, other)).to.equal(30n);
      expect(await creditToken.custodyHead(other)).to.equal(await headFromLogs(creditToken, other));
    });

    it("refuses the bridge, zero addresses and non-agents", async () => {
      const { creditToken, agent, outsider, alice, bob, batchId, addresses } = await loadFixture(fixture);
      await expect(creditToken.connect(agent).recoverWallet(addresses.registryBridge, bob.address, [batchId], REASON))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBridgeProtected")
        .withArgs(addresses.registryBridge);
      await expect(
        creditToken.connect(agent).recoverWallet(alice.address, ethers.ZeroAddress, [batchId], REASON),
      ).to.be.revertedWithCustomError(creditToken, "CreditTokenZeroAddress");
      await expect(
        creditToken.connect(outsider).recoverWallet(alice.address, bob.address, [batchId], REASON),
      ).to.be.revertedWithCustomError(creditToken, "AccessControlUnauthorizedAccount");
    });
  });

  describe("views", () => {
    it("report supply, registry, freeze, state, batch ids and interfaces", async () => {
      const { creditToken, batchId } = await loadFixture(fixture);
      expect(await creditToken.totalSupply(batchId)).to.equal(1_500n);
      expect(await creditToken.batchRegistry(batchId)).to.equal(BigInt(REGISTRY_VERRA));
      expect(await creditToken.batchRegistry(1n)).to.equal(0n);
      expect(await creditToken.isBatchFrozen(batchId)).to.equal(false);
      expect(await creditToken.batchIdOf(REGISTRY_VERRA, SERIAL_PREFIX)).to.equal(batchIdOf(REGISTRY_VERRA, SERIAL_PREFIX));
      expect(await creditToken.supportsInterface("0xd9b67a26")).to.equal(true); // ERC-1155
      expect(await creditToken.supportsInterface("0x7965db0b")).to.equal(true); // AccessControl
      expect(await creditToken.supportsInterface("0xffffffff")).to.equal(false);
      expect(await creditToken.custodyHead(batchId)).to.equal(await headFromLogs(creditToken, batchId));
    });
  });
});
