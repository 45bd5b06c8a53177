/**
 * What only the platform's database holds about a scope: the order book's rows (orders with their EIP-712
 * signatures and fills as indexed), the registry side of each request (the platform's and the registry's status,
 * the registry's reference), the registry instruction (the queue job keyed by the request id) and the registry's
 * events as received (payload kept as it came, with its hash). Read-only; every row in a stable order so a package
 * built twice from the same state is the same.
 */
import crypto from "node:crypto";
import type { Pool } from "pg";
import type { Hex } from "viem";
import { orderTypes, settlementDomain } from "../../chain/orders";
import type { ChainRecords } from "./chainRecords";
import { EvidenceSourceError } from "../errors";
import { verifierModules } from "../verifier";
import type { OrderRecord, TypedRecord } from "./types";

type Rows = Array<Record<string, unknown>>;

/** Dates as ISO strings, everything else as PostgreSQL returned it (numerics come back as strings). */
function normalize(rows: Rows): Rows {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        v instanceof Date ? v.toISOString() : v === null ? null : typeof v === "object" ? v : String(v),
      ]),
    ),
  );
}

export type DatabaseRecordsParameters = {
  batchId: bigint;
  requestIds?: readonly string[] | undefined;
  parties?: readonly string[] | undefined;
};

export async function collectDatabaseRecords(pool: Pool, p: DatabaseRecordsParameters): Promise<Record<string, Rows>> {
  const query = async (sql: string, values: unknown[]): Promise<Rows> => {
    try {
      return normalize((await pool.query(sql, values)).rows as Rows);
    } catch (error) {
      throw new EvidenceSourceError(
        `reading the platform database failed: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
  };
  const batch = p.batchId.toString();
  const parties = p.parties?.map((a) => a.toLowerCase()) ?? null;
  const orders = await query(
    `SELECT * FROM orders WHERE batch_id = $1::numeric AND ($2::text[] IS NULL OR lower(maker) = ANY($2::text[])
       OR order_hash IN (SELECT order_hash FROM fills WHERE lower(taker) = ANY($2::text[])))
     ORDER BY order_hash`,
    [batch, parties],
  );
  const fills = await query(
    `SELECT f.* FROM fills f JOIN orders o USING (order_hash)
     WHERE o.batch_id = $1::numeric
       AND ($2::text[] IS NULL OR lower(f.taker) = ANY($2::text[]) OR lower(o.maker) = ANY($2::text[]))
     ORDER BY f.block_number, f.log_index`,
    [batch, parties],
  );
  const ids = p.requestIds?.map((r) => r.toLowerCase()) ?? null;
  const requests = await query(
    `SELECT * FROM requests
     WHERE batch_id = $1::numeric AND ($2::text[] IS NULL OR lower(request_id) = ANY($2::text[]))
     ORDER BY request_id`,
    [batch, ids],
  );
  const requestIds = requests.map((r) => String(r.request_id).toLowerCase());
  const instructions = await query(
    `SELECT id, kind, key, registry, payload, state, attempts, last_error, last_error_code, created_at, finished_at
     FROM jobs WHERE lower(key) = ANY($1::text[]) ORDER BY key, id`,
    [requestIds],
  );
  const answers = (
    await query(`SELECT * FROM registry_events WHERE lower(memo) = ANY($1::text[]) ORDER BY registry_id, sequence, event_id`, [
      requestIds,
    ])
  ).map((row) => ({
    ...row,
    payload_sha256: `0x${crypto.createHash("sha256").update(verifierModules().jcs.canonicalBytes(row.payload)).digest("hex")}`,
  }));
  return { orders, fills, requests, registry_instructions: instructions, registry_answers: answers };
}

/**
 * Adds the database's orders to the chain's: an order both hold is marked with both sources and keeps its row;
 * an order only the database has (never filled in range) becomes a record of its own from the row's columns.
 */
export function mergeDatabaseOrders(orders: OrderRecord[], rows: Rows, domain: TypedRecord["domain"]): OrderRecord[] {
  const byHash = new Map(orders.map((o) => [o.orderHash.toLowerCase(), o]));
  for (const row of rows) {
    const hash = String(row.order_hash).toLowerCase();
    const known = byHash.get(hash);
    if (known !== undefined) {
      byHash.set(hash, { ...known, sources: [...known.sources, "database"], database: row });
      continue;
    }
    const message = {
      side: String(row.side),
      maker: row.maker,
      taker: row.taker,
      batchId: row.batch_id,
      amount: row.amount,
      unitPrice: row.unit_price,
      paymentToken: row.payment_token,
      maxFeeBps: String(row.max_fee_bps),
      minFill: row.min_fill,
      expiry: String(Math.floor(new Date(String(row.expires_at)).getTime() / 1000)),
      salt: row.nonce,
      counter: row.counter,
    };
    byHash.set(hash, {
      domain,
      types: orderTypes as unknown as TypedRecord["types"],
      primaryType: "Order",
      message,
      orderHash: hash as Hex,
      signature: row.signature as Hex,
      sources: ["database"],
      database: row,
    });
  }
  return [...byHash.values()].sort((a, b) => (a.orderHash < b.orderHash ? -1 : 1));
}

/** The chain's orders with the database's merged in (when the settlement is known). */
export function withDatabaseOrders(chain: ChainRecords, database: Record<string, Rows> | undefined): OrderRecord[] {
  if (database?.orders === undefined || chain.settlement === undefined) return chain.orders;
  const domain = settlementDomain({ chainId: chain.export.chainId, verifyingContract: chain.settlement });
  return mergeDatabaseOrders(chain.orders, database.orders, {
    name: String(domain.name),
    version: String(domain.version),
    chainId: String(domain.chainId),
    verifyingContract: chain.settlement,
  });
}
