/**
 * The core platform as Settlement's tests need it: identity registry, credit token and registry bridge with a
 * 2-of-3 oracle set, role holders, and helpers that make the oracles attest deposits and withdrawal answers.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { TypedDataDomain } from "ethers";
import type { CreditToken, IdentityRegistry, RegistryBridge } from "../../typechain-types";

export const REGISTRY_ID = 1; // VERRA
export const THRESHOLD = 2;
const REQUEST_WINDOW = 30 * 86_400;

const depositTypes = {
  DepositConfirmed: [
    { name: "depositId", type: "bytes32" },
    { name: "holder", type: "address" },
    { name: "registryId", type: "uint8" },
    { name: "serialPrefix", type: "string" },
    { name: "projectId", type: "bytes32" },
    { name: "vintage", type: "uint16" },
    { name: "unitType", type: "uint8" },
    { name: "blockStart", type: "uint64" },
    { name: "blockEnd", type: "uint64" },
  ],
};
const withdrawalConfirmedTypes = {
  WithdrawalConfirmed: [
    { name: "requestId", type: "bytes32" },
    { name: "holder", type: "address" },
    { name: "batchId", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "registryAccount", type: "bytes32" },
    { name: "registryTxHash", type: "bytes32" },
    { name: "serialRangeHash", type: "bytes32" },
    { name: "releasedBlockKey", type: "bytes32" },
  ],
};
const withdrawalRejectedTypes = {
  WithdrawalRejected: [
    { name: "requestId", type: "bytes32" },
    { name: "holder", type: "address" },
    { name: "batchId", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "registryAccount", type: "bytes32" },
    { name: "reasonHash", type: "bytes32" },
  ],
};

export type WithdrawalAnswer = { requestId: string; holder: string; amount: bigint; registryAccount: string };

export async function deployLocalCore() {
  const signers = await ethers.getSigners();
  const pick = (i: number) => signers[i] as HardhatEthersSigner;
  const admin = pick(0);
  const kycAgent = admin;
  const oracles = [pick(1), pick(2), pick(3)];
  const guardian = pick(4);
  const agent = pick(5);

  const identity = (await (await ethers.getContractFactory("IdentityRegistry")).deploy(admin.address)) as unknown as IdentityRegistry;
  await identity.grantRole(await identity.KYC_AGENT_ROLE(), kycAgent.address);
  const token = (await (await ethers.getContractFactory("CreditToken")).deploy(
    await identity.getAddress(),
    admin.address,
    "",
  )) as unknown as CreditToken;
  await identity.grantRole(await identity.FREEZER_ROLE(), await token.getAddress());
  await token.grantRole(await token.AGENT_ROLE(), agent.address);
  const bridge = (await (await ethers.getContractFactory("RegistryBridge")).deploy(
    await token.getAddress(),
    admin.address,
    oracles.map((o) => o.address),
    THRESHOLD,
    REQUEST_WINDOW,
  )) as unknown as RegistryBridge;
  const bridgeAddress = await bridge.getAddress();
  await token.setBridge(bridgeAddress);
  await identity.registerIdentity(bridgeAddress, 0, (1n << 64n) - 1n);
  await bridge.grantRole(await bridge.GUARDIAN_ROLE(), guardian.address);

  const chainId = (await ethers.provider.getNetwork()).chainId;
  const bridgeDomain: TypedDataDomain = { name: "CarbonRegistryBridge", version: "1", chainId, verifyingContract: bridgeAddress };
  const sortedOracles = [...oracles].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const quorum = (types: Record<string, { name: string; type: string }[]>, value: Record<string, unknown>) =>
    Promise.all(sortedOracles.slice(0, THRESHOLD).map((o) => o.signTypedData(bridgeDomain, types, value)));

  let nextSerial = 1n;
  const serialPrefix = "VCS-1234-2021";
  /** Oracles attest a deposit of `amount` units to `holder`; returns the batch id. */
  async function deposit(holder: string, amount: bigint, _batchId?: bigint): Promise<bigint> {
    const d = {
      depositId: ethers.id(`deposit-${nextSerial}`),
      holder,
      registryId: REGISTRY_ID,
      serialPrefix,
      projectId: ethers.id("project-1234"),
      vintage: 2021,
      unitType: 1,
      blockStart: nextSerial,
      blockEnd: nextSerial + amount - 1n,
    };
    nextSerial += amount;
    await bridge.confirmDeposit(d, await quorum(depositTypes, d));
    return token.batchIdOf(REGISTRY_ID, serialPrefix);
  }

  async function confirmWithdrawal(a: WithdrawalAnswer): Promise<void> {
    const batchId = await token.batchIdOf(REGISTRY_ID, serialPrefix);
    const c = {
      ...a,
      batchId,
      registryTxHash: ethers.id(`tx-${a.requestId}`),
      serialRangeHash: ethers.id("range"),
      releasedBlockKey: ethers.ZeroHash,
    };
    await bridge.confirmWithdrawal(c, await quorum(withdrawalConfirmedTypes, c));
  }

  async function rejectWithdrawal(a: WithdrawalAnswer): Promise<void> {
    const batchId = await token.batchIdOf(REGISTRY_ID, serialPrefix);
    const r = { ...a, batchId, reasonHash: ethers.id("account closed") };
    await bridge.rejectWithdrawal(r, await quorum(withdrawalRejectedTypes, r));
  }

  return {
    identity,
    token,
    bridge,
    admin,
    kycAgent,
    agent,
    guardian,
    oracles,
    threshold: THRESHOLD,
    registryId: REGISTRY_ID,
    deposit,
    confirmWithdrawal,
    rejectWithdrawal,
  };
}

export type LocalCore = Awaited<ReturnType<typeof deployLocalCore>>;
