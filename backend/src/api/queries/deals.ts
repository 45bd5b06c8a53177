import type { Pool } from "pg";
import { newestFirst } from "../../db/keyset";

export type DealRow = {
  deal_id: string;
  seller: string;
  buyer: string;
  batch_id: string;
  amount: string;
  payment_token: string | null;
  payment_amount: string;
  conditions: unknown;
  deadline: Date;
  status: string;
  conditions_satisfied: unknown;
  delivery_request_id: string | null;
  seller_proceeds: string | null;
  fee: string | null;
  created_at: Date;
  updated_at: Date;
};

const DEAL_SELECT = `
SELECT deal_id, seller, buyer, batch_id::text, amount::text, payment_token, payment_amount::text, conditions,
       deadline, status::text, conditions_satisfied, delivery_request_id, seller_proceeds::text, fee::text,
       created_at, updated_at
  FROM deals`;

export async function getDeal(pool: Pool, dealId: string): Promise<DealRow | undefined> {
  const { rows } = await pool.query<DealRow>(`${DEAL_SELECT} WHERE deal_id = $1`, [dealId.toLowerCase()]);
  return rows[0];
}

export type ListDealsParameters = {
  batchId?: string | undefined;
  party?: string | undefined;
  status?: string | undefined;
  after?: string[] | undefined;
  limit: number;
};

/** Newest first by (created_at, deal_id). */
export async function listDeals(pool: Pool, params: ListDealsParameters): Promise<DealRow[]> {
  const [created, id] = params.after ?? [null, null];
  const { rows } = await pool.query<DealRow>(
    `${DEAL_SELECT}
      WHERE ($1::numeric IS NULL OR batch_id = $1::numeric)
        AND ($2::text IS NULL OR lower(seller) = $2 OR lower(buyer) = $2)
        AND ($3::deal_status IS NULL OR status = $3::deal_status)
        AND ${newestFirst("created_at", "deal_id", 4)}`,
    [params.batchId ?? null, params.party?.toLowerCase() ?? null, params.status ?? null, created, id, params.limit + 1],
  );
  return rows;
}
