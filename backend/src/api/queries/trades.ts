import type { Pool } from "pg";

export type TradeRow = {
  id: string;
  order_hash: string;
  batch_id: string;
  side: number;
  maker: string;
  taker: string;
  amount: string;
  unit_price: string;
  payment_token: string;
  payment_amount: string;
  block_number: string;
  tx_hash: string;
  log_index: number;
  created_at: Date;
};

/** Fills (the indexer's projection of `OrderFilled`), newest first, optionally for one batch and/or one party. */
export async function listTrades(
  pool: Pool,
  params: { batchId?: string | undefined; holder?: string | undefined; before?: string | undefined; limit: number },
): Promise<TradeRow[]> {
  const { rows } = await pool.query<TradeRow>(
    `SELECT f.id::text, f.order_hash, o.batch_id::text, o.side, o.maker, f.taker, f.amount::text,
            o.unit_price::text, o.payment_token, f.payment_amount::text, f.block_number::text, f.tx_hash, f.log_index,
            f.created_at
       FROM fills f JOIN orders o ON o.order_hash = f.order_hash
      WHERE ($1::numeric IS NULL OR o.batch_id = $1::numeric)
        AND ($2::text IS NULL OR lower(f.taker) = $2 OR lower(o.maker) = $2)
        AND ($3::bigint IS NULL OR f.id < $3::bigint)
      ORDER BY f.id DESC LIMIT $4`,
    [params.batchId ?? null, params.holder?.toLowerCase() ?? null, params.before ?? null, params.limit + 1],
  );
  return rows;
}
