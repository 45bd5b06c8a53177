/**
 * The one full-platform fixture of the contract tests and the gas benchmarks, in the manner of ERC-3643 (T-REX):
 * everything deployed and wired once, loaded with `loadFixture`, which reverts to its snapshot for every test.
 *
 * - `deployPlatformFixture`: identity registry, credit token and registry bridge (`scripts/lib/deployCore.ts`)
 *   with a 2-of-3 oracle set of viem accounts, Settlement with its listed test payment token
 *   (`scripts/lib/deploySettlement.ts`), the holders alice, bob and carol verified (accounts 9 and up are not:
 *   the tests' unverified wallets), no credits yet.
 * - `deployTradingFixture`: the same, with the traders (seller, seller2, buyer, buyer2, feeRecipient) verified and
 *   holding credits of the fixture batch and payment, approvals in place: where Settlement's tests and benchmarks
 *   start.
 *
 * Attestations, orders and deals are built and signed with the backend's own code (`backend/src/chain/*`), so
 * every test also proves the backend and the contracts agree.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer, TypedDataDomain } from "ethers";
import { type Hex, type LocalAccount, keccak256, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import {
  type AttestationKind,
  type AttestationMessages,
  type DepositConfirmed,
  type RetirementConfirmed,
  type RetirementRejected,
  type WithdrawalConfirmed,
  type WithdrawalRejected,
  batchIdOf,
  blockKeyOf,
  bridgeDomain as bridgeDomainOf,
  detailsHashOf,
  requestIdOf,
  signQuorum,
  sortSigners,
} from "../../backend/src/chain/attestations";
import {
  SIDE_SELL,
  type Deal,
  type Order,
  dealTypes,
  orderTypes,
  settlementDomain,
  signDealCondition,
} from "../../backend/src/chain/orders";
import { deployCore } from "../../scripts/lib/deployCore";
import { deploySettlement } from "../../scripts/lib/deploySettlement";
import type { ReentrantPaymentToken, ReentrantSettlementReceiver, Settlement } from "../../typechain-types";

export const MNEMONIC = "test test test test test test test test test test test junk";
export const THRESHOLD = 2;
export const REQUEST_WINDOW = 7 * 24 * 3600;
export const COUNTRY_UK = 826;
export const COUNTRY_IN = 356;
export const SERIAL_PREFIX = "VCS-1234-2021";
export const REGISTRY_VERRA = 1;
export const REGISTRY_GOLD = 2;
export const DETAILS = { beneficiary: "Acme Ltd", reason: "FY2025 scope 3 offset" };
export const FEE_BPS = 100; // 1 %
export const INITIAL_CREDITS = 1_000n;
export const INITIAL_USD = 10n ** 15n; // 1e9 USD at 6 decimals
export const UNIT_PRICE = 12_340_000n; // 12.34 USD per credit
/** Start of the default withdrawn range of `withdrawalConfirmation`: above every serial the fixture deposits. */
const WITHDRAWN_ELSEWHERE = 1n << 40n;
const FAR_FUTURE = 2n ** 63n;

type Address = `0x${string}`;
/** Overrides with plain strings where the type wants `0x${string}` (ethers hands out plain strings). */
type Loose<T> = { [K in keyof T]?: T[K] extends Address ? string : T[K] };
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
const mutableTypes = <T extends Record<string, readonly { name: string; type: string }[]>>(t: T) =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.map((x) => ({ ...x }))])) as Mutable<T>;
const addr = (s: { address: string }) => s.address as Address;

/** Hardhat accounts 0-14 by role; oracles are mnemonic indices 16-18 (19: a key outside the set). */
async function accounts() {
  const signers = await ethers.getSigners();
  const pick = (i: number) => signers[i] as HardhatEthersSigner;
  const [admin, guardian, agent, kycAgent, pauser] = [pick(0), pick(1), pick(2), pick(3), pick(4)];
  const [alice, bob, carol, relayer, outsider] = [pick(5), pick(6), pick(7), pick(8), pick(9)];
  const [seller, seller2, buyer, buyer2, feeRecipient] = [pick(10), pick(11), pick(12), pick(13), pick(14)];
  const oracles: LocalAccount[] = [16, 17, 18].map((i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));
  const strangerOracle: LocalAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 19 });
  const holders = { alice, bob, carol, seller, seller2, buyer, buyer2, feeRecipient, outsider };
  return { admin, guardian, agent, kycAgent, pauser, relayer, ...holders, oracles, strangerOracle };
}

/** The contracts deployed and wired, the custody holders verified. */
async function deployContracts() {
  const a = await accounts();
  const core = await deployCore(
    { ethers },
    {
      admin: a.admin.address,
      guardian: a.guardian.address,
      agent: a.agent.address,
      kycAgent: a.kycAgent.address,
      pauser: a.pauser.address,
      oracles: a.oracles.map((o) => o.address),
      threshold: THRESHOLD,
      requestWindowSeconds: REQUEST_WINDOW,
    },
    a.admin,
  );
  const { settlement, paymentToken } = await deploySettlement(core, { feeRecipient: a.feeRecipient.address, feeBps: FEE_BPS });
  if (paymentToken === undefined) throw new Error("test payment token expected on the local chain");
  const { identityRegistry, creditToken, registryBridge, addresses } = core;
  const expiry = BigInt(await time.latest()) + 365n * 24n * 3600n;
  for (const holder of [a.alice, a.bob, a.carol]) {
    await identityRegistry.connect(a.kycAgent).registerIdentity(holder.address, COUNTRY_UK, expiry);
  }
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { ...a, core, identityRegistry, creditToken, registryBridge, addresses, settlement, usd: paymentToken, chainId, expiry };
}

type Base = Awaited<ReturnType<typeof deployContracts>>;
type Custody = ReturnType<typeof custodyHelpers>;

/** The platform deployed and wired, the custody holders verified, no credits yet; with its test helpers. */
export async function deployPlatformFixture() {
  const base = await deployContracts();
  const custody = custodyHelpers(base);
  return { ...base, ...custody, ...(await marketHelpers(base, custody)) };
}

export type PlatformFixture = Awaited<ReturnType<typeof deployPlatformFixture>>;

/** The platform with the traders holding credits of the fixture batch and payment, approvals in place. */
export async function deployTradingFixture() {
  const f = await deployPlatformFixture();
  const { settlement, usd, creditToken } = f;
  const settlementAddress = await settlement.getAddress();
  for (const trader of [f.seller, f.seller2, f.buyer, f.buyer2, f.feeRecipient]) {
    await f.identityRegistry.connect(f.kycAgent).registerIdentity(trader.address, COUNTRY_IN, FAR_FUTURE);
  }
  for (const s of [f.seller, f.seller2, f.buyer, f.buyer2]) await f.deposit(s.address, INITIAL_CREDITS);
  for (const s of [f.seller, f.seller2, f.buyer, f.buyer2]) {
    await usd.mint(s.address, INITIAL_USD);
    await usd.connect(s).approve(settlementAddress, ethers.MaxUint256);
    await creditToken.connect(s).setApprovalForAll(settlementAddress, true);
  }
  await usd.mint(f.feeRecipient.address, 1n);
  return f;
}

export type TradingFixture = Awaited<ReturnType<typeof deployTradingFixture>>;

/** Attestations signed by the oracle set, deposits, and retirement and withdrawal requests with their answers. */
function custodyHelpers(f: Base) {
  const domain = bridgeDomainOf({ chainId: f.chainId, verifyingContract: f.addresses.registryBridge as Address });
  const quorumSigners = sortSigners(f.oracles).slice(0, THRESHOLD);

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
    const hint = await f.registryBridge.depositHintOf(batchId, message.blockStart);
    await f.registryBridge.connect(f.relayer).confirmDeposit(message, await quorum("DepositConfirmed", message), hint);
    return { message, batchId, blockKey: blockKeyOf(batchId, message.blockStart, message.blockEnd) };
  }

  let keyCount = 0;
  const nextKey = () => keccak256(toHex(`idempotency-${++keyCount}`));

  /** `holder` requests the retirement of `amount` of `batchId`; returns the request id and the answer fields. */
  async function requestRetirement(holder: HardhatEthersSigner, batchId: bigint, amount: bigint, key: Hex = nextKey()) {
    await f.registryBridge.connect(holder).requestRetirement(batchId, amount, key, DETAILS);
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
    await f.registryBridge.connect(holder).requestWithdrawal(batchId, amount, key, registryAccount);
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
    bridgeDomain: domain,
    quorumSigners,
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

/** Orders and deals on the fixture batch, signed as wallets sign them, and the oracles' deal attestations. */
async function marketHelpers(f: Base, custody: Custody) {
  const { settlement, usd } = f;
  const settlementAddress = await settlement.getAddress();
  const usdAddress = (await usd.getAddress()) as Address;
  const batchId = batchIdOf(REGISTRY_VERRA, SERIAL_PREFIX);
  const domain: TypedDataDomain = {
    name: "CarbonSettlement",
    version: "1",
    chainId: f.chainId,
    verifyingContract: settlementAddress,
  };
  const ethersOrderTypes = mutableTypes(orderTypes);
  const ethersDealTypes = mutableTypes(dealTypes);
  const viemDomain = settlementDomain({ chainId: f.chainId, verifyingContract: settlementAddress as Address });
  const latest = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

  let saltCounter = 1_000n;
  async function order(overrides: Loose<Order> = {}): Promise<Order> {
    const maker = (overrides.maker ?? f.seller.address) as Address;
    return {
      side: SIDE_SELL,
      maker,
      taker: ethers.ZeroAddress as Address,
      batchId,
      amount: 10n,
      unitPrice: UNIT_PRICE,
      paymentToken: usdAddress,
      maxFeeBps: FEE_BPS,
      minFill: 0n,
      expiry: (await latest()) + 3_600n,
      salt: ++saltCounter,
      counter: await settlement.counterOf(maker),
      ...overrides,
    } as Order;
  }

  async function deal(overrides: Loose<Deal> = {}): Promise<Deal> {
    return {
      seller: f.seller.address as Address,
      buyer: f.buyer.address as Address,
      batchId,
      amount: 10n,
      unitPrice: UNIT_PRICE,
      paymentToken: usdAddress,
      conditions: 0n,
      buyerRegistryAccount: ethers.ZeroHash as Address,
      deadline: (await latest()) + 7n * 86_400n,
      salt: ++saltCounter,
      ...overrides,
    } as Deal;
  }

  type TypedSigner = Pick<Signer, "signTypedData">;
  const sign = (o: Order, signer: TypedSigner) => signer.signTypedData(domain, ethersOrderTypes, o);
  const signDeal = (d: Deal, signer: TypedSigner) => signer.signTypedData(domain, ethersDealTypes, d);

  /** Oracle signatures (ascending signer order, as the bridge requires) over a deal-condition attestation. */
  async function attest(
    dealId: string,
    condition: number,
    evidence: string,
    count = THRESHOLD,
    verifyingContract = settlementAddress,
  ) {
    const oracles = sortSigners(f.oracles).slice(0, count);
    const d = { ...viemDomain, verifyingContract: verifyingContract as Address };
    const attestation = { dealId: dealId as Address, condition, evidence: evidence as Address };
    return Promise.all(oracles.map((o) => signDealCondition({ signer: o, domain: d, attestation })));
  }

  type WithdrawalAnswer = { requestId: string; holder: string; amount: bigint; registryAccount: string };
  const withdrawalRequest = (w: WithdrawalAnswer) => ({
    requestId: w.requestId as Address,
    holder: w.holder as Address,
    batchId,
    amount: w.amount,
    registryAccount: w.registryAccount as Address,
    key: ethers.ZeroHash as Address,
  });
  /** The oracles attest that the registry delivered a withdrawal; the relayer confirms it on the bridge. */
  async function confirmWithdrawal(w: WithdrawalAnswer): Promise<void> {
    const message = custody.withdrawalConfirmation(withdrawalRequest(w));
    await f.registryBridge.connect(f.relayer).confirmWithdrawal(message, await custody.quorum("WithdrawalConfirmed", message));
  }
  /** The oracles attest that the registry refused a withdrawal; the relayer rejects it on the bridge. */
  async function rejectWithdrawal(w: WithdrawalAnswer): Promise<void> {
    const message = custody.withdrawalRejection(withdrawalRequest(w));
    await f.registryBridge.connect(f.relayer).rejectWithdrawal(message, await custody.quorum("WithdrawalRejected", message));
  }

  /** Credit and payment balances of `holders` (credits of the fixture batch), then Settlement's own. */
  async function snapshot(holders: string[]): Promise<bigint[]> {
    const out: bigint[] = [];
    for (const h of holders) out.push(await f.creditToken.balanceOf(h, batchId), await usd.balanceOf(h));
    out.push(await f.creditToken.balanceOf(settlementAddress, batchId), await usd.balanceOf(settlementAddress));
    return out;
  }

  async function deployOtherSettlement(): Promise<Settlement> {
    return (await deploySettlement(f.core, { deployTestPaymentToken: false })).settlement;
  }

  async function deployReentrantReceiver(): Promise<ReentrantSettlementReceiver> {
    const receiver = await (await ethers.getContractFactory("ReentrantSettlementReceiver")).deploy();
    await f.identityRegistry.connect(f.kycAgent).registerIdentity(await receiver.getAddress(), COUNTRY_IN, FAR_FUTURE);
    await usd.mint(await receiver.getAddress(), INITIAL_USD);
    await receiver.approveToken(usdAddress, settlementAddress, ethers.MaxUint256);
    return receiver;
  }

  async function deployReentrantPaymentToken(): Promise<ReentrantPaymentToken> {
    const evil = await (await ethers.getContractFactory("ReentrantPaymentToken")).deploy();
    await settlement.connect(f.admin).setPaymentToken(await evil.getAddress(), true);
    for (const s of [f.seller, f.seller2, f.buyer, f.buyer2]) {
      await evil.mint(s.address, INITIAL_USD);
      await evil.connect(s).approve(settlementAddress, ethers.MaxUint256);
    }
    return evil;
  }

  return {
    registryId: REGISTRY_VERRA,
    batchId,
    settlementDomain: domain,
    orderTypes: ethersOrderTypes,
    order,
    deal,
    sign,
    signDeal,
    attest,
    confirmWithdrawal,
    rejectWithdrawal,
    snapshot,
    deployOtherSettlement,
    deployReentrantReceiver,
    deployReentrantPaymentToken,
  };
}
