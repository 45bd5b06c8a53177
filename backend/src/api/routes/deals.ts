import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import {
  CURSOR_HEX32,
  CURSOR_TIME,
  address,
  addressParam,
  bytes32,
  bytes32Param,
  checksum,
  decodeCursor,
  errors,
  notFound,
  page,
  pageQuery,
  replyError,
  timestamp,
  toPage,
  uint256,
  uint256Param,
} from "../http";
import { type DealRow, getDeal, listDeals } from "../queries/deals";

const dealStatus = z.enum(["open", "settled", "reclaimed", "cancelled"]);

const dealBody = z.object({
  dealId: bytes32.describe("EIP-712 digest of the Deal in the Settlement domain"),
  seller: address,
  buyer: address,
  batchId: uint256,
  amount: uint256,
  paymentToken: address.nullable().describe("null: fiat leg settled off-chain"),
  paymentAmount: uint256,
  conditions: z.unknown().describe("Condition names the deal requires, as indexed"),
  conditionsSatisfied: z.unknown().describe("Condition names the oracle quorum has confirmed"),
  deliveryRequestId: bytes32.nullable().describe("The bridge withdrawal request of a registry delivery, once started"),
  sellerProceeds: uint256.nullable().describe("Paid to the seller at settlement"),
  fee: uint256.nullable(),
  deadline: timestamp,
  status: dealStatus,
  createdAt: timestamp,
  updatedAt: timestamp,
});

function dealView(row: DealRow): z.infer<typeof dealBody> {
  return {
    dealId: row.deal_id,
    seller: checksum(row.seller),
    buyer: checksum(row.buyer),
    batchId: row.batch_id,
    amount: row.amount,
    paymentToken: row.payment_token === null ? null : checksum(row.payment_token),
    paymentAmount: row.payment_amount,
    conditions: row.conditions,
    conditionsSatisfied: row.conditions_satisfied,
    deliveryRequestId: row.delivery_request_id,
    sellerProceeds: row.seller_proceeds,
    fee: row.fee,
    deadline: row.deadline.toISOString(),
    status: row.status as z.infer<typeof dealStatus>,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Conditional escrow deals (the indexer's projection of Settlement's deal events). */
const dealRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    "/deals",
    {
      schema: {
        tags: ["deals"],
        summary: "Escrow deals, newest first, by batch, party (seller or buyer) and status",
        querystring: pageQuery.extend({
          batchId: uint256Param.optional(),
          party: addressParam.optional(),
          status: dealStatus.optional(),
        }),
        response: { 200: page(dealBody), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, batchId, party, status } = request.query;
      const after = decodeCursor(cursor, [CURSOR_TIME, CURSOR_HEX32]);
      const rows = await listDeals(pool, { batchId, party, status, after, limit });
      return toPage(rows, limit, dealView, (row) => [row.created_at.toISOString(), row.deal_id]);
    },
  );

  app.get(
    "/deals/:dealId",
    {
      schema: {
        tags: ["deals"],
        summary: "One escrow deal",
        params: z.object({ dealId: bytes32Param }),
        response: { 200: dealBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const row = await getDeal(pool, request.params.dealId);
      if (row === undefined) return replyError(reply, 404, "not_found", `Deal ${request.params.dealId} not found`);
      return dealView(row);
    },
  );
};

export default dealRoutes;
