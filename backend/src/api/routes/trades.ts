import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import { SIDE_BUY } from "../../chain/orders";
import {
  CURSOR_DECIMAL,
  address,
  addressParam,
  bytes32,
  checksum,
  decodeCursor,
  errors,
  page,
  pageQuery,
  timestamp,
  toPage,
  uint256,
  uint256Param,
} from "../http";
import { type TradeRow, listTrades } from "../queries/trades";

const tradeBody = z.object({
  id: z.string(),
  orderHash: bytes32,
  batchId: uint256,
  side: z.enum(["sell", "buy"]).describe("Side of the filled order (sell: the maker sold to the taker)"),
  maker: address,
  taker: address,
  amount: uint256,
  unitPrice: uint256,
  paymentToken: address,
  paymentAmount: uint256,
  blockNumber: z.string(),
  txHash: bytes32,
  logIndex: z.number().int(),
  indexedAt: timestamp,
});

function tradeView(row: TradeRow): z.infer<typeof tradeBody> {
  return {
    id: row.id,
    orderHash: row.order_hash,
    batchId: row.batch_id,
    side: row.side === SIDE_BUY ? "buy" : "sell",
    maker: checksum(row.maker),
    taker: checksum(row.taker),
    amount: row.amount,
    unitPrice: row.unit_price,
    paymentToken: checksum(row.payment_token),
    paymentAmount: row.payment_amount,
    blockNumber: row.block_number,
    txHash: row.tx_hash,
    logIndex: row.log_index,
    indexedAt: row.created_at.toISOString(),
  };
}

/** Trade history: the fills projection, newest first. */
const tradeRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    "/trades",
    {
      schema: {
        tags: ["trades"],
        summary: "Fills of signed orders, newest first, by batch and/or party (maker or taker)",
        querystring: pageQuery.extend({ batchId: uint256Param.optional(), holder: addressParam.optional() }),
        response: { 200: page(tradeBody), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, batchId, holder } = request.query;
      const before = decodeCursor(cursor, [CURSOR_DECIMAL])?.[0];
      const rows = await listTrades(pool, { batchId, holder, before, limit });
      return toPage(rows, limit, tradeView, (row) => [row.id]);
    },
  );
};

export default tradeRoutes;
