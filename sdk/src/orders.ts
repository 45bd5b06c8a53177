/**
 * Settlement orders: build one, turn it into the typed data a wallet signs (`eth_signTypedData_v4`), sign it, and
 * the call data of what a taker or maker sends on chain (fill, fill-and-retire, the real cancel, the payment
 * approval). The `Order` type follows the generated EIP-712 type (read from the contract's ABI), so a field added to
 * the contract's struct becomes a required field here after `npm run sdk:generate`.
 */
import {
  type Address,
  type Hex,
  type TypedDataDomain,
  encodeFunctionData,
  hashTypedData,
  maxUint256,
  zeroAddress,
} from "viem";
import type { TypedDataToPrimitiveTypes } from "abitype";
import { paymentTokenAbi, settlementAbi } from "./generated/abis";
import { orderTypes } from "./generated/eip712";
import { EIP712_DOMAIN_FIELDS, encodeType } from "./eip712";

export const SIDE_SELL = 0;
export const SIDE_BUY = 1;
/** Basis points in 100 %: fee = price * feeBps / 10_000, rounded down (Settlement). */
export const BPS = 10_000n;

export type Order = TypedDataToPrimitiveTypes<typeof orderTypes>["Order"];

/** What a maker chooses; the rest has defaults (sell side, anyone may fill, no minimum fill, random salt). */
export type BuildOrderParameters = Omit<Order, "side" | "taker" | "minFill" | "salt"> &
  Partial<Pick<Order, "side" | "taker" | "minFill" | "salt">>;

export class OrderInputError extends Error {
  override name = "OrderInputError";
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

function randomSalt(): bigint {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return BigInt(`0x${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
}

export function buildOrder(params: BuildOrderParameters): Order {
  const order = {
    ...params,
    side: params.side ?? SIDE_SELL,
    taker: params.taker ?? zeroAddress,
    minFill: params.minFill ?? 0n,
    salt: params.salt ?? randomSalt(),
  } as Order;
  if (order.side !== SIDE_SELL && order.side !== SIDE_BUY) throw new OrderInputError("side", "must be 0 (sell) or 1 (buy)");
  if (order.amount <= 0n) throw new OrderInputError("amount", "must be positive");
  if (order.minFill > order.amount) throw new OrderInputError("minFill", "must not exceed amount");
  if (order.unitPrice <= 0n) throw new OrderInputError("unitPrice", "must be positive");
  return order;
}

export type OrderTypedData = { domain: TypedDataDomain; types: typeof orderTypes; primaryType: "Order"; message: Order };

export function orderTypedData(domain: TypedDataDomain, order: Order): OrderTypedData {
  return { domain, types: orderTypes, primaryType: "Order", message: order };
}

/** The EIP-712 digest: `Settlement.hashOrder(order)`, the order's id in the API. */
export function hashOrder(domain: TypedDataDomain, order: Order): Hex {
  return hashTypedData(orderTypedData(domain, order));
}

/** `Order(uint8 side,address maker,...)`, as the contract hashes it. */
export const ORDER_TYPE_STRING = encodeType(orderTypes, "Order");

/** Signs as the maker: a viem local account, or a wallet client with its account. */
export async function signOrder(signer: { signTypedData: (args: OrderTypedData) => Promise<Hex> }, domain: TypedDataDomain, order: Order): Promise<Hex> {
  return signer.signTypedData(orderTypedData(domain, order));
}

/** Bigints as decimal strings, as the REST API takes them (`POST /orders`). */
export function orderToJson(order: Order): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(order).map(([key, value]) => {
      if (key === "side") return [key, value === SIDE_BUY ? "buy" : "sell"];
      return [key, typeof value === "bigint" ? value.toString() : (value as string | number)];
    }),
  );
}

/** Any typed data as the JSON `eth_signTypedData_v4` takes (EIP712Domain added, bigints as strings). */
export function typedDataJson(typed: { domain: TypedDataDomain; types: Record<string, readonly unknown[]>; primaryType: string; message: Record<string, unknown> }) {
  return {
    domain: typed.domain,
    types: { EIP712Domain: EIP712_DOMAIN_FIELDS, ...typed.types },
    primaryType: typed.primaryType,
    message: Object.fromEntries(Object.entries(typed.message).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
  };
}

export type ContractCall = { to: Address; data: Hex };

/** Fill `amount` of `order` (the caller is the taker: the buyer of a sell order). */
export function fillCall(settlement: Address, order: Order, amount: bigint, signature: Hex): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "fill", args: [order, amount, signature] }) };
}

/** Fill a sell order and retire what was bought in the same transaction. */
export function fillAndRetireCall(
  settlement: Address,
  order: Order,
  amount: bigint,
  signature: Hex,
  retirement: { idempotencyKey: Hex; beneficiary: string; reason: string },
): ContractCall {
  return {
    to: settlement,
    data: encodeFunctionData({
      abi: settlementAbi,
      functionName: "fillAndRetire",
      args: [order, amount, signature, retirement.idempotencyKey, { beneficiary: retirement.beneficiary, reason: retirement.reason }],
    }),
  };
}

/** The real cancel: `Settlement.cancel(order)` from the maker's wallet closes the order's nonce on chain. */
export function cancelOrderCall(settlement: Address, order: Order): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "cancel", args: [order] }) };
}

/** `Settlement.incrementCounter()`: cancels every open order the caller signed. */
export function cancelAllOrdersCall(settlement: Address): ContractCall {
  return { to: settlement, data: encodeFunctionData({ abi: settlementAbi, functionName: "incrementCounter", args: [] }) };
}

/** Approve Settlement to take `amount` of the payment token (default: unlimited). */
export function approvePaymentCall(token: Address, settlement: Address, amount: bigint = maxUint256): ContractCall {
  return { to: token, data: encodeFunctionData({ abi: paymentTokenAbi, functionName: "approve", args: [settlement, amount] }) };
}

/** Price, fee and seller proceeds of a fill, with Settlement's rounding (fee rounded down). */
export function splitPrice(amount: bigint, unitPrice: bigint, feeBps: bigint): { price: bigint; fee: bigint; sellerProceeds: bigint } {
  const price = amount * unitPrice;
  const fee = (price * feeBps) / BPS;
  return { price, fee, sellerProceeds: price - fee };
}
