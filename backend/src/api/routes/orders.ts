import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { type Address, type Hex, type TypedDataDomain, encodeFunctionData, zeroAddress } from "viem";
import { z } from "zod";
import { settlementAbi } from "../../chain/abi";
import { type Order, SIDE_BUY, SIDE_SELL, buildOrder, hashOrder } from "../../chain/orders";
import { BaseError, ValidationError } from "../../errors";
import {
  CURSOR_DECIMAL,
  CURSOR_HEX32,
  CURSOR_TIME,
  address,
  addressParam,
  authErrors,
  bytes32,
  bytes32Param,
  checksum,
  decodeCursor,
  errors,
  iso,
  notFound,
  page,
  pageQuery,
  replyError,
  timestamp,
  toPage,
  uint256,
  uint256Param,
} from "../http";
import { requireWallet, walletOf } from "../plugins/app/auth";
import { batchExists } from "../queries/batches";
import { type OrderRow, currentCounter, getOrder, insertOrder, listBook, listOrders, withdrawOrder } from "../../orders/store";
import { errorBody } from "../schemas";
import { signatureParam, signerOf } from "../signatures";

/** Latest expiry the API stores (Postgres timestamptz and JS dates end in year 9999). */
const MAX_EXPIRY = 253_402_300_799n;

const side = z.enum(["sell", "buy"]);
const orderStatus = z
  .enum(["open", "partially_filled", "filled", "cancelled", "expired", "withdrawn"])
  .describe(
    "cancelled: closed on chain (OrderCancelled); withdrawn: taken off this book by the maker, still fillable on chain until " +
      "Settlement.cancel",
  );

const orderBody = z.object({
  orderHash: bytes32.describe("EIP-712 digest in the Settlement domain (Settlement.hashOrder)"),
  side,
  maker: address,
  taker: address.describe("0x0 when anyone may fill"),
  batchId: uint256,
  amount: uint256,
  filled: uint256.describe("From the fills projection"),
  remaining: uint256.describe("amount - filled"),
  minFill: uint256,
  unitPrice: uint256.describe("Payment token base units per credit"),
  paymentToken: address,
  maxFeeBps: z.number().int().describe("Highest platform fee (basis points) the maker signed; fills above it revert"),
  salt: uint256,
  counter: uint256,
  expiry: uint256.describe("Unix seconds; the order no longer fills from this second"),
  status: orderStatus,
  signature: z.string().describe("65-byte ECDSA signature of the maker"),
  createdAt: timestamp,
  cancelledAt: timestamp.nullable().describe("When the maker withdrew the order from the book (not an on-chain cancel)"),
});
type OrderBody = z.infer<typeof orderBody>;

function orderView(row: OrderRow): OrderBody {
  return {
    orderHash: row.order_hash,
    side: row.side === SIDE_BUY ? "buy" : "sell",
    maker: checksum(row.maker),
    taker: checksum(row.taker),
    batchId: row.batch_id,
    amount: row.amount,
    filled: row.filled,
    remaining: row.remaining,
    minFill: row.min_fill,
    unitPrice: row.unit_price,
    paymentToken: checksum(row.payment_token),
    maxFeeBps: row.max_fee_bps,
    salt: row.nonce,
    counter: row.counter,
    expiry: String(Math.floor(row.expires_at.getTime() / 1000)),
    status: row.status as OrderBody["status"],
    signature: row.signature,
    createdAt: row.created_at.toISOString(),
    cancelledAt: iso(row.cancelled_at),
  };
}

export const orderInput = z.object({
  side: side.default("sell"),
  maker: addressParam,
  taker: addressParam.optional().describe("omit (or 0x0) to let anyone fill"),
  batchId: uint256Param,
  amount: uint256Param,
  unitPrice: uint256Param,
  paymentToken: addressParam,
  maxFeeBps: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .describe("Highest platform fee in basis points the maker accepts (signed; Settlement.fee() is the current one)"),
  minFill: uint256Param.default("0"),
  expiry: uint256Param.describe("Unix seconds"),
  salt: uint256Param,
  counter: uint256Param.describe("The maker's Settlement.counterOf(maker) when signing"),
});

const postOrderBody = z.object({
  order: orderInput,
  signature: signatureParam.describe(
    "The maker's EIP-712 signature (eth_signTypedData_v4) over the order in the Settlement domain",
  ),
});

export type OrderRoutesOptions = {
  pool: Pool;
  /** Settlement's EIP-712 domain; without it orders cannot be checked, so posting answers 500. */
  settlementDomain?: TypedDataDomain | undefined;
  now?: () => Date;
};

/** The signed order of a stored row (for the on-chain cancel's call data). */
function orderOfRow(row: OrderRow): Order {
  return {
    side: row.side,
    maker: checksum(row.maker),
    taker: checksum(row.taker),
    batchId: BigInt(row.batch_id),
    amount: BigInt(row.amount),
    unitPrice: BigInt(row.unit_price),
    paymentToken: checksum(row.payment_token),
    maxFeeBps: row.max_fee_bps,
    minFill: BigInt(row.min_fill),
    expiry: BigInt(Math.floor(row.expires_at.getTime() / 1000)),
    salt: BigInt(row.nonce),
    counter: BigInt(row.counter),
  };
}

/** Rebuilds the signed order with orders.ts (its checks name fields under `prefix`, default body.order). */
export function toOrder(
  input: z.input<typeof orderInput> & Pick<z.infer<typeof orderInput>, "maker" | "paymentToken">,
  prefix = "body.order",
): Order {
  try {
    return buildOrder({
      side: input.side === "buy" ? SIDE_BUY : SIDE_SELL,
      maker: input.maker,
      taker: (input.taker as Address | undefined) ?? zeroAddress,
      batchId: BigInt(input.batchId),
      amount: BigInt(input.amount),
      unitPrice: BigInt(input.unitPrice),
      paymentToken: input.paymentToken,
      maxFeeBps: input.maxFeeBps,
      minFill: BigInt(input.minFill ?? "0"),
      expiry: BigInt(input.expiry),
      salt: BigInt(input.salt),
      counter: BigInt(input.counter),
    });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`${prefix}.${error.field}`, error.message.slice(error.field.length + 2));
    throw error;
  }
}

/**
 * Signed Settlement orders: posting (signature checked on arrival), the book of a batch, one order, and the
 * off-chain cancel. Posting needs no session: the maker's signature authenticates the order.
 */
const orderRoutes: FastifyPluginAsyncZod<OrderRoutesOptions> = async (app, options) => {
  const { pool } = options;
  const now = options.now ?? (() => new Date());

  app.post(
    "/orders",
    {
      schema: {
        tags: ["orders"],
        summary: "Post a maker-signed Settlement order to the book",
        description:
          "The signature is checked on arrival: the EIP-712 digest of the order in the configured Settlement domain " +
          "must recover to `order.maker`. No session needed. 201 for a new order, 200 when the same order was " +
          "already posted. Fills happen on-chain (Settlement.fill from the taker's wallet).",
        body: postOrderBody,
        response: { 200: orderBody, 201: orderBody, ...errors },
      },
    },
    async (request, reply) => {
      const domain = options.settlementDomain;
      if (domain === undefined) {
        throw new BaseError("Settlement domain not configured", { code: "SETTLEMENT_NOT_CONFIGURED", retryable: false });
      }
      const order = toOrder(request.body.order);
      const nowSeconds = BigInt(Math.floor(now().getTime() / 1000));
      if (order.expiry <= nowSeconds) throw new ValidationError("body.order.expiry", "the order has expired");
      if (order.expiry > MAX_EXPIRY) throw new ValidationError("body.order.expiry", "later than year 9999");
      const signature = request.body.signature as Hex;
      const orderHash = hashOrder({ domain, order });
      const signer = await signerOf(orderHash, signature);
      if (signer !== order.maker) {
        throw new ValidationError("body.signature", "does not recover to order.maker (wrong signer or altered order)");
      }
      if (!(await batchExists(pool, request.body.order.batchId))) {
        throw new ValidationError("body.order.batchId", "no such batch");
      }
      // Only a stale counter is refused: a newer one may be the indexer lagging behind the maker's increment.
      const counter = await currentCounter(pool, order.maker);
      if (order.counter < BigInt(counter)) {
        throw new ValidationError("body.order.counter", `stale: the maker's Settlement counter is ${counter}`);
      }
      const created = await insertOrder(pool, {
        orderHash,
        side: order.side,
        maker: order.maker.toLowerCase(),
        taker: order.taker.toLowerCase(),
        batchId: order.batchId.toString(),
        amount: order.amount.toString(),
        minFill: order.minFill.toString(),
        unitPrice: order.unitPrice.toString(),
        paymentToken: order.paymentToken.toLowerCase(),
        maxFeeBps: order.maxFeeBps,
        salt: order.salt.toString(),
        counter: order.counter.toString(),
        expiresAt: new Date(Number(order.expiry) * 1000),
        signature: signature.toLowerCase(),
      });
      const row = await getOrder(pool, orderHash);
      if (row === undefined) throw new Error(`order ${orderHash} vanished after insert`);
      return reply.code(created ? 201 : 200).send(orderView(row));
    },
  );

  app.get(
    "/orders",
    {
      schema: {
        tags: ["orders"],
        summary: "Orders of every status, newest first, by maker, batch and status (a wallet's own orders)",
        querystring: pageQuery.extend({
          maker: addressParam.optional(),
          batchId: uint256Param.optional(),
          status: orderStatus.optional(),
        }),
        response: { 200: page(orderBody), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, maker, batchId, status } = request.query;
      const after = decodeCursor(cursor, [CURSOR_TIME, CURSOR_HEX32]);
      const rows = await listOrders(pool, { maker, batchId, status, after, limit });
      return toPage(rows, limit, orderView, (row) => [row.created_at.toISOString(), row.order_hash]);
    },
  );

  app.get(
    "/orders/:orderHash",
    {
      schema: {
        tags: ["orders"],
        summary: "One order with its filled and remaining amounts",
        params: z.object({ orderHash: bytes32Param }),
        response: { 200: orderBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const row = await getOrder(pool, request.params.orderHash);
      if (row === undefined) return replyError(reply, 404, "not_found", `Order ${request.params.orderHash} not found`);
      return orderView(row);
    },
  );

  app.get(
    "/batches/:batchId/orders",
    {
      schema: {
        tags: ["orders"],
        summary: "The book of a batch: open, unexpired orders with remaining = amount - filled, best price first",
        params: z.object({ batchId: uint256Param }),
        querystring: pageQuery.extend({ side: side.default("sell").describe("sell (asks, cheapest first) or buy (bids)") }),
        response: { 200: page(orderBody), ...notFound, ...errors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const sideNumber = request.query.side === "buy" ? SIDE_BUY : SIDE_SELL;
      const after = decodeCursor(cursor, [CURSOR_DECIMAL, CURSOR_HEX32]);
      const rows = await listBook(pool, { batchId: request.params.batchId, side: sideNumber, after, limit });
      return toPage(rows, limit, orderView, (row) => [row.unit_price, row.order_hash]);
    },
  );

  withdrawRoutes(app, options);
};

const withdrawBody = orderBody.extend({
  onChainCancel: z
    .object({
      to: address.describe("Settlement"),
      data: z.string().describe("Call data of Settlement.cancel(order): send it from the maker's wallet"),
      function: z.literal("cancel(Order)"),
    })
    .describe("How to cancel on chain: until this transaction is mined the signed order can still be filled"),
});

/** The maker's off-book withdraw, under its name and its old name `cancel`. */
function withdrawRoutes(app: Parameters<FastifyPluginAsyncZod<OrderRoutesOptions>>[0], options: OrderRoutesOptions): void {
  const { pool } = options;
  const withdraw = {
    schema: {
      tags: ["orders"],
      summary: "Withdraw an order from the book (maker only): off-book, NOT an on-chain cancel",
      description:
        "Takes the order off this API's book (status `withdrawn`). The signed order stays valid on Settlement: anyone " +
        "holding it can still fill it until the maker sends `Settlement.cancel(order)` from their own wallet (the " +
        "answer's `onChainCancel`) or `incrementCounter()`. Only the chain's `OrderCancelled` makes the status " +
        "`cancelled`. Requires a SIWE session of the maker. `POST /orders/:orderHash/cancel` is the same route under its " +
        "old name.",
      params: z.object({ orderHash: bytes32Param }),
      response: {
        200: withdrawBody,
        ...notFound,
        409: errorBody.describe("The order is filled or cancelled on chain"),
        ...authErrors,
        ...errors,
      },
    },
    preHandler: requireWallet(pool),
  } as const;
  const withdrawHandler = async (
    request: { params: { orderHash: Hex } } & Parameters<typeof walletOf>[0],
    reply: import("fastify").FastifyReply,
  ) => {
    const { orderHash } = request.params;
    const row = await getOrder(pool, orderHash);
    if (row === undefined) return replyError(reply, 404, "not_found", `Order ${orderHash} not found`);
    if (checksum(row.maker) !== walletOf(request).address) {
      return replyError(reply, 403, "forbidden", "Only the order's maker can withdraw it");
    }
    if (!(await withdrawOrder(pool, orderHash))) {
      return replyError(reply, 409, "conflict", `Order is ${row.status}; nothing to withdraw`);
    }
    const updated = (await getOrder(pool, orderHash)) ?? row;
    const settlement = options.settlementDomain?.verifyingContract as Address | undefined;
    return {
      ...orderView(updated),
      onChainCancel: {
        to: settlement ?? zeroAddress,
        data: encodeFunctionData({ abi: settlementAbi, functionName: "cancel", args: [orderOfRow(updated)] }),
        function: "cancel(Order)" as const,
      },
    };
  };
  app.post("/orders/:orderHash/withdraw", withdraw, withdrawHandler);
  app.post(
    "/orders/:orderHash/cancel",
    { ...withdraw, schema: { ...withdraw.schema, summary: "Old name of POST /orders/:orderHash/withdraw (off-book only)" } },
    withdrawHandler,
  );
}

export default orderRoutes;
