import type { Pool } from "pg";
import { JOB_STATES, type JobState } from "../../queue";

export type JobRow = {
  id: string;
  kind: string;
  key: string;
  registry: string | null;
  payload: unknown;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  last_error: string | null;
  last_error_code: string | null;
  redriven_by: string | null;
  redriven_at: Date | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
};

export type ListJobsParameters = {
  state?: JobState | undefined;
  kind?: string | undefined;
  registry?: string | undefined;
  /** Keyset: jobs with a smaller id. */
  before?: string | undefined;
  limit: number;
};

const COLUMNS = `id::text, kind, key, registry, payload, state, attempts, max_attempts, run_at, last_error, last_error_code,
  redriven_by, redriven_at, created_at, updated_at, finished_at`;

/** Jobs newest first (by id), filtered; one row more than `limit` tells the caller there is a next page. */
export async function listJobs(pool: Pool, params: ListJobsParameters): Promise<JobRow[]> {
  const { rows } = await pool.query<JobRow>(
    `SELECT ${COLUMNS} FROM jobs
      WHERE ($1::text IS NULL OR state = $1::text)
        AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR registry = $3)
        AND ($4::bigint IS NULL OR id < $4::bigint)
      ORDER BY jobs.id DESC LIMIT $5`,
    [params.state ?? null, params.kind ?? null, params.registry ?? null, params.before ?? null, params.limit + 1],
  );
  return rows;
}

export async function getJobRow(pool: Pool, id: string): Promise<JobRow | undefined> {
  const { rows } = await pool.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1::bigint`, [id]);
  return rows[0];
}

export type JobCounts = { registry: string | null; kind: string; state: JobState; count: number }[];

/** Jobs per (registry, kind, state): the queue's depth and its dead letters at a glance. */
export async function countJobs(pool: Pool): Promise<JobCounts> {
  const { rows } = await pool.query<{ registry: string | null; kind: string; state: JobState; count: string }>(
    `SELECT registry, kind, state, count(*)::text AS count FROM jobs GROUP BY registry, kind, state
      ORDER BY registry NULLS FIRST, kind, array_position($1::text[], state)`,
    [JOB_STATES],
  );
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}
