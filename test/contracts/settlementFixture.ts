/**
 * Settlement fixture: the core platform (identity registry, credit token, registry bridge with a 2-of-3 oracle
 * set) plus Settlement, a 6-decimal test payment token, verified sellers and buyers holding credits and payment,
 * approvals in place, and helpers to build and sign orders, deals and oracle attestations.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer, TypedDataDomain } from "ethers";
import {
  SIDE_SELL,
  dealTypes,
  orderTypes,
  settlementDomain,
  signDealCondition,
  type Deal,
  type Order,
} from "../../backend/src/chain/orders";
import { deploySettlement } from "../../scripts/lib/deploySettlement";
import { REGISTRY_VERRA, THRESHOLD, deployCoreFixture } from "./fixtures";
import { sortSigners, type WithdrawalConfirmed } from "../../backend/src/chain/attestations";
import type { ReentrantPaymentToken, ReentrantSettlementReceiver, Settlement } from "../../typechain-types";

type Address = `0x${string}`;
/** Overrides with plain strings where the type wants `0x${string}` (ethers hands out plain strings). */
type Loose<T> = { [K in keyof T]?: T[K] extends Address ? string : T[K] };
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
const mutableTypes = <T extends Record<string, readonly { name: string; type: string }[]>>(t: T) =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.map((x) => ({ ...x }))])) as Mutable<T>;

export const FEE_BPS = 100; // 1 %
export const INITIAL_CREDITS = 1_000n;
export const INITIAL_USD = 10n ** 15n; // 1e9 USD at 6 decimals
export const UNIT_PRICE = 12_340_000n; // 12.34 USD per credit

export async function deploySettlementFixture() {
  const core = await deployCoreFixture();
  const { identityRegistry: identity, creditToken: token, registryBridge: bridge, kycAgent, relayer } = core;
  const signers = await ethers.getSigners();
  const pick = (i: number) => signers[i] as HardhatEthersSigner;
  // deployCoreFixture uses signers 0-9 and mnemonic indices 16-19 for oracles
  const [seller, seller2, buyer, buyer2, feeRecipient] = [pick(10), pick(11), pick(12), pick(13), pick(14)];

  const { settlement, paymentToken } = await deploySettlement(core.core, {
    feeRecipient: feeRecipient.address,
    feeBps: FEE_BPS,
  });
  if (paymentToken === undefined) throw new Error("test payment token expected on the local chain");
  const usd = paymentToken;
  const settlementAddress = await settlement.getAddress();
  const usdAddress = (await usd.getAddress()) as Address;

  const farFuture = 2n ** 63n;
  for (const s of [seller, seller2, buyer, buyer2, feeRecipient]) {
    await identity.connect(kycAgent).registerIdentity(s.address, 356, farFuture);
  }
  const { batchId } = await core.deposit(seller.address, INITIAL_CREDITS);
  for (const s of [seller2, buyer, buyer2]) await core.deposit(s.address, INITIAL_CREDITS);
  for (const s of [seller, seller2, buyer, buyer2]) {
    await usd.mint(s.address, INITIAL_USD);
    await usd.connect(s).approve(settlementAddress, ethers.MaxUint256);
    await token.connect(s).setApprovalForAll(settlementAddress, true);
  }
  await usd.mint(feeRecipient.address, 1n);

  const chainId = (await ethers.provider.getNetwork()).chainId;
  const domain: TypedDataDomain = {
    name: "CarbonSettlement",
    version: "1",
    chainId,
    verifyingContract: settlementAddress,
  };
  const ethersOrderTypes = mutableTypes(orderTypes);
  const ethersDealTypes = mutableTypes(dealTypes);
  const viemDomain = settlementDomain({ chainId, verifyingContract: settlementAddress as Address });

  let saltCounter = 1_000n;
  async function order(overrides: Loose<Order> = {}): Promise<Order> {
    const maker = (overrides.maker ?? seller.address) as Address;
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
      expiry: BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 3_600n,
      salt: ++saltCounter,
      counter: await settlement.counterOf(maker),
      ...overrides,
    } as Order;
  }

  async function deal(overrides: Loose<Deal> = {}): Promise<Deal> {
    return {
      seller: seller.address as Address,
      buyer: buyer.address as Address,
      batchId,
      amount: 10n,
      unitPrice: UNIT_PRICE,
      paymentToken: usdAddress,
      conditions: 0n,
      buyerRegistryAccount: ethers.ZeroHash as Address,
      deadline: BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 7n * 86_400n,
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
    count: number = THRESHOLD,
    verifyingContract: string = settlementAddress,
  ): Promise<string[]> {
    const oracles = sortSigners(core.oracles).slice(0, count);
    const d = { ...viemDomain, verifyingContract: verifyingContract as Address };
    const attestation = { dealId: dealId as Address, condition, evidence: evidence as Address };
    return Promise.all(oracles.map((o) => signDealCondition({ signer: o, domain: d, attestation })));
  }

  type WithdrawalAnswer = { requestId: string; holder: string; amount: bigint; registryAccount: string };
  const withdrawalRequest = (a: WithdrawalAnswer) => ({
    requestId: a.requestId as Address,
    holder: a.holder as Address,
    batchId,
    amount: a.amount,
    registryAccount: a.registryAccount as Address,
    key: ethers.ZeroHash as Address,
  });
  /** The oracles attest that the registry delivered a withdrawal; the relayer confirms it on the bridge. */
  async function confirmWithdrawal(a: WithdrawalAnswer): Promise<void> {
    const message: WithdrawalConfirmed = core.withdrawalConfirmation(withdrawalRequest(a));
    await bridge.connect(relayer).confirmWithdrawal(message, await core.quorum("WithdrawalConfirmed", message));
  }
  /** The oracles attest that the registry refused a withdrawal; the relayer rejects it on the bridge. */
  async function rejectWithdrawal(a: WithdrawalAnswer): Promise<void> {
    const message = core.withdrawalRejection(withdrawalRequest(a));
    await bridge.connect(relayer).rejectWithdrawal(message, await core.quorum("WithdrawalRejected", message));
  }

  /** Credit and payment balances of `holders` (credits of the fixture batch). */
  async function snapshot(holders: string[]): Promise<bigint[]> {
    const out: bigint[] = [];
    for (const h of holders) out.push(await token.balanceOf(h, batchId), await usd.balanceOf(h));
    out.push(await token.balanceOf(settlementAddress, batchId), await usd.balanceOf(settlementAddress));
    return out;
  }

  async function deployOtherSettlement(): Promise<Settlement> {
    return (await deploySettlement(core.core, { deployTestPaymentToken: false })).settlement;
  }

  async function deployReentrantReceiver(): Promise<ReentrantSettlementReceiver> {
    const receiver = await (await ethers.getContractFactory("ReentrantSettlementReceiver")).deploy();
    const address = await receiver.getAddress();
    await identity.connect(kycAgent).registerIdentity(address, 356, farFuture);
    await usd.mint(address, INITIAL_USD);
    await receiver.approveToken(usdAddress, settlementAddress, ethers.MaxUint256);
    return receiver;
  }

  async function deployReentrantPaymentToken(): Promise<ReentrantPaymentToken> {
    const evil = await (await ethers.getContractFactory("ReentrantPaymentToken")).deploy();
    await settlement.connect(core.admin).setPaymentToken(await evil.getAddress(), true);
    for (const s of [seller, seller2, buyer, buyer2]) {
      await evil.mint(s.address, INITIAL_USD);
      await evil.connect(s).approve(settlementAddress, ethers.MaxUint256);
    }
    return evil;
  }

  return {
    ...core,
    identity,
    token,
    bridge,
    registryId: REGISTRY_VERRA,
    settlement,
    usd,
    seller,
    seller2,
    buyer,
    buyer2,
    feeRecipient,
    batchId,
    domain,
    orderTypes: ethersOrderTypes,
    FEE_BPS,
    INITIAL_CREDITS,
    UNIT_PRICE,
    THRESHOLD,
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

export type SettlementFixture = Awaited<ReturnType<typeof deploySettlementFixture>>;
