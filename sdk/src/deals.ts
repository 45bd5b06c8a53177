/**
 * Escrow deals: both parties sign the same `Deal` (its EIP-712 digest is the deal id), then either sends
 * `Settlement.openDeal(deal, sellerSignature, buyerSignature)`. Conditions: a fiat leg (no payment token) needs
 * FIAT_PAYMENT_RECEIVED; REGISTRY_DELIVERY delivers into the buyer's registry account instead of the wallet.
 */
import { type Address, type Hex, type TypedDataDomain, encodeFunctionData, hashTypedData, toHex, zeroAddress } from "viem";
import type { TypedDataToPrimitiveTypes } from "abitype";
import { settlementAbi } from "./generated/abis";
import { dealTypes } from "./generated/eip712";
import { encodeType } from "./eip712";
import type { ContractCall } from "./orders";

export const CONDITION_FIAT_PAYMENT_RECEIVED = 1n;
export const CONDITION_REGISTRY_DELIVERY = 2n;

export type Deal = TypedDataToPrimitiveTypes<typeof dealTypes>["Deal"];

export class DealInputError extends Error {
  override name = "DealInputError";
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

/** A registry account name as a zero-padded bytes32 (the bridge's `registryAccount`). */
export function registryAccountBytes32(name: string): Hex {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length === 0 || bytes.length > 32) throw new DealInputError("buyerRegistryAccount", "must be 1 to 32 bytes of UTF-8");
  return toHex(bytes, { size: 32 });
}

export type BuildDealParameters = Omit<Deal, "salt" | "buyerRegistryAccount"> & { salt?: bigint; buyerRegistryAccount?: Hex };

export function buildDeal(params: BuildDealParameters): Deal {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  const deal = {
    ...params,
    buyerRegistryAccount: params.buyerRegistryAccount ?? toHex(0, { size: 32 }),
    salt: params.salt ?? BigInt(toHex(bytes)),
  } as Deal;
  if (deal.amount <= 0n) throw new DealInputError("amount", "must be positive");
  if (deal.seller.toLowerCase() === deal.buyer.toLowerCase()) throw new DealInputError("buyer", "must differ from the seller");
  if (deal.conditions > 3n) throw new DealInputError("conditions", "unknown condition bits");
  const fiat = deal.paymentToken === zeroAddress;
  if (fiat !== ((deal.conditions & CONDITION_FIAT_PAYMENT_RECEIVED) !== 0n)) {
    throw new DealInputError("conditions", "FIAT_PAYMENT_RECEIVED is required exactly when there is no payment token (a fiat leg)");
  }
  if ((deal.conditions & CONDITION_REGISTRY_DELIVERY) !== 0n && BigInt(deal.buyerRegistryAccount) === 0n) {
    throw new DealInputError("buyerRegistryAccount", "required for REGISTRY_DELIVERY");
  }
  return deal;
}

export type DealTypedData = { domain: TypedDataDomain; types: typeof dealTypes; primaryType: "Deal"; message: Deal };

export function dealTypedData(domain: TypedDataDomain, deal: Deal): DealTypedData {
  return { domain, types: dealTypes, primaryType: "Deal", message: deal };
}

/** The deal id: `Settlement.hashDeal(deal)`. */
export function hashDeal(domain: TypedDataDomain, deal: Deal): Hex {
  return hashTypedData(dealTypedData(domain, deal));
}

export const DEAL_TYPE_STRING = encodeType(dealTypes, "Deal");

export async function signDeal(signer: { signTypedData: (args: DealTypedData) => Promise<Hex> }, domain: TypedDataDomain, deal: Deal): Promise<Hex> {
  return signer.signTypedData(dealTypedData(domain, deal));
}

export function openDealCall(settlement: Address, deal: Deal, sellerSignature: Hex, buyerSignature: Hex): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "openDeal", args: [deal, sellerSignature, buyerSignature] }) };
}

export function cancelDealCall(settlement: Address, deal: Deal): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "cancelDeal", args: [deal] }) };
}

export function settleDealCall(settlement: Address, dealId: Hex): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "settleDeal", args: [dealId] }) };
}

export function reclaimCreditsCall(settlement: Address, dealId: Hex): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "reclaimCredits", args: [dealId] }) };
}

export function reclaimPaymentCall(settlement: Address, dealId: Hex): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "reclaimPayment", args: [dealId] }) };
}
