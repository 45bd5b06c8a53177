import type { Pool } from "pg";

export type RunRow = {
  id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  checkpoint_block: string | null;
  summary: Record<string, unknown>;
  error: string | null;
};

export async function listRuns(pool: Pool, params: { before?: string | undefined; limit: number }): Promise<RunRow[]> {
  const { rows } = await pool.query<RunRow>(
    `SELECT id::text, status::text, started_at, finished_at, checkpoint_block::text, summary, error
       FROM reconciliation_runs WHERE ($1::bigint IS NULL OR id < $1::bigint) ORDER BY reconciliation_runs.id DESC LIMIT $2`,
    [params.before ?? null, params.limit + 1],
  );
  return rows;
}

export type DiscrepancyRow = {
  id: string;
  run_id: string;
  class: string;
  registry_id: string | null;
  batch_id: string | null;
  expected: string | null;
  actual: string | null;
  details: Record<string, unknown>;
  detected_at: Date;
  resolved_at: Date | null;
};

export type ListDiscrepanciesParameters = {
  runId?: string | undefined;
  batchId?: string | undefined;
  class?: string | undefined;
  open?: boolean | undefined;
  before?: string | undefined;
  limit: number;
};

export async function listDiscrepancies(pool: Pool, params: ListDiscrepanciesParameters): Promise<DiscrepancyRow[]> {
  const { rows } = await pool.query<DiscrepancyRow>(
    `SELECT id::text, run_id::text, class::text, registry_id, batch_id::text, expected::text, actual::text, details,
            detected_at, resolved_at
       FROM discrepancies
      WHERE ($1::bigint IS NULL OR run_id = $1::bigint)
        AND ($2::numeric IS NULL OR batch_id = $2::numeric)
        AND ($3::discrepancy_class IS NULL OR class = $3::discrepancy_class)
        AND ($4::boolean IS NULL OR (resolved_at IS NULL) = $4)
        AND ($5::bigint IS NULL OR id < $5::bigint)
      ORDER BY discrepancies.id DESC LIMIT $6`,
    [
      params.runId ?? null,
      params.batchId ?? null,
      params.class ?? null,
      params.open ?? null,
      params.before ?? null,
      params.limit + 1,
    ],
  );
  return rows;
}
