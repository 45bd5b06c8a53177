/**
 * For programs and wallets that do not carry our code: the EIP-712 typed data to sign for an order or a deal
 * (`eth_signTypedData_v4` JSON, with the maker's current counter filled in from the index when omitted), and CSV
 * exports of a holder's holdings, trades and retirements (decimal strings as they are, RFC 4180 quoting).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { type TypedDataDomain, zeroAddress } from "viem";
import { z } from "zod";
import crypto from "node:crypto";
import { dealTypes, hashDeal, hashOrder, orderTypes } from "../../chain/orders";
import { BaseError } from "../../errors";
import { addressParam, errors, uint256Param } from "../http";
import { listInventory } from "../queries/batches";
import { currentCounter } from "../../orders/store";
import { dealOf, dealTermsInput } from "./dealOffers";
import { orderInput, toOrder } from "./orders";

const EIP712_DOMAIN = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
];

const typedDataBody = z.object({
  digest: z.string().describe("The EIP-712 digest: the order hash / deal id"),
  typedData: z.object({
    domain: z.record(z.string(), z.unknown()),
    types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
    primaryType: z.string(),
    message: z.record(z.string(), z.unknown()),
  }),
});

const strings = (value: object) =>
  Object.fromEntries(Object.entries(value).map(([key, v]) => [key, typeof v === "bigint" ? v.toString() : v])) as Record<
    string,
    unknown
  >;

/** RFC 4180: every field quoted, quotes doubled; a field starting with = + - @ is prefixed with ' (CSV injection). */
export function csv(header: string[], rows: string[][]): string {
  const cell = (value: string) => `"${(/^[=+\-@]/.test(value) ? `'${value}` : value).replace(/"/g, '""')}"`;
  return [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

export type ClientDataRoutesOptions = { pool: Pool; settlementDomain?: TypedDataDomain | undefined };

const clientDataRoutes: FastifyPluginAsyncZod<ClientDataRoutesOptions> = async (app, { pool, settlementDomain }) => {
  const domainOf = () => {
    if (settlementDomain === undefined)
      throw new BaseError("Settlement domain not configured", { code: "SETTLEMENT_NOT_CONFIGURED", retryable: false });
    return settlementDomain;
  };

  app.post(
    "/typed-data/order",
    {
      schema: {
        tags: ["client"],
        summary: "The EIP-712 typed data of an order, ready for eth_signTypedData_v4 (then POST /orders with the signature)",
        body: z.object({
          side: z.enum(["sell", "buy"]).default("sell"),
          maker: addressParam,
          taker: addressParam.optional(),
          batchId: uint256Param,
          amount: uint256Param,
          unitPrice: uint256Param,
          paymentToken: addressParam,
          maxFeeBps: orderInput.shape.maxFeeBps,
          minFill: uint256Param.default("0"),
          expiry: uint256Param,
          salt: uint256Param.optional().describe("Default: random"),
          counter: uint256Param.optional().describe("Default: the maker's Settlement counter as indexed"),
        }),
        response: { 200: typedDataBody, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const domain = domainOf();
      const counter = body.counter ?? (await currentCounter(pool, body.maker));
      const order = toOrder(
        {
          ...body,
          taker: body.taker ?? zeroAddress,
          salt: body.salt ?? BigInt(`0x${crypto.randomBytes(16).toString("hex")}`).toString(),
          counter,
        },
        "body",
      );
      return {
        digest: hashOrder({ domain, order }),
        typedData: {
          domain: domain as Record<string, unknown>,
          types: { EIP712Domain: EIP712_DOMAIN, ...orderTypes } as never,
          primaryType: "Order",
          message: strings(order),
        },
      };
    },
  );

  app.post(
    "/typed-data/deal",
    {
      schema: {
        tags: ["client"],
        summary: "The EIP-712 typed data of escrow deal terms; both parties sign the same, then either sends Settlement.openDeal",
        body: dealTermsInput.extend({ salt: uint256Param.optional().describe("Default: random") }),
        response: { 200: typedDataBody, ...errors },
      },
    },
    async (request) => {
      const domain = domainOf();
      const deal = dealOf(request.body, "body");
      return {
        digest: hashDeal({ domain, deal }),
        typedData: {
          domain: domain as Record<string, unknown>,
          types: { EIP712Domain: EIP712_DOMAIN, ...dealTypes } as never,
          primaryType: "Deal",
          message: strings(deal),
        },
      };
    },
  );

  const csvRoute = {
    schema: {
      tags: ["holders"],
      params: z.object({ address: addressParam }),
      response: { 200: z.string().describe("text/csv"), ...errors },
    },
  };

  app.get(
    "/holders/:address/holdings.csv",
    { ...csvRoute, schema: { ...csvRoute.schema, summary: "A holder's holdings per batch as CSV" } },
    async (request, reply) => {
      const rows = await listInventory(pool, { holder: request.params.address, limit: 10_000 });
      const body = csv(
        [
          "batch_id",
          "registry",
          "serial_prefix",
          "available",
          "escrowed",
          "pending_retirement",
          "pending_withdrawal",
          "retired",
          "withdrawn",
        ],
        rows.map((r) => [
          r.batch_id,
          r.registry_id,
          r.serial_prefix,
          r.available,
          r.escrowed,
          r.pending_retirement,
          r.pending_withdrawal,
          r.retired,
          r.withdrawn,
        ]),
      );
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="holdings-${request.params.address}.csv"`)
        .send(body);
    },
  );

  app.get(
    "/holders/:address/trades.csv",
    { ...csvRoute, schema: { ...csvRoute.schema, summary: "A holder's fills (as maker or taker) as CSV" } },
    async (request, reply) => {
      const { rows } = await pool.query<Record<string, string>>(
        `SELECT f.id::text, f.created_at::text AS indexed_at, o.batch_id::text,
              CASE o.side WHEN 1 THEN 'buy' ELSE 'sell' END AS side, o.maker, f.taker, f.amount::text, o.unit_price::text,
              o.payment_token, f.payment_amount::text, f.block_number::text, f.tx_hash
         FROM fills f JOIN orders o ON o.order_hash = f.order_hash
        WHERE lower(o.maker) = $1 OR lower(f.taker) = $1 ORDER BY f.id`,
        [request.params.address.toLowerCase()],
      );
      const header = [
        "id",
        "indexed_at",
        "batch_id",
        "side",
        "maker",
        "taker",
        "amount",
        "unit_price",
        "payment_token",
        "payment_amount",
        "block_number",
        "tx_hash",
      ];
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="trades-${request.params.address}.csv"`)
        .send(
          csv(
            header,
            rows.map((r) => header.map((h) => r[h] ?? "")),
          ),
        );
    },
  );

  app.get(
    "/holders/:address/retirements.csv",
    { ...csvRoute, schema: { ...csvRoute.schema, summary: "A holder's retirements as CSV" } },
    async (request, reply) => {
      const { rows } = await pool.query<Record<string, string>>(
        `SELECT r.request_id, r.batch_id::text, b.registry_id, r.amount::text, r.status::text AS status,
              r.retirement->>'beneficiary' AS beneficiary, r.retirement->>'reason' AS reason,
              coalesce(r.registry_reference, '') AS registry_reference, r.created_at::text AS requested_at,
              coalesce(r.answered_tx_hash, '') AS confirmation_tx
         FROM requests r JOIN batches b ON b.batch_id = r.batch_id
        WHERE r.kind = 'retirement' AND lower(r.holder) = $1 ORDER BY r.created_at`,
        [request.params.address.toLowerCase()],
      );
      const header = [
        "request_id",
        "batch_id",
        "registry_id",
        "amount",
        "status",
        "beneficiary",
        "reason",
        "registry_reference",
        "requested_at",
        "confirmation_tx",
      ];
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="retirements-${request.params.address}.csv"`)
        .send(
          csv(
            header,
            rows.map((r) => header.map((h) => r[h] ?? "")),
          ),
        );
    },
  );
};

export default clientDataRoutes;
