import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployPlatformFixture, COUNTRY_UK } from "../support/platformFixture";

describe("IdentityRegistry", () => {
  async function fixture() {
    const f = await deployPlatformFixture();
    const [, , , , , , , , , , dave, erin] = await ethers.getSigners();
    if (dave === undefined || erin === undefined) throw new Error("signers");
    const future = BigInt(await time.latest()) + 1000n;
    return { ...f, dave, erin, future };
  }

  describe("registerIdentity", () => {
    it("verifies a wallet in one slot and emits IdentityRegistered", async () => {
      const { identityRegistry, kycAgent, dave, future } = await loadFixture(fixture);
      await expect(identityRegistry.connect(kycAgent).registerIdentity(dave.address, 276, future))
        .to.emit(identityRegistry, "IdentityRegistered")
        .withArgs(dave.address, 276, future);
      const id = await identityRegistry.identityOf(dave.address);
      expect([id.verified, id.country, id.expiry, id.frozen]).to.deep.equal([true, 276n, future, false]);
      expect(await identityRegistry.isEligible(dave.address)).to.equal(true);
      // `_identities` is storage slot 1 (after AccessControl's `_roles`): one word per wallet
      const slot = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [dave.address, 1]));
      const registry = await identityRegistry.getAddress();
      const word = BigInt(await ethers.provider.getStorage(registry, slot));
      expect(word).to.equal(1n | (276n << 8n) | (future << 24n));
      const next = ethers.toBeHex(BigInt(slot) + 1n, 32);
      expect(await ethers.provider.getStorage(registry, next)).to.equal(ethers.ZeroHash);
    });

    it("reverts for a non-agent, the zero address, a registered wallet, a past expiry", async () => {
      const { identityRegistry, kycAgent, outsider, alice, dave, future } = await loadFixture(fixture);
      const role = await identityRegistry.KYC_AGENT_ROLE();
      await expect(identityRegistry.connect(outsider).registerIdentity(dave.address, 1, future))
        .to.be.revertedWithCustomError(identityRegistry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, role);
      await expect(
        identityRegistry.connect(kycAgent).registerIdentity(ethers.ZeroAddress, 1, future),
      ).to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryZeroAddress");
      await expect(identityRegistry.connect(kycAgent).registerIdentity(alice.address, 1, future))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryAlreadyRegistered")
        .withArgs(alice.address);
      const now = BigInt(await time.latest());
      await expect(identityRegistry.connect(kycAgent).registerIdentity(dave.address, 1, now))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryInvalidExpiry")
        .withArgs(now);
    });
  });

  describe("updateIdentity / removeIdentity", () => {
    it("updates country and expiry and emits IdentityUpdated", async () => {
      const { identityRegistry, kycAgent, alice, future } = await loadFixture(fixture);
      await expect(identityRegistry.connect(kycAgent).updateIdentity(alice.address, 250, future))
        .to.emit(identityRegistry, "IdentityUpdated")
        .withArgs(alice.address, 250, future);
      expect((await identityRegistry.identityOf(alice.address)).country).to.equal(250n);
    });

    it("update reverts for unknown wallets, bad expiry and non-agents", async () => {
      const { identityRegistry, kycAgent, outsider, alice, dave, future } = await loadFixture(fixture);
      await expect(identityRegistry.connect(kycAgent).updateIdentity(dave.address, 1, future))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(dave.address);
      await expect(identityRegistry.connect(kycAgent).updateIdentity(alice.address, 1, 1n))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryInvalidExpiry")
        .withArgs(1n);
      await expect(identityRegistry.connect(outsider).updateIdentity(alice.address, 1, future)).to.be.revertedWithCustomError(
        identityRegistry,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("removes a verification but keeps the frozen flag, so re-registering cannot unfreeze", async () => {
      const { identityRegistry, kycAgent, alice, future } = await loadFixture(fixture);
      await identityRegistry.connect(kycAgent).setFrozen(alice.address, true);
      await expect(identityRegistry.connect(kycAgent).removeIdentity(alice.address))
        .to.emit(identityRegistry, "IdentityRemoved")
        .withArgs(alice.address);
      expect(await identityRegistry.isEligible(alice.address)).to.equal(false);
      await identityRegistry.connect(kycAgent).registerIdentity(alice.address, COUNTRY_UK, future);
      expect((await identityRegistry.identityOf(alice.address)).frozen).to.equal(true);
      await expect(identityRegistry.connect(kycAgent).removeIdentity(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(ethers.ZeroAddress);
      await expect(identityRegistry.connect(alice).removeIdentity(alice.address)).to.be.revertedWithCustomError(
        identityRegistry,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("setFrozen", () => {
    it("is allowed to KYC agents and FREEZER_ROLE (the token), emits WalletFrozenSet, rejects no-ops", async () => {
      const { identityRegistry, kycAgent, outsider, alice, admin } = await loadFixture(fixture);
      await expect(identityRegistry.connect(kycAgent).setFrozen(alice.address, true))
        .to.emit(identityRegistry, "WalletFrozenSet")
        .withArgs(alice.address, true, kycAgent.address);
      await expect(identityRegistry.connect(kycAgent).setFrozen(alice.address, true))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozenUnchanged")
        .withArgs(alice.address, true);
      await expect(identityRegistry.connect(outsider).setFrozen(alice.address, false))
        .to.be.revertedWithCustomError(identityRegistry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await identityRegistry.KYC_AGENT_ROLE());
      await identityRegistry.connect(admin).grantRole(await identityRegistry.FREEZER_ROLE(), outsider.address);
      await expect(identityRegistry.connect(outsider).setFrozen(alice.address, false))
        .to.emit(identityRegistry, "WalletFrozenSet")
        .withArgs(alice.address, false, outsider.address);
    });
  });

  describe("checkTransfer", () => {
    it("passes eligible parties and skips zero addresses", async () => {
      const { identityRegistry, alice, bob, dave } = await loadFixture(fixture);
      await identityRegistry.checkTransfer(alice.address, bob.address);
      await identityRegistry.checkTransfer(ethers.ZeroAddress, alice.address);
      await identityRegistry.checkTransfer(alice.address, ethers.ZeroAddress);
      await identityRegistry.checkTransfer(ethers.ZeroAddress, ethers.ZeroAddress);
      expect(await identityRegistry.isEligible(dave.address)).to.equal(false);
    });

    it("names the failing wallet, sender first: not verified, frozen, expired (with expiry)", async () => {
      const { identityRegistry, kycAgent, alice, bob, dave, future } = await loadFixture(fixture);
      await expect(identityRegistry.checkTransfer(dave.address, alice.address))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(dave.address);
      await expect(identityRegistry.checkTransfer(alice.address, dave.address))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(dave.address);
      await identityRegistry.connect(kycAgent).setFrozen(bob.address, true);
      await expect(identityRegistry.checkTransfer(alice.address, bob.address))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(bob.address);
      await identityRegistry.connect(kycAgent).registerIdentity(dave.address, 1, future);
      await time.increaseTo(future);
      await expect(identityRegistry.checkTransfer(dave.address, alice.address))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryExpired")
        .withArgs(dave.address, future);
      expect(await identityRegistry.isEligible(dave.address)).to.equal(false);
    });
  });
});
