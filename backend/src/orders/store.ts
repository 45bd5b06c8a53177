/**
 * The order book's tables, `orders` and `fills` (migrations 0001, 0002), and every statement on them. Two writers
 * meet here, each on its own columns:
 *
 * | move | writer |
 * |---|---|
 * | a signed order inserted (never changed afterwards) | the API, after checking the signature (`insertOrder`) |
 * | `cancelled_at` set, `status` -> `cancelled` (off-chain cancel, which a reorg reset does not undo) | the API (`cancelOrder`) |
 * | a fill inserted, `filled_amount` raised, `status` -> `partially_filled` / `filled` | the indexer, `OrderFilled`
 * (`recordFill`) |
 * | `status` -> `cancelled` | the indexer, `OrderCancelled` (`recordCancelled`) |
 * | fills deleted, `filled_amount` 0, `status` back to `open` | the indexer reorg (`resetForReplay`) |
 */
import { newestFirst } from "../db/keyset";
import type { Queryable } from "../db/queryable";

export type OrderRow = {
  order_hash: string;
  side: number;
  maker: string;
  taker: string;
  batch_id: string;
  amount: string;
  min_fill: string;
  unit_price: string;
  payment_token: string;
  max_fee_bps: number;
  nonce: string;
  counter: string;
  expires_at: Date;
  signature: string;
  status: string;
  filled: string;
  remaining: string;
  created_at: Date;
  cancelled_at: Date | null;
};

/**
 * `filled` is the larger of the fills projection's sum and the projection's own `orders.filled_amount`, so the
 * book is right whichever of the two the indexer updates first. `status` turns "expired" on read once past
 * `expires_at`, and reads "withdrawn" once the maker took it off the book through the API (`cancelled_at`, the
 * API's own fact, which a reorg reset of the projection does not undo). "cancelled" is only ever the chain's word
 * (`OrderCancelled`, written by the indexer): a withdrawn order is still signed and can still fill on chain until
 * the maker sends `Settlement.cancel`, so the API never calls it cancelled (issue 12 §4.1).
 */
const ORDER_SELECT = `
SELECT o.order_hash, o.side, o.maker, o.taker, o.batch_id::text, o.amount::text, o.min_fill::text,
       o.unit_price::text, o.payment_token, o.max_fee_bps, o.nonce::text, o.counter::text, o.expires_at, o.signature,
       CASE WHEN o.status IN ('open', 'partially_filled') AND o.cancelled_at IS NOT NULL THEN 'withdrawn'
            WHEN o.status IN ('open', 'partially_filled') AND o.expires_at <= now() THEN 'expired'
            ELSE o.status::text END AS status,
       f.filled::text, (o.amount - f.filled)::text AS remaining, o.created_at, o.cancelled_at
  FROM orders o
 CROSS JOIN LATERAL (
   SELECT greatest(o.filled_amount, coalesce((SELECT sum(amount) FROM fills WHERE order_hash = o.order_hash), 0))
          AS filled
 ) f`;

export async function getOrder(db: Queryable, orderHash: string): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(`${ORDER_SELECT} WHERE o.order_hash = $1`, [orderHash.toLowerCase()]);
  return rows[0];
}

export type InsertOrderParameters = {
  orderHash: string;
  side: number;
  maker: string;
  taker: string;
  batchId: string;
  amount: string;
  minFill: string;
  unitPrice: string;
  paymentToken: string;
  maxFeeBps: number;
  salt: string;
  counter: string;
  expiresAt: Date;
  signature: string;
};

/** Stores a verified order; false when an order with this hash is already stored (same digest, same terms). */
export async function insertOrder(db: Queryable, order: InsertOrderParameters): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO orders (order_hash, side, maker, taker, batch_id, amount, min_fill, unit_price, payment_token,
                         nonce, counter, expires_at, signature, max_fee_bps)
     VALUES ($1, $2, $3, $4, $5::numeric, $6::numeric, $7::numeric, $8::numeric, $9, $10::numeric, $11::numeric,
             $12, $13, $14)
     ON CONFLICT (order_hash) DO NOTHING`,
    [
      order.orderHash.toLowerCase(),
      order.side,
      order.maker,
      order.taker,
      order.batchId,
      order.amount,
      order.minFill,
      order.unitPrice,
      order.paymentToken,
      order.salt,
      order.counter,
      order.expiresAt,
      order.signature,
      order.maxFeeBps,
    ],
  );
  return (rowCount ?? 0) > 0;
}

/** SQL: the Settlement counter of `signer` (an SQL expression) as indexed (last `CounterIncremented`), 0 before any. */
function indexedCounter(signer: string): string {
  return `coalesce((SELECT max((e.args->>'newCounter')::numeric) FROM chain_events e
                     WHERE e.event_name = 'CounterIncremented' AND lower(e.args->>'signer') = lower(${signer})), 0)`;
}

/** The maker's Settlement counter as indexed (last `CounterIncremented`), "0" before any. */
export async function currentCounter(db: Queryable, maker: string): Promise<string> {
  const { rows } = await db.query<{ counter: string }>(`SELECT ${indexedCounter("$1::text")}::text AS counter`, [
    maker.toLowerCase(),
  ]);
  return rows[0]?.counter ?? "0";
}

/**
 * The book of a batch: open, unexpired orders with something left whose counter is still the maker's current
 * one (Settlement refuses any other), best price first (asks up, bids down).
 */
export async function listBook(
  db: Queryable,
  params: { batchId: string; side: number; after?: string[] | undefined; limit: number },
): Promise<OrderRow[]> {
  const ascending = params.side === 0;
  const [price, hash] = params.after ?? [null, null];
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM (${ORDER_SELECT}
       WHERE o.batch_id = $1::numeric AND o.side = $2 AND o.status IN ('open', 'partially_filled')
         AND o.cancelled_at IS NULL AND o.expires_at > now()
         AND o.counter >= ${indexedCounter("o.maker")}
     ) book
      WHERE remaining::numeric > 0
        AND ($3::numeric IS NULL OR (unit_price::numeric, order_hash) ${ascending ? ">" : "<"} ($3::numeric, $4::text))
      ORDER BY unit_price::numeric ${ascending ? "ASC" : "DESC"}, order_hash ${ascending ? "ASC" : "DESC"}
      LIMIT $5`,
    [params.batchId, params.side, price, hash, params.limit + 1],
  );
  return rows;
}

/**
 * Takes an order off the book (idempotent): sets only the API's own `cancelled_at`, never the projection's
 * `status`, which stays the chain's. False when the order is filled or cancelled on chain.
 */
export async function withdrawOrder(db: Queryable, orderHash: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE orders SET cancelled_at = coalesce(cancelled_at, now())
      WHERE order_hash = $1 AND status IN ('open', 'partially_filled')`,
    [orderHash.toLowerCase()],
  );
  return (rowCount ?? 0) > 0;
}

export type ListOrdersParameters = {
  maker?: string | undefined;
  batchId?: string | undefined;
  status?: string | undefined;
  after?: string[] | undefined;
  limit: number;
};

/** Orders of every status, newest first by (created_at, order_hash); `status` filters on the answered status. */
export async function listOrders(db: Queryable, params: ListOrdersParameters): Promise<OrderRow[]> {
  const [created, hash] = params.after ?? [null, null];
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM (${ORDER_SELECT}
       WHERE ($1::text IS NULL OR lower(o.maker) = $1) AND ($2::numeric IS NULL OR o.batch_id = $2::numeric)) listed
      WHERE ($3::text IS NULL OR status = $3)
        AND ${newestFirst("created_at", "order_hash", 4)}`,
    [params.maker?.toLowerCase() ?? null, params.batchId ?? null, params.status ?? null, created, hash, params.limit + 1],
  );
  return rows;
}

/** The batch of an order (for events that name only the order), or undefined. */
export async function batchOfOrder(db: Queryable, orderHash: string): Promise<string | undefined> {
  const { rows } = await db.query<{ batch_id: string }>("SELECT batch_id FROM orders WHERE order_hash = $1", [orderHash]);
  return rows[0]?.batch_id;
}

/** `OrderFilled` as the indexer stored it (addresses lowercase, numbers as decimal strings). */
export type FillEvent = {
  orderHash: string;
  seller: string;
  buyer: string;
  amount: string;
  price: string;
  blockNumber: string;
  txHash: string;
  logIndex: number;
};

/**
 * Indexer: a fill of an order the API stored (`taker` = the party that is not the maker, `payment_amount` = price)
 * raises `filled_amount`; a fill of an order the platform never saw stays in `chain_events` and `balances` only.
 * Idempotent by (tx hash, log index).
 */
export async function recordFill(db: Queryable, fill: FillEvent): Promise<void> {
  const { rows } = await db.query<{ maker: string }>("SELECT maker FROM orders WHERE order_hash = $1", [fill.orderHash]);
  const maker = rows[0]?.maker.toLowerCase();
  if (maker === undefined) return;
  const taker = maker === fill.seller ? fill.buyer : fill.seller;
  const inserted = await db.query(
    `INSERT INTO fills (order_hash, taker, amount, payment_amount, block_number, tx_hash, log_index)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tx_hash, log_index) DO NOTHING`,
    [fill.orderHash, taker, fill.amount, fill.price, fill.blockNumber, fill.txHash, fill.logIndex],
  );
  if (inserted.rowCount === 0) return;
  await db.query(
    `UPDATE orders SET filled_amount = filled_amount + $2,
       status = CASE WHEN filled_amount + $2 >= amount THEN 'filled'::order_status ELSE 'partially_filled'::order_status END
     WHERE order_hash = $1`,
    [fill.orderHash, fill.amount],
  );
}

/** Indexer: the maker cancelled the order on chain (`OrderCancelled`). */
export async function recordCancelled(db: Queryable, orderHash: string): Promise<void> {
  await db.query("UPDATE orders SET status = 'cancelled' WHERE order_hash = $1", [orderHash]);
}

/** Indexer reorg: the batch's orders back to "no events" (fills gone, nothing filled, open again). */
export async function resetForReplay(db: Queryable, batchId: string): Promise<void> {
  await db.query("DELETE FROM fills f USING orders o WHERE f.order_hash = o.order_hash AND o.batch_id = $1", [batchId]);
  await db.query(
    `UPDATE orders SET filled_amount = 0,
       status = CASE WHEN status IN ('partially_filled', 'filled', 'cancelled') THEN 'open'::order_status ELSE status END
     WHERE batch_id = $1`,
    [batchId],
  );
}
