/**
 * The one full-platform fixture of the custody contracts (ERC-3643 style): identity registry, credit token and
 * registry bridge deployed and wired by `scripts/lib/deployCore.ts`, a 2-of-3 oracle set of viem accounts, three
 * verified holders, and helpers that build and sign attestations with `backend/src/chain/attestations.ts`.
 * Load it with `loadFixture(deployCoreFixture)`; Settlement's tests can build on it.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { type Hex, type LocalAccount, keccak256, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { CreditToken } from "../../typechain-types";
import {
  type CustodyMovement,
  custodyHeadsOf,
  type AttestationKind,
  type AttestationMessages,
  type DepositConfirmed,
  type RetirementConfirmed,
  type RetirementRejected,
  type WithdrawalConfirmed,
  type WithdrawalRejected,
  batchIdOf,
  blockKeyOf,
  bridgeDomain,
  detailsHashOf,
  requestIdOf,
  signQuorum,
  sortSigners,
} from "../../backend/src/chain/attestations";
import { deployCore } from "../../scripts/lib/deployCore";

export const MNEMONIC = "test test test test test test test test test test test junk";
export const THRESHOLD = 2;
export const REQUEST_WINDOW = 7 * 24 * 3600;
export const COUNTRY_UK = 826;
export const SERIAL_PREFIX = "VCS-1234-2021";
export const REGISTRY_VERRA = 1;
export const REGISTRY_GOLD = 2;
export const DETAILS = { beneficiary: "Acme Ltd", reason: "FY2025 scope 3 offset" };
/** Start of the default withdrawn range of `withdrawalConfirmation`: above every serial the fixture deposits. */
const WITHDRAWN_ELSEWHERE = 1n << 40n;

type Address = `0x${string}`;
const addr = (s: { address: string }) => s.address as Address;

export async function deployCoreFixture() {
  const signers = await ethers.getSigners();
  const pick = (i: number) => signers[i] as HardhatEthersSigner;
  const [admin, guardian, agent, kycAgent, pauser, alice, bob, carol, relayer, outsider] = [
    pick(0), pick(1), pick(2), pick(3), pick(4), pick(5), pick(6), pick(7), pick(8), pick(9),
  ];
  const oracles: LocalAccount[] = [16, 17, 18].map((i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));
  const strangerOracle: LocalAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 19 });

  const core = await deployCore(
    { ethers },
    {
      admin: admin.address,
      guardian: guardian.address,
      agent: agent.address,
      kycAgent: kycAgent.address,
      pauser: pauser.address,
      oracles: oracles.map((o) => o.address),
      threshold: THRESHOLD,
      requestWindowSeconds: REQUEST_WINDOW,
    },
    admin,
  );
  const { identityRegistry, creditToken, registryBridge, addresses } = core;
  const expiry = BigInt(await time.latest()) + 365n * 24n * 3600n;
  for (const holder of [alice, bob, carol]) {
    await identityRegistry.connect(kycAgent).registerIdentity(holder.address, COUNTRY_UK, expiry);
  }
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const domain = bridgeDomain({ chainId, verifyingContract: addresses.registryBridge as Address });
  const quorumSigners = sortSigners(oracles).slice(0, THRESHOLD);

  /** Signatures of the first `THRESHOLD` oracles (sorted), or of `accounts`. */
  function quorum<K extends AttestationKind>(
    kind: K,
    message: AttestationMessages[K],
    accounts: readonly LocalAccount[] = quorumSigners,
  ): Promise<Hex[]> {
    return signQuorum({ accounts, domain, kind, message });
  }

  let nextSerial = 1_000_000n;
  let depositCount = 0;
  /** A `DepositConfirmed` for `amount` fresh serials of `serialPrefix` to `holder`. */
  function depositMessage(holder: string, amount: bigint, o: Partial<DepositConfirmed> = {}): DepositConfirmed {
    const blockStart = o.blockStart ?? nextSerial;
    const blockEnd = o.blockEnd ?? blockStart + amount - 1n;
    if (o.blockStart === undefined) nextSerial = blockEnd + 1n;
    depositCount += 1;
    return {
      depositId: o.depositId ?? keccak256(toHex(`deposit-${depositCount}-${blockStart}`)),
      holder: (o.holder ?? holder) as Address,
      registryId: o.registryId ?? REGISTRY_VERRA,
      serialPrefix: o.serialPrefix ?? SERIAL_PREFIX,
      projectId: o.projectId ?? keccak256(toHex("VCS-1234")),
      vintage: o.vintage ?? 2021,
      unitType: o.unitType ?? 1,
      blockStart,
      blockEnd,
    };
  }

  /**
   * Oracles attest and the relayer confirms a deposit with the exact overlap-check hint (`depositHintOf`), as the
   * backend's aggregator does; returns the message and its batch id and block key.
   */
  async function deposit(holder: string, amount: bigint, o: Partial<DepositConfirmed> = {}) {
    const message = depositMessage(holder, amount, o);
    const batchId = batchIdOf(message.registryId, message.serialPrefix);
    const hint = await registryBridge.depositHintOf(batchId, message.blockStart);
    await registryBridge.connect(relayer).confirmDeposit(message, await quorum("DepositConfirmed", message), hint);
    return { message, batchId, blockKey: blockKeyOf(batchId, message.blockStart, message.blockEnd) };
  }

  let keyCount = 0;
  const nextKey = () => keccak256(toHex(`idempotency-${++keyCount}`));

  /** `holder` requests the retirement of `amount` of `batchId`; returns the request id and the answer fields. */
  async function requestRetirement(holder: HardhatEthersSigner, batchId: bigint, amount: bigint, key: Hex = nextKey()) {
    await registryBridge.connect(holder).requestRetirement(batchId, amount, key, DETAILS);
    const requestId = requestIdOf(addr(holder), key);
    return { requestId, key, holder: addr(holder), batchId, amount, detailsHash: detailsHashOf(DETAILS) };
  }

  /** `holder` requests a withdrawal of `amount` of `batchId` to `registryAccount`. */
  async function requestWithdrawal(
    holder: HardhatEthersSigner,
    batchId: bigint,
    amount: bigint,
    key: Hex = nextKey(),
    registryAccount: Hex = keccak256(toHex("VERRA-ACCOUNT-42")),
  ) {
    await registryBridge.connect(holder).requestWithdrawal(batchId, amount, key, registryAccount);
    return { requestId: requestIdOf(addr(holder), key), key, holder: addr(holder), batchId, amount, registryAccount };
  }

  type RetReq = Awaited<ReturnType<typeof requestRetirement>>;
  type WdReq = Awaited<ReturnType<typeof requestWithdrawal>>;
  const retirementConfirmation = (r: RetReq, tag = "1"): RetirementConfirmed => ({
    requestId: r.requestId,
    holder: r.holder,
    batchId: r.batchId,
    amount: r.amount,
    detailsHash: r.detailsHash,
    retirementIdHash: keccak256(toHex(`VERRA-RET-${tag}`)),
    serialRangeHash: keccak256(toHex(`range-${tag}`)),
  });
  const retirementRejection = (r: RetReq, reason = "insufficient"): RetirementRejected => ({
    requestId: r.requestId,
    holder: r.holder,
    batchId: r.batchId,
    amount: r.amount,
    detailsHash: r.detailsHash,
    reasonHash: keccak256(toHex(reason)),
  });
  /**
   * The oracles' answer to a withdrawal: `block` is the unit range that left custody. By default a range of the
   * request's amount far above every fixture serial (a part of a deposited block, which releases nothing).
   */
  const withdrawalConfirmation = (r: WdReq, block?: { blockStart: bigint; blockEnd: bigint }): WithdrawalConfirmed => ({
    requestId: r.requestId,
    holder: r.holder,
    batchId: r.batchId,
    amount: r.amount,
    registryAccount: r.registryAccount,
    registryTxHash: keccak256(toHex(`tx-${r.requestId}`)),
    serialRangeHash: keccak256(toHex(`wd-range-${r.requestId}`)),
    blockStart: block?.blockStart ?? WITHDRAWN_ELSEWHERE,
    blockEnd: block?.blockEnd ?? WITHDRAWN_ELSEWHERE + r.amount - 1n,
  });
  const withdrawalRejection = (r: WdReq, reason = "account closed"): WithdrawalRejected => ({
    requestId: r.requestId,
    holder: r.holder,
    batchId: r.batchId,
    amount: r.amount,
    registryAccount: r.registryAccount,
    reasonHash: keccak256(toHex(reason)),
  });

  return {
    core,
    identityRegistry,
    creditToken,
    registryBridge,
    addresses,
    admin,
    guardian,
    agent,
    kycAgent,
    pauser,
    alice,
    bob,
    carol,
    relayer,
    outsider,
    oracles,
    strangerOracle,
    quorumSigners,
    domain,
    chainId,
    expiry,
    quorum,
    depositMessage,
    deposit,
    nextKey,
    requestRetirement,
    requestWithdrawal,
    retirementConfirmation,
    retirementRejection,
    withdrawalConfirmation,
    withdrawalRejection,
  };
}

export type CoreFixture = Awaited<ReturnType<typeof deployCoreFixture>>;

/** Every movement of the token from its TransferSingle / TransferBatch logs, in log order. */
export async function movementsFromLogs(token: CreditToken): Promise<CustodyMovement[]> {
  const single = await token.queryFilter(token.filters.TransferSingle());
  const batch = await token.queryFilter(token.filters.TransferBatch());
  type Entry = { block: number; index: number; moves: CustodyMovement[] };
  const entries: Entry[] = [
    ...single.map((e) => ({
      block: e.blockNumber,
      index: e.index,
      moves: [{ batchId: e.args[3], from: e.args[1] as Address, to: e.args[2] as Address, value: e.args[4] }],
    })),
    ...batch.map((e) => {
      // positional: a Result's `.values` is Array.prototype.values
      const ids = [...e.args[3]];
      const values = [...e.args[4]];
      return {
        block: e.blockNumber,
        index: e.index,
        moves: ids.map((batchId, i) => ({
          batchId,
          from: e.args[1] as Address,
          to: e.args[2] as Address,
          value: values[i] ?? 0n,
        })),
      };
    }),
  ];
  entries.sort((a, b) => a.block - b.block || a.index - b.index);
  return entries.flatMap((e) => e.moves);
}

/** Custody heads per batch recomputed from the token's ERC-1155 logs alone (what an auditor does). */
export async function custodyHeadsFromLogs(token: CreditToken): Promise<Map<bigint, Hex>> {
  return custodyHeadsOf(await movementsFromLogs(token));
}
