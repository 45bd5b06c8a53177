/**
 * Market data for the web app and for programs: the listing of batches across registries in words (project,
 * country, vintage, methodology, type, from the registry's own records via registries/projectInfo.ts) with the best
 * ask and bid, the last trade and what is available, filterable; the depth of a batch's book (price levels); and
 * OHLC candles of its trades. Read-only over the indexer's projections and the custody mirror.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import { REGISTRY_DISPLAY_NAMES, UNIT_METRIC, projectInfoOf } from "../../registries/projectInfo";
import type { RegistryName } from "../../registries/ids";
import { checksum, errors, notFound, text, uint256Param } from "../http";

type ListingRow = {
  batch_id: string;
  registry_id: string;
  serial_prefix: string;
  frozen: boolean;
  total_supply: string;
  serial: string | null;
  payloads: unknown[] | null;
  best_ask: string | null;
  best_bid: string | null;
  ask_depth: string;
  last_price: string | null;
  last_at: Date | null;
  payment_token: string | null;
};

const BOOK = `o.status IN ('open', 'partially_filled') AND o.cancelled_at IS NULL AND o.expires_at > now()
  AND o.amount > greatest(o.filled_amount, coalesce((SELECT sum(f.amount) FROM fills f WHERE f.order_hash = o.order_hash), 0))`;

const listingBody = z.object({
  batchId: z.string(),
  registry: z.object({ id: z.string(), name: z.string() }),
  serialPrefix: z.string(),
  project: z.object({
    id: z.string().nullable(),
    name: z.string().nullable(),
    type: z.string().nullable(),
    methodology: z.string().nullable(),
    country: z.string().nullable(),
  }),
  vintage: z.object({ start: z.string().nullable(), end: z.string().nullable() }),
  unit: z.object({ type: z.string().nullable(), metric: z.string().nullable() }),
  totalSupply: z.string(),
  frozen: z.boolean(),
  bestAsk: z.string().nullable().describe("Lowest open sell price, payment token base units per unit"),
  bestBid: z.string().nullable(),
  unitsOffered: z.string().describe("Units in open sell orders"),
  lastPrice: z.string().nullable(),
  lastTradeAt: z.string().nullable(),
  paymentToken: z.string().nullable(),
});

const level = z.object({ unitPrice: z.string(), units: z.string(), orders: z.number() });

const marketRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    "/listings",
    {
      schema: {
        tags: ["market"],
        summary:
          "Batches across registries in words, with best ask and bid and the last trade; " +
          "filter by registry, project type, vintage, country, methodology, price",
        querystring: z.object({
          registry: text().max(40).optional(),
          projectType: text().max(200).optional().describe("Substring of the project type"),
          methodology: text().max(200).optional().describe("Substring of the methodology"),
          country: z
            .string()
            .regex(/^[A-Za-z]{2}$/, "expected an ISO 3166 alpha-2 code")
            .optional(),
          vintage: z
            .string()
            .regex(/^\d{4}$/, "expected a year")
            .optional()
            .describe("Vintage year the period touches"),
          maxPrice: z
            .string()
            .regex(/^\d{1,78}$/, "expected base units as a decimal integer")
            .optional()
            .describe("Best ask at most this"),
        }),
        response: { 200: z.object({ items: z.array(listingBody) }), ...errors },
      },
    },
    async (request) => {
      const { rows } = await pool.query<ListingRow>(
        `SELECT b.batch_id::text, b.registry_id, b.serial_prefix, b.frozen, b.total_supply::text,
                (SELECT c.serial FROM custody_blocks c WHERE c.registry_id = b.registry_id AND c.serial_prefix = b.serial_prefix
                  ORDER BY c.observed_at DESC LIMIT 1) AS serial,
                (SELECT array_agg(c.payload) FROM (SELECT payload FROM custody_blocks c WHERE c.registry_id = b.registry_id
                  AND c.serial_prefix = b.serial_prefix ORDER BY (c.status = 'RETIRED') ASC, c.observed_at DESC LIMIT 3) c)
                  AS payloads,
                (SELECT min(o.unit_price)::text FROM orders o
                  WHERE o.batch_id = b.batch_id AND o.side = 0 AND ${BOOK}) AS best_ask,
                (SELECT max(o.unit_price)::text FROM orders o
                  WHERE o.batch_id = b.batch_id AND o.side = 1 AND ${BOOK}) AS best_bid,
                (SELECT coalesce(sum(o.amount - o.filled_amount), 0)::text FROM orders o
                  WHERE o.batch_id = b.batch_id AND o.side = 0 AND ${BOOK}) AS ask_depth,
                t.unit_price::text AS last_price, t.created_at AS last_at,
                coalesce(t.payment_token, (SELECT o.payment_token FROM orders o WHERE o.batch_id = b.batch_id LIMIT 1))
                  AS payment_token
           FROM batches b
           LEFT JOIN LATERAL (SELECT o.unit_price, o.payment_token, f.created_at
                                FROM fills f JOIN orders o ON o.order_hash = f.order_hash
                               WHERE o.batch_id = b.batch_id ORDER BY f.id DESC LIMIT 1) t ON true
          ORDER BY b.batch_id`,
      );
      const q = request.query;
      const has = (value: string | null, needle: string | undefined) =>
        needle === undefined || (value ?? "").toLowerCase().includes(needle.toLowerCase());
      const items = rows.map((row) => {
        const info = projectInfoOf(row.registry_id, row.serial ?? undefined, row.payloads ?? []);
        const unitType = info.unitType ?? null;
        return {
          batchId: row.batch_id,
          registry: { id: row.registry_id, name: REGISTRY_DISPLAY_NAMES[row.registry_id as RegistryName] ?? row.registry_id },
          serialPrefix: row.serial_prefix,
          project: {
            id: info.projectId ?? null,
            name: info.name ?? null,
            type: info.type ?? null,
            methodology: info.methodology ?? null,
            country: info.country ?? null,
          },
          vintage: { start: info.vintageStart ?? null, end: info.vintageEnd ?? null },
          unit: { type: unitType, metric: unitType === null ? null : (UNIT_METRIC[unitType] ?? null) },
          totalSupply: row.total_supply,
          frozen: row.frozen,
          bestAsk: row.best_ask,
          bestBid: row.best_bid,
          unitsOffered: row.ask_depth,
          lastPrice: row.last_price,
          lastTradeAt: row.last_at?.toISOString() ?? null,
          paymentToken: row.payment_token === null ? null : checksum(row.payment_token),
        };
      });
      const touches = (item: (typeof items)[number], year: string) =>
        item.vintage.start !== null &&
        item.vintage.start.slice(0, 4) <= year &&
        (item.vintage.end ?? item.vintage.start).slice(0, 4) >= year;
      return {
        items: items.filter(
          (item) =>
            (q.registry === undefined || item.registry.id === q.registry) &&
            has(item.project.type, q.projectType) &&
            has(item.project.methodology, q.methodology) &&
            (q.country === undefined || item.project.country === q.country.toUpperCase()) &&
            (q.vintage === undefined || touches(item, q.vintage)) &&
            (q.maxPrice === undefined || (item.bestAsk !== null && BigInt(item.bestAsk) <= BigInt(q.maxPrice))),
        ),
      };
    },
  );

  app.get(
    "/batches/:batchId/depth",
    {
      schema: {
        tags: ["market"],
        summary: "Depth of a batch's book: units and orders per price level, asks cheapest first, bids dearest first",
        params: z.object({ batchId: uint256Param }),
        response: { 200: z.object({ batchId: z.string(), asks: z.array(level), bids: z.array(level) }), ...notFound, ...errors },
      },
    },
    async (request) => {
      const { rows } = await pool.query<{ side: number; unit_price: string; units: string; orders: string }>(
        `SELECT o.side, o.unit_price::text, sum(o.amount - o.filled_amount)::text AS units, count(*)::text AS orders
           FROM orders o WHERE o.batch_id = $1::numeric AND ${BOOK}
          GROUP BY o.side, o.unit_price ORDER BY o.side, o.unit_price`,
        [request.params.batchId],
      );
      const levels = (side: number) =>
        rows.filter((r) => r.side === side).map((r) => ({ unitPrice: r.unit_price, units: r.units, orders: Number(r.orders) }));
      return { batchId: request.params.batchId, asks: levels(0), bids: levels(1).reverse() };
    },
  );

  app.get(
    "/batches/:batchId/ohlc",
    {
      schema: {
        tags: ["market"],
        summary: "OHLC candles of a batch's trades (unit prices in payment token base units; time = when the fill was indexed)",
        params: z.object({ batchId: uint256Param }),
        querystring: z.object({ interval: z.enum(["1m", "1h", "1d"]).default("1h") }),
        response: {
          200: z.object({
            batchId: z.string(),
            interval: z.string(),
            candles: z.array(
              z.object({
                start: z.string(),
                open: z.string(),
                high: z.string(),
                low: z.string(),
                close: z.string(),
                volume: z.string(),
                trades: z.number(),
              }),
            ),
          }),
          ...notFound,
          ...errors,
        },
      },
    },
    async (request) => {
      const unit = { "1m": "minute", "1h": "hour", "1d": "day" }[request.query.interval];
      const { rows } = await pool.query<{
        start: Date;
        open: string;
        high: string;
        low: string;
        close: string;
        volume: string;
        trades: string;
      }>(
        `SELECT date_trunc($2, f.created_at) AS start,
                (array_agg(o.unit_price ORDER BY f.id))[1]::text AS open, max(o.unit_price)::text AS high,
                min(o.unit_price)::text AS low, (array_agg(o.unit_price ORDER BY f.id DESC))[1]::text AS close,
                sum(f.amount)::text AS volume, count(*)::text AS trades
           FROM fills f JOIN orders o ON o.order_hash = f.order_hash
          WHERE o.batch_id = $1::numeric GROUP BY 1 ORDER BY 1`,
        [request.params.batchId, unit],
      );
      return {
        batchId: request.params.batchId,
        interval: request.query.interval,
        candles: rows.map((r) => ({
          start: r.start.toISOString(),
          open: r.open,
          high: r.high,
          low: r.low,
          close: r.close,
          volume: r.volume,
          trades: Number(r.trades),
        })),
      };
    },
  );
};

export default marketRoutes;
