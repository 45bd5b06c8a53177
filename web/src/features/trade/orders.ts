/** Orders between the API's JSON and the SDK's typed order, and what the maker's signature commits to, in words. */
import { type Order as SignedOrder, SIDE_BUY, SIDE_SELL, splitPrice } from "@carbon-custody/sdk";
import { formatBps, formatQuantity, formatTokenAmount, formatUnixSeconds } from "../../lib/format";
import type { Order } from "../../lib/types";

/** The typed order of a book row (what the maker signed). */
export function signedOrderOf(row: Order): SignedOrder {
  const order: Record<string, unknown> = {
    side: row.side === "buy" ? SIDE_BUY : SIDE_SELL,
    maker: row.maker,
    taker: row.taker,
    batchId: BigInt(row.batchId),
    amount: BigInt(row.amount),
    unitPrice: BigInt(row.unitPrice),
    paymentToken: row.paymentToken,
    minFill: BigInt(row.minFill),
    expiry: BigInt(row.expiry),
    salt: BigInt(row.salt),
    counter: BigInt(row.counter),
  };
  if (row.maxFeeBps !== undefined) order.maxFeeBps = row.maxFeeBps;
  return order as SignedOrder;
}

export type OrderWords = { give: string; get: string; feeCap: string; expiry: string; fill: string };

/** The order as the maker's signature commits to it: what you give, what you get, the fee cap, the expiry. */
export function orderInWords(order: SignedOrder, token: { decimals: number; symbol: string }, feeBps: number): OrderWords {
  const price = splitPrice(order.amount, order.unitPrice, BigInt(feeBps));
  const money = (value: bigint) => formatTokenAmount(value, token.decimals, token.symbol);
  const cap = (order as { maxFeeBps?: number }).maxFeeBps;
  const sell = order.side === SIDE_SELL;
  return {
    give: sell ? `${formatQuantity(order.amount)} of batch ${order.batchId.toString().slice(0, 10)}…` : `up to ${money(price.price)}`,
    get: sell
      ? `${money(price.sellerProceeds)} after the platform fee of ${money(price.fee)} (${formatBps(feeBps)}), at ${money(order.unitPrice)} per tCO2e, paid as it fills`
      : `${formatQuantity(order.amount)} of batch ${order.batchId.toString().slice(0, 10)}…`,
    feeCap:
      cap === undefined
        ? `This order type carries no fee cap: the platform fee at the time of each fill applies (now ${formatBps(feeBps)}).`
        : `At most ${formatBps(cap)}: a fill while the platform fee is higher is refused on chain.`,
    expiry: `Fills are accepted until ${formatUnixSeconds(order.expiry)}.`,
    fill: order.minFill === 0n ? "Anyone may fill any part of it." : `Each fill is at least ${formatQuantity(order.minFill)} unless it takes the rest.`,
  };
}
