import type { Pool } from "pg";
import { newestFirst } from "./keyset";

export type RequestRow = {
  request_id: string;
  kind: "retirement" | "withdrawal";
  holder: string;
  batch_id: string;
  registry_id: string;
  amount: string;
  status: string;
  registry_status: string | null;
  registry_reference: string | null;
  destination_account: string | null;
  retirement: Record<string, unknown> | null;
  deadline: Date | null;
  chain_status: string;
  requested_tx_hash: string | null;
  answered_tx_hash: string | null;
  created_at: Date;
  updated_at: Date;
};

const REQUEST_SELECT = `
SELECT r.request_id, r.kind::text AS kind, r.holder, r.batch_id::text, b.registry_id, r.amount::text,
       r.status::text AS status, r.registry_status, r.registry_reference, r.destination_account, r.retirement,
       r.deadline, r.chain_status, r.requested_tx_hash, r.answered_tx_hash, r.created_at, r.updated_at
  FROM requests r JOIN batches b ON b.batch_id = r.batch_id`;

export async function getRequest(pool: Pool, requestId: string): Promise<RequestRow | undefined> {
  const { rows } = await pool.query<RequestRow>(`${REQUEST_SELECT} WHERE r.request_id = $1`, [requestId.toLowerCase()]);
  return rows[0];
}

export type ListRequestsParameters = {
  holder?: string | undefined;
  batchId?: string | undefined;
  kind?: string | undefined;
  status?: string | undefined;
  after?: string[] | undefined;
  limit: number;
};

/** Newest first by (created_at, request_id). */
export async function listRequests(pool: Pool, params: ListRequestsParameters): Promise<RequestRow[]> {
  const [created, id] = params.after ?? [null, null];
  const { rows } = await pool.query<RequestRow>(
    `${REQUEST_SELECT}
      WHERE ($1::text IS NULL OR lower(r.holder) = $1)
        AND ($2::numeric IS NULL OR r.batch_id = $2::numeric)
        AND ($3::request_kind IS NULL OR r.kind = $3::request_kind)
        AND ($4::request_status IS NULL OR r.status = $4::request_status)
        AND ${newestFirst("r.created_at", "r.request_id", 5)}`,
    [
      params.holder?.toLowerCase() ?? null,
      params.batchId ?? null,
      params.kind ?? null,
      params.status ?? null,
      created,
      id,
      params.limit + 1,
    ],
  );
  return rows;
}

export type ConfirmationRow = { block_number: string; tx_hash: string; log_index: number; args: Record<string, unknown> };

/** The indexed `RetirementConfirmed` / `WithdrawalConfirmed` log of a request, when there is one. */
export async function getConfirmationEvent(pool: Pool, requestId: string): Promise<ConfirmationRow | undefined> {
  const { rows } = await pool.query<ConfirmationRow>(
    `SELECT block_number::text, tx_hash, log_index, args FROM chain_events
      WHERE event_name IN ('RetirementConfirmed', 'WithdrawalConfirmed') AND lower(args->>'requestId') = $1
      ORDER BY chain_events.block_number DESC, chain_events.log_index DESC LIMIT 1`,
    [requestId.toLowerCase()],
  );
  return rows[0];
}
