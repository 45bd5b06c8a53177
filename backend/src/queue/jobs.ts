/**
 * The durable job queue: jobs live in the `jobs` table (migration 0004_queue_guard.sql).
 *
 * Why our own code and not graphile-worker or pg-boss: neither is installed, the whole queue is a few hundred
 * lines, and we need exact control of two things those libraries shape for us: the idempotency key is the
 * on-chain request id (one job per request, ever, with a fixed duplicate policy), and the claim is
 * registry-aware (a worker can claim only the jobs of one registry whose guard lets it call).
 *
 * Lifecycle: queued -> running (claimed, lease in `locked_until`) -> succeeded | queued (retry later) | dead.
 * `failed` is reserved for jobs a handler gives up on without a dead letter (not used by this module).
 * Every write after a claim is fenced by `(id, locked_by, attempts)`: a worker whose lease expired and whose job
 * was claimed again cannot complete or fail the new attempt.
 */
import type { Queryable } from "../db/queryable";
import { replaceUnstorable } from "../db/storable";
import { BaseError } from "../errors";
import { QueueError, QueueLeaseLostError } from "./errors";

export const JOB_STATES = ["queued", "running", "succeeded", "failed", "dead"] as const;
export type JobState = (typeof JOB_STATES)[number];

export type Job<P = unknown> = {
  id: string;
  kind: string;
  key: string;
  registry: string | null;
  payload: P;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  lastErrorCode: string | null;
  redrivenBy: string | null;
  redrivenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
};

type JobRow = {
  id: string;
  kind: string;
  key: string;
  registry: string | null;
  payload: unknown;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
  last_error_code: string | null;
  redriven_by: string | null;
  redriven_at: Date | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
};

function toJob<P>(row: JobRow): Job<P> {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    registry: row.registry,
    payload: row.payload as P,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    redrivenBy: row.redriven_by,
    redrivenAt: row.redriven_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export type EnqueueParameters<P = unknown> = {
  kind: string;
  /** Idempotency key, e.g. the on-chain request id. */
  key: string;
  registry?: string | null | undefined;
  payload?: P;
  maxAttempts?: number | undefined;
  /** Earliest start, default now. */
  runAt?: Date | undefined;
};

export type EnqueueReturnType<P = unknown> = { job: Job<P>; created: boolean };

/**
 * Adds a job. Duplicate policy: a job with the same `key` already exists -> it is kept and returned unchanged
 * (whatever its state, even dead: a dead request id is redriven by an operator, never re-enqueued silently),
 * and `created` is false. `ON CONFLICT DO NOTHING` makes two concurrent enqueues of one key insert exactly one
 * row; the loser reads the winner's row (committed by then: the conflict check waits for it).
 */
export async function enqueue<P>(db: Queryable, parameters: EnqueueParameters<P>): Promise<EnqueueReturnType<P>> {
  const inserted = await db.query<JobRow>(
    `INSERT INTO jobs (kind, key, registry, payload, max_attempts, run_at)
     VALUES ($1, $2, $3, $4::jsonb, coalesce($5, 10), coalesce($6, now()))
     ON CONFLICT (key) DO NOTHING
     RETURNING *`,
    [
      parameters.kind,
      parameters.key,
      parameters.registry ?? null,
      JSON.stringify(parameters.payload ?? {}),
      parameters.maxAttempts ?? null,
      parameters.runAt ?? null,
    ],
  );
  const row = inserted.rows[0];
  if (row !== undefined) return { job: toJob<P>(row), created: true };
  const existing = await db.query<JobRow>("SELECT * FROM jobs WHERE key = $1", [parameters.key]);
  const found = existing.rows[0];
  if (found === undefined) throw new QueueError(`job ${parameters.key} vanished after a conflict`, "QUEUE_RACE");
  return { job: toJob<P>(found), created: false };
}

/**
 * Where `enqueueMissing` finds the jobs that should exist: a SELECT returning one row per job with the columns
 * `kind`, `key`, `registry` (text or NULL), `payload` (jsonb), `max_attempts` (int) and `position` (any sortable
 * value: jobs are created in `(position, key)` order, which is their claim order among equal `run_at`).
 */
export type MissingJobsSource = { select: string; values: readonly unknown[] };

/**
 * The set-based `enqueue`: in one statement, a job for every row of `source` whose key has none yet, with the same
 * duplicate policy (a key that has a job, in any state, even dead, is left alone; the unique key makes two
 * concurrent calls create each job once). For a caller that re-derives its work from its own table each time, so
 * a crash anywhere loses nothing. Returns the number of jobs created.
 */
export async function enqueueMissing(db: Queryable, source: MissingJobsSource): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO jobs (kind, key, registry, payload, max_attempts)
     SELECT c.kind, c.key, c.registry, c.payload, c.max_attempts
       FROM (${source.select}) c
      WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.key = c.key)
      ORDER BY c.position, c.key
     ON CONFLICT (key) DO NOTHING`,
    [...source.values],
  );
  return rowCount ?? 0;
}

export type ClaimJobsParameters = {
  /** Only jobs of this registry (the guard said it may be called). */
  registry?: string | undefined;
  /** Only jobs of these kinds. */
  kinds?: readonly string[] | undefined;
  /**
   * Leave jobs of these registries where they are (e.g. registries whose circuit is open): claiming them would
   * only burn an attempt on a call the guard refuses. Jobs without a registry are never excluded.
   */
  excludeRegistries?: readonly string[] | undefined;
  limit: number;
  /** Lease length: the job is claimable again this long after the claim unless the worker extends it. */
  leaseMs: number;
};

/**
 * Claims up to `limit` due jobs, oldest `run_at` first, for `workerId`; each claim counts an attempt.
 *
 * Locking: the CTE selects candidate rows `FOR UPDATE SKIP LOCKED`, so two claimers never wait on each other
 * and never take the same row: a row another claimer has locked is skipped, and a row it updated and committed
 * after our snapshot is re-checked against the WHERE clause on its new version (READ COMMITTED re-evaluation),
 * where it is now `running` with a live lease and drops out. The UPDATE in the same statement flips the state
 * before the locks are released at commit. A `running` row whose lease has expired is claimable again: that is
 * how the job of a killed worker is recovered. A job whose lease expired on its last attempt becomes a dead
 * letter instead (`QUEUE_LEASE_EXPIRED`): a job that keeps killing its workers must stop being retried.
 */
export async function claimJobs<P = unknown>(
  db: Queryable,
  workerId: string,
  parameters: ClaimJobsParameters,
): Promise<Job<P>[]> {
  const { rows } = await db.query<JobRow>(
    `WITH exhausted AS (
       UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, finished_at = now(), updated_at = now(),
              last_error = 'lease expired on the last attempt (worker lost mid-job)' || coalesce('; before: ' || last_error, ''),
              last_error_code = 'QUEUE_LEASE_EXPIRED'
        WHERE id IN (SELECT id FROM jobs
                      WHERE state = 'running' AND locked_until < now() AND attempts >= max_attempts
                        FOR UPDATE SKIP LOCKED)
     ), candidates AS (
       SELECT id FROM jobs
        WHERE ((state = 'queued' AND run_at <= now())
               OR (state = 'running' AND locked_until < now() AND attempts < max_attempts))
          AND ($2::text IS NULL OR registry = $2)
          AND ($3::text[] IS NULL OR kind = ANY ($3))
          AND (registry IS NULL OR NOT (registry = ANY ($6::text[])))
        ORDER BY run_at, id
        LIMIT $4
        FOR UPDATE SKIP LOCKED
     )
     UPDATE jobs j
        SET state = 'running', attempts = j.attempts + 1, locked_by = $1,
            locked_until = now() + $5 * interval '1 millisecond', updated_at = now()
       FROM candidates c
      WHERE j.id = c.id
     RETURNING j.*`,
    [
      workerId,
      parameters.registry ?? null,
      parameters.kinds ?? null,
      parameters.limit,
      parameters.leaseMs,
      parameters.excludeRegistries ?? [],
    ],
  );
  return rows.map((row) => toJob<P>(row)).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
}

/** The lease of a claimed job: who holds it and for which attempt (a later claim bumps `attempts`). */
export type JobLease = Pick<Job, "id" | "lockedBy" | "attempts">;

/** Extends the leases of jobs `workerId` still holds. Returns the ids whose lease was extended. */
export async function extendLeases(db: Queryable, workerId: string, ids: string[], leaseMs: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `UPDATE jobs SET locked_until = now() + $3 * interval '1 millisecond'
      WHERE id = ANY ($2::bigint[]) AND locked_by = $1 AND state = 'running'
      RETURNING id`,
    [workerId, ids, leaseMs],
  );
  return rows.map((row) => row.id);
}

/**
 * Renews one claimed attempt's lease for a full `leaseMs` (never shortening it), fenced like every write after a
 * claim: only while `(id, locked_by, attempts)` still match the claim and the lease is still live. A handler calls
 * it right before a step that must not run twice (a registry submission), so no other attempt can be claimed while
 * the step is in flight. Throws `QueueLeaseLostError` (retryable) when another attempt holds the job now.
 */
export async function renewLease(db: Queryable, lease: JobLease, leaseMs: number): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE jobs SET locked_until = greatest(locked_until, now() + $4 * interval '1 millisecond')
      WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'running' AND locked_until > now()`,
    [lease.id, lease.lockedBy, lease.attempts, leaseMs],
  );
  if (rowCount !== 1) throw new QueueLeaseLostError(lease.id);
}

/** Marks the claimed attempt succeeded. False when the lease was lost (another worker holds the job now). */
export async function completeJob(db: Queryable, lease: JobLease): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE jobs SET state = 'succeeded', locked_by = NULL, locked_until = NULL, last_error = NULL,
            last_error_code = NULL, finished_at = now(), updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'running'`,
    [lease.id, lease.lockedBy, lease.attempts],
  );
  return rowCount === 1;
}

export type BackoffParameters = {
  /** First retry delay before jitter, default 1 s. Doubles each attempt. */
  baseMs?: number | undefined;
  /** Upper bound of the delay before jitter, default 1 h. */
  maxMs?: number | undefined;
};

export type FailJobReturnType = { outcome: "retry"; runAt: Date } | { outcome: "dead" } | { outcome: "lost" };

/**
 * Records a failed attempt. A retryable error (BaseError.retryable) with attempts left goes back to `queued`:
 * with `retryAfterMs` (the server's Retry-After) at exactly that delay plus up to 10% jitter (never earlier),
 * otherwise after `min(maxMs, baseMs * 2^(attempts-1))` scaled by a random factor in [0.5, 1) ("equal jitter",
 * so workers that failed together do not retry together). A non-retryable error, or the last attempt, makes
 * the job a dead letter. The delay is computed in SQL so it is relative to the database clock, the same clock
 * the claim compares `run_at` with.
 */
export async function failJob(
  db: Queryable,
  lease: JobLease,
  error: unknown,
  backoff: BackoffParameters = {},
): Promise<FailJobReturnType> {
  const retryable = error instanceof BaseError && error.retryable;
  const retryAfterMs = error instanceof BaseError ? (error.retryAfterMs ?? null) : null;
  const code = error instanceof BaseError ? error.code : "UNEXPECTED";
  // A registry's error text is untrusted: what PostgreSQL cannot hold becomes U+FFFD (db/storable.ts).
  const message = replaceUnstorable(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  const { rows } = await db.query<{ state: JobState; run_at: Date }>(
    `UPDATE jobs SET
        state = CASE WHEN $4::boolean AND attempts < max_attempts THEN 'queued' ELSE 'dead' END,
        run_at = CASE WHEN $4::boolean AND attempts < max_attempts THEN
                   now() + CASE WHEN $5::double precision IS NOT NULL
                              THEN ($5 + random() * $5 * 0.1) * interval '1 millisecond'
                              ELSE least($7::double precision, $6::double precision * power(2, attempts - 1))
                                   * (0.5 + random() * 0.5) * interval '1 millisecond'
                            END
                 ELSE run_at END,
        finished_at = CASE WHEN $4::boolean AND attempts < max_attempts THEN NULL ELSE now() END,
        locked_by = NULL, locked_until = NULL, last_error = $8, last_error_code = $9, updated_at = now()
      WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'running'
      RETURNING state, run_at`,
    [
      lease.id,
      lease.lockedBy,
      lease.attempts,
      retryable,
      retryAfterMs,
      backoff.baseMs ?? 1_000,
      backoff.maxMs ?? 3_600_000,
      message.slice(0, 4_000),
      code,
    ],
  );
  const row = rows[0];
  if (row === undefined) return { outcome: "lost" };
  return row.state === "queued" ? { outcome: "retry", runAt: row.run_at } : { outcome: "dead" };
}

/**
 * Operator action: a dead letter goes back to `queued` now with its attempts reset. The redrive is recorded in
 * `job_redrives` (operator, time, the error it died with) and on the row, in one transaction-free statement
 * (the CTE's UPDATE and INSERT commit together). Throws when the job is not dead.
 */
export async function redriveJob(db: Queryable, id: string, operator: string): Promise<Job> {
  const { rows } = await db.query<JobRow>(
    `WITH dead AS (
       SELECT id, last_error, attempts FROM jobs WHERE id = $1 AND state = 'dead' FOR UPDATE
     ), audit AS (
       INSERT INTO job_redrives (job_id, operator, previous_error, previous_attempts)
       SELECT id, $2, last_error, attempts FROM dead
     )
     UPDATE jobs j SET state = 'queued', attempts = 0, run_at = now(), finished_at = NULL,
            redriven_by = $2, redriven_at = now(), updated_at = now()
       FROM dead WHERE j.id = dead.id
     RETURNING j.*`,
    [id, operator],
  );
  const row = rows[0];
  if (row === undefined) throw new QueueError(`job ${id} is not a dead letter`, "QUEUE_NOT_DEAD", { id });
  return toJob(row);
}

export async function getJob<P = unknown>(db: Queryable, id: string): Promise<Job<P> | undefined> {
  const { rows } = await db.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
  return rows[0] === undefined ? undefined : toJob<P>(rows[0]);
}

export type ListJobsParameters = {
  state?: JobState | undefined;
  kind?: string | undefined;
  registry?: string | undefined;
  /** Keyset: jobs with a smaller id. */
  before?: string | undefined;
  limit: number;
};

/** Jobs newest first (by id), filtered; `limit + 1` rows, so a caller paging them knows whether more follow. */
export async function listJobs(db: Queryable, params: ListJobsParameters): Promise<Job[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT * FROM jobs
      WHERE ($1::text IS NULL OR state = $1::text)
        AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR registry = $3)
        AND ($4::bigint IS NULL OR id < $4::bigint)
      ORDER BY jobs.id DESC LIMIT $5`,
    [params.state ?? null, params.kind ?? null, params.registry ?? null, params.before ?? null, params.limit + 1],
  );
  return rows.map((row) => toJob(row));
}

export type JobCount = { registry: string | null; kind: string; state: JobState; count: number };

/** Jobs per (registry, kind, state): the queue's depth and its dead letters at a glance. */
export async function countJobs(db: Queryable): Promise<JobCount[]> {
  const { rows } = await db.query<{ registry: string | null; kind: string; state: JobState; count: string }>(
    `SELECT registry, kind, state, count(*)::text AS count FROM jobs GROUP BY registry, kind, state
      ORDER BY registry NULLS FIRST, kind, array_position($1::text[], state)`,
    [JOB_STATES],
  );
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}

/** Dead letters, newest first (for the API and operators). */
export async function listDeadJobs(db: Queryable, limit = 100): Promise<Job[]> {
  const { rows } = await db.query<JobRow>(
    "SELECT * FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC, id DESC LIMIT $1",
    [limit],
  );
  return rows.map((row) => toJob(row));
}

/** Number of jobs per state (every state present, zero when none). */
export async function queueDepth(db: Queryable): Promise<Record<JobState, number>> {
  const { rows } = await db.query<{ state: JobState; count: string }>(
    "SELECT state, count(*) AS count FROM jobs GROUP BY state",
  );
  const depth = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
  for (const row of rows) depth[row.state] = Number(row.count);
  return depth;
}
