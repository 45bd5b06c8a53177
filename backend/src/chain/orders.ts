/**
 * EIP-712 types of `contracts/Settlement.sol`: the maker-signed `Order` (sell orders and bids, told apart by
 * `side`), the two-party `Deal` and the oracles' `DealConditionAttested`. Builds, hashes and signs them with viem.
 *
 * The type definitions below are written one field per line and mirror the Solidity type strings
 * (`_ORDER_TYPEHASH`, `_DEAL_TYPEHASH`, `_ATTESTATION_TYPEHASH`) field for field; the contract tests prove that
 * `hashOrder` / `hashDeal` here equal the contract's hash views and that signatures made here verify on-chain.
 *
 * The `Order` type string, as the contract hashes it (one field per line; docs/api.md publishes the same):
 *
 *     Order(
 *       uint8 side,
 *       address maker,
 *       address taker,
 *       uint256 batchId,
 *       uint256 amount,
 *       uint256 unitPrice,
 *       address paymentToken,
 *       uint16 maxFeeBps,
 *       uint256 minFill,
 *       uint256 expiry,
 *       uint256 salt,
 *       uint256 counter
 *     )
 */
import {
  type Address,
  type Hex,
  type TypedDataDomain,
  hashTypedData,
  zeroAddress,
  toHex,
} from "viem";
import { ValidationError } from "../errors";
import { BPS, CONDITION_FIAT_PAYMENT_RECEIVED, CONDITION_REGISTRY_DELIVERY, SIDE_BUY, SIDE_SELL } from "./bridge";

/** The Settlement constants the order and deal builders use, re-exported for their callers (defined in bridge.ts). */
export { BPS, CONDITION_FIAT_PAYMENT_RECEIVED, CONDITION_REGISTRY_DELIVERY, SIDE_BUY, SIDE_SELL };

/** EIP-712 domain name and version of Settlement (its constructor). */
export const SETTLEMENT_DOMAIN_NAME = "CarbonSettlement";
export const SETTLEMENT_DOMAIN_VERSION = "1";

/** Upper bound of a fee cap in basis points (100 %); Settlement's own fee is at most `MAX_FEE_BPS` = 1,000. */
const MAX_BPS = 10_000;

export const orderTypes = {
  Order: [
    { name: "side", type: "uint8" },
    { name: "maker", type: "address" },
    { name: "taker", type: "address" },
    { name: "batchId", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "unitPrice", type: "uint256" },
    { name: "paymentToken", type: "address" },
    { name: "maxFeeBps", type: "uint16" },
    { name: "minFill", type: "uint256" },
    { name: "expiry", type: "uint256" },
    { name: "salt", type: "uint256" },
    { name: "counter", type: "uint256" },
  ],
} as const;

export const dealTypes = {
  Deal: [
    { name: "seller", type: "address" },
    { name: "buyer", type: "address" },
    { name: "batchId", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "unitPrice", type: "uint256" },
    { name: "paymentToken", type: "address" },
    { name: "conditions", type: "uint256" },
    { name: "buyerRegistryAccount", type: "bytes32" },
    { name: "deadline", type: "uint256" },
    { name: "salt", type: "uint256" },
  ],
} as const;

export const dealConditionAttestedTypes = {
  DealConditionAttested: [
    { name: "dealId", type: "bytes32" },
    { name: "condition", type: "uint8" },
    { name: "evidence", type: "bytes32" },
  ],
} as const;

export type Order = {
  side: number;
  maker: Address;
  taker: Address;
  batchId: bigint;
  amount: bigint;
  unitPrice: bigint;
  paymentToken: Address;
  /** The highest platform fee (basis points) the maker accepts; Settlement refuses fills while the fee is above it. */
  maxFeeBps: number;
  minFill: bigint;
  expiry: bigint;
  salt: bigint;
  counter: bigint;
};

export type Deal = {
  seller: Address;
  buyer: Address;
  batchId: bigint;
  amount: bigint;
  unitPrice: bigint;
  paymentToken: Address;
  conditions: bigint;
  buyerRegistryAccount: Hex;
  deadline: bigint;
  salt: bigint;
};

export type DealConditionAttested = { dealId: Hex; condition: number; evidence: Hex };

/** Anything that signs EIP-712 data the viem way: a `LocalAccount` (`privateKeyToAccount`) or a JSON-RPC account. */
export type TypedDataSigner = {
  address: Address;
  signTypedData: (args: {
    domain: TypedDataDomain;
    types: Record<string, readonly { name: string; type: string }[]>;
    primaryType: string;
    message: Record<string, unknown>;
  }) => Promise<Hex>;
};

export type SettlementDomainParameters = { chainId: number | bigint; verifyingContract: Address };
export type SettlementDomainReturnType = TypedDataDomain;

/** The EIP-712 domain of the Settlement deployed at `verifyingContract` on `chainId`. */
export function settlementDomain(params: SettlementDomainParameters): SettlementDomainReturnType {
  return {
    name: SETTLEMENT_DOMAIN_NAME,
    version: SETTLEMENT_DOMAIN_VERSION,
    chainId: Number(params.chainId),
    verifyingContract: params.verifyingContract,
  };
}

export type BuildOrderParameters = {
  side?: number;
  maker: Address;
  taker?: Address;
  batchId: bigint;
  amount: bigint;
  unitPrice: bigint;
  paymentToken: Address;
  /**
   * The highest platform fee in basis points the maker accepts (signed; `Settlement.fee()` is the current one). A
   * fill while the fee is above it reverts with `SettlementFeeAboveOrderCap`, so a fee raised after signing can
   * never cut the seller's proceeds below what was signed.
   */
  maxFeeBps: number;
  minFill?: bigint;
  /** Unix seconds from which the order no longer fills. */
  expiry: bigint;
  /**
   * The maker's order nonce. Settlement keeps two bits per (maker, salt) and 128 nonces per storage word, so a
   * maker numbering its orders 1, 2, 3, ... fills cheaply (one warm word per fill); a random 128-bit salt is used
   * when omitted, which costs a fresh storage word (~17k gas) on the order's closing fill. Two orders of one maker
   * with the same salt share the nonce: filling one in full or cancelling it closes both.
   */
  salt?: bigint;
  /** The maker's current `Settlement.counterOf(maker)`. */
  counter: bigint;
};
export type BuildOrderReturnType = Order;
export type BuildOrderErrorType = ValidationError;

/** Fills in the defaults (sell side, anyone may fill, no minimum fill, random salt) and checks the amounts. */
export function buildOrder(params: BuildOrderParameters): BuildOrderReturnType {
  const order: Order = {
    side: params.side ?? SIDE_SELL,
    maker: params.maker,
    taker: params.taker ?? zeroAddress,
    batchId: params.batchId,
    amount: params.amount,
    unitPrice: params.unitPrice,
    paymentToken: params.paymentToken,
    maxFeeBps: params.maxFeeBps,
    minFill: params.minFill ?? 0n,
    expiry: params.expiry,
    salt: params.salt ?? randomSalt(),
    counter: params.counter,
  };
  if (order.side !== SIDE_SELL && order.side !== SIDE_BUY) throw new ValidationError("side", "must be 0 or 1");
  if (order.amount <= 0n) throw new ValidationError("amount", "must be positive");
  if (order.minFill > order.amount) throw new ValidationError("minFill", "must not exceed amount");
  if (order.unitPrice < 0n) throw new ValidationError("unitPrice", "must not be negative");
  if (!Number.isInteger(order.maxFeeBps) || order.maxFeeBps < 0 || order.maxFeeBps > MAX_BPS) {
    throw new ValidationError("maxFeeBps", `must be an integer from 0 to ${MAX_BPS} (basis points)`);
  }
  return order;
}

export type BuildDealParameters = Omit<Deal, "salt" | "buyerRegistryAccount"> & {
  buyerRegistryAccount?: Hex;
  salt?: bigint;
};
export type BuildDealReturnType = Deal;
export type BuildDealErrorType = ValidationError;

/** Fills in the defaults and applies the contract's condition rules (fiat leg iff no payment token). */
export function buildDeal(params: BuildDealParameters): BuildDealReturnType {
  const deal: Deal = {
    ...params,
    buyerRegistryAccount: params.buyerRegistryAccount ?? toHex(0, { size: 32 }),
    salt: params.salt ?? randomSalt(),
  };
  const fiat = deal.paymentToken === zeroAddress;
  if (deal.amount <= 0n) throw new ValidationError("amount", "must be positive");
  if (deal.conditions > 3n) throw new ValidationError("conditions", "unknown condition bits");
  if (fiat !== ((deal.conditions & BigInt(CONDITION_FIAT_PAYMENT_RECEIVED)) !== 0n)) {
    throw new ValidationError("conditions", "FIAT_PAYMENT_RECEIVED is required exactly when paymentToken is zero");
  }
  const delivery = (deal.conditions & BigInt(CONDITION_REGISTRY_DELIVERY)) !== 0n;
  if (delivery && BigInt(deal.buyerRegistryAccount) === 0n) {
    throw new ValidationError("buyerRegistryAccount", "required for REGISTRY_DELIVERY");
  }
  return deal;
}

export type HashOrderParameters = { domain: TypedDataDomain; order: Order };
/** The EIP-712 digest (equals `Settlement.hashOrder`; the key of the order's fill state). */
export function hashOrder(params: HashOrderParameters): Hex {
  return hashTypedData({ domain: params.domain, types: orderTypes, primaryType: "Order", message: params.order });
}

export type HashDealParameters = { domain: TypedDataDomain; deal: Deal };
/** The EIP-712 digest (equals `Settlement.hashDeal`; the deal id). */
export function hashDeal(params: HashDealParameters): Hex {
  return hashTypedData({ domain: params.domain, types: dealTypes, primaryType: "Deal", message: params.deal });
}

export type HashDealConditionParameters = { domain: TypedDataDomain; attestation: DealConditionAttested };
/** The digest the oracles sign (equals `Settlement.hashDealConditionAttestation`). */
export function hashDealCondition(params: HashDealConditionParameters): Hex {
  return hashTypedData({
    domain: params.domain,
    types: dealConditionAttestedTypes,
    primaryType: "DealConditionAttested",
    message: params.attestation,
  });
}

export type SignOrderParameters = { signer: TypedDataSigner; domain: TypedDataDomain; order: Order };
export type SignOrderErrorType = ValidationError;
/** Signs `order` as its maker. */
export async function signOrder(params: SignOrderParameters): Promise<Hex> {
  if (params.signer.address.toLowerCase() !== params.order.maker.toLowerCase()) {
    throw new ValidationError("signer", "must be the order's maker");
  }
  return params.signer.signTypedData({
    domain: params.domain,
    types: orderTypes,
    primaryType: "Order",
    message: params.order,
  });
}

export type SignDealParameters = { signer: TypedDataSigner; domain: TypedDataDomain; deal: Deal };
export type SignDealErrorType = ValidationError;
/** Signs `deal` as its seller or its buyer (both sign the same digest). */
export async function signDeal(params: SignDealParameters): Promise<Hex> {
  const who = params.signer.address.toLowerCase();
  if (who !== params.deal.seller.toLowerCase() && who !== params.deal.buyer.toLowerCase()) {
    throw new ValidationError("signer", "must be the deal's seller or buyer");
  }
  return params.signer.signTypedData({ domain: params.domain, types: dealTypes, primaryType: "Deal", message: params.deal });
}

export type SignDealConditionParameters = {
  signer: TypedDataSigner;
  domain: TypedDataDomain;
  attestation: DealConditionAttested;
};
/** Signs a deal-condition attestation with an oracle key. */
export async function signDealCondition(params: SignDealConditionParameters): Promise<Hex> {
  return params.signer.signTypedData({
    domain: params.domain,
    types: dealConditionAttestedTypes,
    primaryType: "DealConditionAttested",
    message: params.attestation,
  });
}

export type SplitPriceReturnType = { price: bigint; fee: bigint; sellerProceeds: bigint };
/** Price, fee and seller proceeds of a fill of `amount` at `unitPrice`, with Settlement's rounding (fee down). */
export function splitPrice(amount: bigint, unitPrice: bigint, feeBps: bigint): SplitPriceReturnType {
  const price = amount * unitPrice;
  const fee = (price * feeBps) / BPS;
  return { price, fee, sellerProceeds: price - fee };
}

function randomSalt(): bigint {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return BigInt(toHex(bytes));
}
