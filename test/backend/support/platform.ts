import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { type Address, type Hex, type LocalAccount, keccak256, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  type AttestationKind,
  type AttestationMessages,
  type DepositConfirmed,
  batchIdOf,
  bridgeDomain,
  detailsHashOf,
  requestIdOf,
  signQuorum,
  sortSigners,
} from "../../../backend/src/chain/attestations";
import type { Deployment } from "../../../backend/src/chain/deployment";
import { deployCore } from "../../../scripts/lib/deployCore";
import { deploySettlement } from "../../../scripts/lib/deploySettlement";
import { testChain } from "../../support/chain";

export const DETAILS = { beneficiary: "Acme Ltd", reason: "FY2025 scope 3 offset" };
export const SERIAL_PREFIX = "VCS-1234-2021";

/**
 * The platform deployed on the shared test node with `deployCore` + `deploySettlement` (Hardhat's own signers
 * 0-9), a 2-of-3 oracle set of fresh viem accounts, and helpers that drive the custody flows the way the
 * backend will: deposit, transfer, retirement request, confirmation.
 */
export async function deployTestPlatform() {
  const { hre } = await testChain();
  const { ethers } = hre as unknown as { ethers: typeof import("hardhat").ethers };
  const signers = (await ethers.getSigners()) as HardhatEthersSigner[];
  const pick = (i: number) => signers[i] as HardhatEthersSigner;
  const [admin, alice, bob, relayer] = [pick(0), pick(5), pick(6), pick(8)];
  const oracleKeys: Hex[] = [0, 1, 2].map(() => generatePrivateKey());
  const oracles: LocalAccount[] = oracleKeys.map((key) => privateKeyToAccount(key));
  const core = await deployCore(
    { ethers },
    {
      guardian: admin.address,
      agent: admin.address,
      kycAgent: admin.address,
      oracles: oracles.map((o) => o.address),
      threshold: 2,
      requestWindowSeconds: 3600,
    },
    admin,
  );
  const settlement = await deploySettlement(core, { deployTestPaymentToken: false });
  const expiry = BigInt(Math.floor(Date.now() / 1000)) + 10n * 365n * 24n * 3600n;
  for (const holder of [alice, bob]) {
    await (await core.identityRegistry.connect(admin).registerIdentity(holder.address, 826, expiry)).wait();
  }
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const domain = bridgeDomain({ chainId, verifyingContract: core.addresses.registryBridge as Address });
  const quorumSigners = sortSigners(oracles).slice(0, 2);
  const quorum = <K extends AttestationKind>(kind: K, message: AttestationMessages[K]) =>
    signQuorum({ accounts: quorumSigners, domain, kind, message });

  const deployment: Deployment = {
    chainId,
    creditToken: core.addresses.creditToken as Address,
    identityRegistry: core.addresses.identityRegistry as Address,
    registryBridge: core.addresses.registryBridge as Address,
    settlement: settlement.addresses.settlement as Address,
    deployBlock: core.startBlock + 1,
  };

  let serial = 1_000_000n;
  let count = 0;
  async function deposit(holder: HardhatEthersSigner, amount: bigint, serialPrefix = SERIAL_PREFIX) {
    count += 1;
    const message: DepositConfirmed = {
      depositId: keccak256(toHex(`deposit-${count}-${serial}-${Math.random()}`)),
      holder: holder.address as Address,
      registryId: 1,
      serialPrefix,
      projectId: keccak256(toHex("VCS-1234")),
      vintage: 2021,
      unitType: 1,
      blockStart: serial,
      blockEnd: serial + amount - 1n,
    };
    serial += amount;
    const hint = await core.registryBridge.depositHintOf(batchIdOf(1, serialPrefix), message.blockStart);
    const tx = await core.registryBridge
      .connect(relayer)
      .confirmDeposit(message, await quorum("DepositConfirmed", message), hint);
    await tx.wait();
    return { message, batchId: batchIdOf(1, serialPrefix), txHash: tx.hash as Hex };
  }

  async function transfer(from: HardhatEthersSigner, to: HardhatEthersSigner, batchId: bigint, amount: bigint) {
    const tx = await core.creditToken.connect(from).safeTransferFrom(from.address, to.address, batchId, amount, "0x");
    await tx.wait();
    return tx.hash as Hex;
  }

  async function requestRetirement(holder: HardhatEthersSigner, batchId: bigint, amount: bigint) {
    const key = keccak256(toHex(`key-${++count}-${Math.random()}`));
    await (await core.registryBridge.connect(holder).requestRetirement(batchId, amount, key, DETAILS)).wait();
    return { requestId: requestIdOf(holder.address as Address, key), key, holder: holder.address as Address, batchId, amount };
  }

  function retirementConfirmation(r: { requestId: Hex; holder: Address; batchId: bigint; amount: bigint }, tag = "1") {
    return {
      requestId: r.requestId,
      holder: r.holder,
      batchId: r.batchId,
      amount: r.amount,
      detailsHash: detailsHashOf(DETAILS),
      retirementIdHash: keccak256(toHex(`VERRA-RET-${tag}`)),
      serialRangeHash: keccak256(toHex(`range-${tag}`)),
    };
  }

  async function confirmRetirement(r: { requestId: Hex; holder: Address; batchId: bigint; amount: bigint }, tag = "1") {
    const confirmation = retirementConfirmation(r, tag);
    const signatures = await quorum("RetirementConfirmed", confirmation);
    await (await core.registryBridge.connect(relayer).confirmRetirement(confirmation, signatures)).wait();
    return confirmation;
  }

  /** First serial of the next `deposit` (for tests that pre-register the deposit flow's claim). */
  const nextSerial = () => serial;

  return {
    hre,
    nextSerial,
    ethers,
    core,
    settlement,
    deployment,
    admin,
    alice,
    bob,
    relayer,
    oracles,
    /** The oracles' private keys, in the order of `oracles` (for nodes run as separate processes). */
    oracleKeys,
    quorum,
    domain,
    deposit,
    transfer,
    requestRetirement,
    retirementConfirmation,
    confirmRetirement,
  };
}

export type TestPlatform = Awaited<ReturnType<typeof deployTestPlatform>>;
