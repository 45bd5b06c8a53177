/**
 * Custody quantities from the indexer's projections (migration 0002, docs/backend-core.md "Indexer projections"):
 *
 *   totalSupply = batches.total_supply                       (mints minus burns)
 *   frozen      = batches.frozen                             (last BatchFrozen / BatchUnfrozen)
 *   escrowed    = open deals not yet handed to the bridge    (units held by Settlement)
 *   pending*    = requests requested/submitted/overdue       (units held by RegistryBridge)
 *   available   = totalSupply - escrowed - pending retirement - pending withdrawal
 *   retired / withdrawn = confirmed requests                 (burned)
 *
 * A holder's available units are its row in `balances` (addresses lowercase there).
 */
import type { Pool } from "pg";

/** Request statuses whose units sit in the bridge. */
const PENDING = "('requested', 'submitted', 'overdue')";
/** A deal in delivery is a pending withdrawal of Settlement's; counting it as escrow too would count it twice. */
const ESCROWED_DEAL = "status = 'open' AND delivery_request_id IS NULL";

export type BatchRow = {
  batch_id: string;
  registry_id: string;
  serial_prefix: string;
  project_id: string | null;
  vintage_start: string | null;
  vintage_end: string | null;
  unit_type: string | null;
  metadata: Record<string, unknown>;
  total_supply: string;
  escrowed: string;
  pending_retirement: string;
  pending_withdrawal: string;
  retired: string;
  withdrawn: string;
  frozen: boolean;
  reserve_units: string | null;
  reserve_as_of: Date | null;
};

const BATCH_SELECT = `
SELECT b.batch_id::text, b.registry_id, b.serial_prefix, b.project_id,
       to_char(b.vintage_start, 'YYYY-MM-DD') AS vintage_start, to_char(b.vintage_end, 'YYYY-MM-DD') AS vintage_end,
       b.unit_type, b.metadata, b.total_supply::text, b.frozen, b.reserve_units::text, b.reserve_as_of,
       (SELECT coalesce(sum(amount), 0) FROM deals d WHERE d.batch_id = b.batch_id AND d.${ESCROWED_DEAL})::text
         AS escrowed,
       coalesce(r.pending_retirement, 0)::text AS pending_retirement,
       coalesce(r.pending_withdrawal, 0)::text AS pending_withdrawal,
       coalesce(r.retired, 0)::text AS retired, coalesce(r.withdrawn, 0)::text AS withdrawn
  FROM batches b
 CROSS JOIN LATERAL (
   SELECT sum(amount) FILTER (WHERE kind = 'retirement' AND status IN ${PENDING}) AS pending_retirement,
          sum(amount) FILTER (WHERE kind = 'withdrawal' AND status IN ${PENDING}) AS pending_withdrawal,
          sum(amount) FILTER (WHERE kind = 'retirement' AND status = 'confirmed') AS retired,
          sum(amount) FILTER (WHERE kind = 'withdrawal' AND status = 'confirmed') AS withdrawn
     FROM requests WHERE batch_id = b.batch_id
 ) r`;

export async function getBatch(pool: Pool, batchId: string): Promise<BatchRow | undefined> {
  const { rows } = await pool.query<BatchRow>(`${BATCH_SELECT} WHERE b.batch_id = $1::numeric`, [batchId]);
  return rows[0];
}

export type ListBatchesParameters = { registryId?: string | undefined; after?: string | undefined; limit: number };

/** Batches in token id order, `limit + 1` rows (the extra one tells a next page exists). */
export async function listBatches(pool: Pool, params: ListBatchesParameters): Promise<BatchRow[]> {
  const { rows } = await pool.query<BatchRow>(
    `${BATCH_SELECT}
      WHERE ($1::text IS NULL OR b.registry_id = $1) AND ($2::numeric IS NULL OR b.batch_id > $2::numeric)
      ORDER BY b.batch_id LIMIT $3`,
    [params.registryId ?? null, params.after ?? null, params.limit + 1],
  );
  return rows;
}

export async function batchExists(pool: Pool, batchId: string): Promise<boolean> {
  const { rowCount } = await pool.query("SELECT 1 FROM batches WHERE batch_id = $1::numeric", [batchId]);
  return (rowCount ?? 0) > 0;
}

/** Holdings per batch of one holder. */
export type InventoryRow = {
  batch_id: string;
  registry_id: string;
  serial_prefix: string;
  available: string;
  escrowed: string;
  pending_retirement: string;
  pending_withdrawal: string;
  retired: string;
  withdrawn: string;
};

export async function listInventory(
  pool: Pool,
  params: { holder: string; after?: string | undefined; limit: number },
): Promise<InventoryRow[]> {
  const { rows } = await pool.query<InventoryRow>(
    `WITH balance AS (
       SELECT batch_id, amount FROM balances WHERE holder = $1
     ),
     escrow AS (
       SELECT batch_id, sum(amount) AS amount FROM deals WHERE lower(seller) = $1 AND ${ESCROWED_DEAL} GROUP BY batch_id
     ),
     req AS (
       SELECT batch_id,
              coalesce(sum(amount) FILTER (WHERE kind = 'retirement' AND status IN ${PENDING}), 0) AS pr,
              coalesce(sum(amount) FILTER (WHERE kind = 'withdrawal' AND status IN ${PENDING}), 0) AS pw,
              coalesce(sum(amount) FILTER (WHERE kind = 'retirement' AND status = 'confirmed'), 0) AS rt,
              coalesce(sum(amount) FILTER (WHERE kind = 'withdrawal' AND status = 'confirmed'), 0) AS wd
         FROM requests WHERE lower(holder) = $1 GROUP BY batch_id
     ),
     ids AS (SELECT batch_id FROM balance UNION SELECT batch_id FROM escrow UNION SELECT batch_id FROM req)
     SELECT b.batch_id::text, b.registry_id, b.serial_prefix,
            coalesce(bal.amount, 0)::text AS available,
            coalesce(es.amount, 0)::text AS escrowed,
            coalesce(rq.pr, 0)::text AS pending_retirement, coalesce(rq.pw, 0)::text AS pending_withdrawal,
            coalesce(rq.rt, 0)::text AS retired, coalesce(rq.wd, 0)::text AS withdrawn
       FROM ids JOIN batches b ON b.batch_id = ids.batch_id
       LEFT JOIN balance bal ON bal.batch_id = ids.batch_id
       LEFT JOIN escrow es ON es.batch_id = ids.batch_id
       LEFT JOIN req rq ON rq.batch_id = ids.batch_id
      WHERE ($2::numeric IS NULL OR b.batch_id > $2::numeric)
      ORDER BY b.batch_id LIMIT $3`,
    [params.holder.toLowerCase(), params.after ?? null, params.limit + 1],
  );
  return rows;
}
