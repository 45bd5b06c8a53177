import { expect } from "chai";
import { ethers } from "hardhat";
import type { TypedDataDomain } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { type Hex, keccak256, toHex } from "viem";
import {
  batchIdOf,
  blockKeyOf,
  bridgeDomain,
  detailsHashOf,
  hashAttestation,
  requestIdOf,
  signAttestation,
  signDigestQuorum,
  sortSigners,
} from "../../backend/src/chain/attestations";
import { DETAILS, deployPlatformFixture, THRESHOLD } from "../support/platformFixture";

describe("RegistryBridge: oracle quorum", () => {
  describe("oracle set", () => {
    it("starts at epoch 1 with the constructor's set", async () => {
      const { registryBridge, oracles, strangerOracle } = await loadFixture(deployPlatformFixture);
      expect(await registryBridge.oracles()).to.deep.equal(oracles.map((o) => o.address));
      expect(await registryBridge.threshold()).to.equal(BigInt(THRESHOLD));
      expect(await registryBridge.oracleEpoch()).to.equal(1n);
      expect(await registryBridge.isOracle(oracles[0]!.address)).to.equal(true);
      expect(await registryBridge.isOracle(strangerOracle.address)).to.equal(false);
      expect(await registryBridge.isOracle(ethers.ZeroAddress)).to.equal(false);
    });

    it("is replaced only by the admin, with the new set, threshold and epoch in OracleSetUpdated", async () => {
      const f = await loadFixture(deployPlatformFixture);
      const { registryBridge, admin, outsider, oracles, strangerOracle } = f;
      const next = [oracles[1]!.address, oracles[2]!.address, strangerOracle.address];
      await expect(registryBridge.connect(outsider).setOracles(next, 2))
        .to.be.revertedWithCustomError(registryBridge, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.ZeroHash);
      await expect(registryBridge.connect(admin).setOracles(next, 3))
        .to.emit(registryBridge, "OracleSetUpdated")
        .withArgs(2, next, 3);
      expect(await registryBridge.oracleEpoch()).to.equal(2n);
      expect(await registryBridge.isOracle(oracles[0]!.address)).to.equal(false);
      // a removed oracle's signature no longer counts; the new member's does
      const digest = keccak256(toHex("anything"));
      const sigs = await signDigestQuorum(oracles, digest);
      await expect(registryBridge.verifyQuorum(digest, sigs))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeSignerNotOracle")
        .withArgs(oracles[0]!.address);
      await registryBridge.verifyQuorum(digest, await signDigestQuorum([oracles[1]!, oracles[2]!, strangerOracle], digest));
    });

    it("refuses thresholds below 2 or above the size, zero and repeated addresses", async () => {
      const { registryBridge, admin, oracles } = await loadFixture(deployPlatformFixture);
      const a = oracles.map((o) => o.address);
      const b = registryBridge.connect(admin);
      await expect(b.setOracles(a, 1))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeInvalidOracleSet")
        .withArgs(3, 1);
      await expect(b.setOracles(a, 4))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeInvalidOracleSet")
        .withArgs(3, 4);
      await expect(b.setOracles([a[0]!, ethers.ZeroAddress], 2))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeInvalidOracle")
        .withArgs(ethers.ZeroAddress);
      await expect(b.setOracles([a[0]!, a[1]!, a[0]!], 2))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeInvalidOracle")
        .withArgs(a[0]!);
    });
  });

  describe("signature checks", () => {
    async function fixture() {
      const f = await deployPlatformFixture();
      const message = f.depositMessage(f.alice.address, 10n);
      return { ...f, message };
    }

    it("accepts a sorted 2-of-3 and a 3-of-3 quorum", async () => {
      const { registryBridge, quorum, message, oracles, depositMessage, alice } = await loadFixture(fixture);
      await expect(registryBridge.confirmDeposit(message, await quorum("DepositConfirmed", message), 0n)).to.emit(
        registryBridge,
        "DepositConfirmed",
      );
      const second = depositMessage(alice.address, 5n);
      await registryBridge.confirmDeposit(second, await quorum("DepositConfirmed", second, oracles), 0n);
    });

    it("refuses a replayed attestation", async () => {
      const { registryBridge, quorum, message } = await loadFixture(fixture);
      const sigs = await quorum("DepositConfirmed", message);
      await registryBridge.confirmDeposit(message, sigs, 0n);
      await expect(registryBridge.confirmDeposit(message, sigs, 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeDepositAlreadyUsed")
        .withArgs(message.depositId);
    });

    it("refuses signatures made for another chain id or another contract", async () => {
      const { registryBridge, message, quorumSigners, addresses, chainId } = await loadFixture(fixture);
      for (const domain of [
        bridgeDomain({ chainId: chainId + 1n, verifyingContract: addresses.registryBridge as Hex }),
        bridgeDomain({ chainId, verifyingContract: addresses.creditToken as Hex }),
      ]) {
        const sigs = await Promise.all(
          quorumSigners.map((account) => signAttestation({ account, domain, kind: "DepositConfirmed", message })),
        );
        await expect(registryBridge.confirmDeposit(message, sigs, 0n))
          .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeSignerNotOracle")
          .withArgs(anyValue);
      }
    });

    it("refuses a duplicate signer, unsorted signers, a signer outside the set, a malformed signature", async () => {
      const {
        registryBridge,
        message,
        quorumSigners,
        strangerOracle,
        bridgeDomain: domain,
        oracles,
      } = await loadFixture(fixture);
      const sign = (account: (typeof oracles)[number]) => signAttestation({ account, domain, kind: "DepositConfirmed", message });
      const [low, high] = quorumSigners as [(typeof oracles)[number], (typeof oracles)[number]];
      await expect(registryBridge.confirmDeposit(message, [await sign(low), await sign(low)], 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeDuplicateSigner")
        .withArgs(low.address);
      await expect(registryBridge.confirmDeposit(message, [await sign(high), await sign(low)], 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeSignersNotAscending")
        .withArgs(high.address, low.address);
      const withStranger = sortSigners([low, strangerOracle]);
      await expect(registryBridge.confirmDeposit(message, await Promise.all(withStranger.map(sign)), 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeSignerNotOracle")
        .withArgs(strangerOracle.address);
      await expect(registryBridge.confirmDeposit(message, [await sign(low), "0x1234"], 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeInvalidSignature")
        .withArgs(1);
    });

    it("refuses a quorum below the threshold, including none at all: no mint or burn without quorum", async () => {
      const { registryBridge, message, quorumSigners, bridgeDomain: domain } = await loadFixture(fixture);
      const one = await signAttestation({ account: quorumSigners[0]!, domain, kind: "DepositConfirmed", message });
      await expect(registryBridge.confirmDeposit(message, [one], 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeQuorumNotMet")
        .withArgs(1, THRESHOLD);
      await expect(registryBridge.confirmDeposit(message, [], 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeQuorumNotMet")
        .withArgs(0, THRESHOLD);
    });

    it("refuses a quorum over a tampered message", async () => {
      const { registryBridge, message, quorum } = await loadFixture(fixture);
      const sigs = await quorum("DepositConfirmed", message);
      await expect(registryBridge.confirmDeposit({ ...message, blockEnd: message.blockEnd + 1n }, sigs, 0n))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeSignerNotOracle")
        .withArgs(anyValue);
    });
  });

  describe("verifyQuorum (for Settlement's own digests)", () => {
    it("passes a quorum over any digest and reverts with the bridge's errors", async () => {
      const { registryBridge, quorumSigners } = await loadFixture(deployPlatformFixture);
      const digest = keccak256(toHex("settlement digest"));
      const sigs = await signDigestQuorum(quorumSigners, digest);
      await registryBridge.verifyQuorum(digest, sigs);
      await expect(registryBridge.verifyQuorum(digest, sigs.slice(0, 1)))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeQuorumNotMet")
        .withArgs(1, THRESHOLD);
    });
  });

  describe("identifiers and EIP-712 mirror", () => {
    it("the TypeScript module derives the same ids, keys, hashes and domain as the contracts", async () => {
      const {
        registryBridge,
        creditToken,
        alice,
        bridgeDomain: domain,
        depositMessage,
        quorum,
      } = await loadFixture(deployPlatformFixture);
      const key = keccak256(toHex("k"));
      expect(await registryBridge.requestIdOf(alice.address, key)).to.equal(requestIdOf(alice.address as Hex, key));
      expect(await registryBridge.blockKeyOf(5n, 10n, 20n)).to.equal(blockKeyOf(5n, 10n, 20n));
      expect(await registryBridge.detailsHashOf(DETAILS)).to.equal(detailsHashOf(DETAILS));
      expect(await creditToken.batchIdOf(4, "CCTS/2024/001")).to.equal(batchIdOf(4, "CCTS/2024/001"));
      expect(await registryBridge.domainSeparator()).to.equal(ethers.TypedDataEncoder.hashDomain(domain as TypedDataDomain));
      expect(() => batchIdOf(0, "x")).to.throw(/registryId/);
      expect(() => blockKeyOf(1n, 5n, 4n)).to.throw(/blockEnd/);
      // a digest computed by the module verifies as a raw digest on-chain: the type strings match field for field
      const m = depositMessage(alice.address, 3n);
      const digest = hashAttestation({ domain, kind: "DepositConfirmed", message: m });
      await registryBridge.verifyQuorum(digest, await quorum("DepositConfirmed", m));
    });
  });
});
