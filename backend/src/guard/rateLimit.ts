/**
 * A token bucket per registry, shared by every worker process: the state lives in `rate_buckets`
 * (migration 0004_queue_guard.sql), never in process memory, so N processes together stay under the registry's
 * limit. A bucket of capacity C refilled at R tokens/s lets through at most C + R·W calls in any window of W
 * seconds (C is the burst allowance).
 *
 * Locking: `take` is one statement. Its inner SELECT locks the bucket row `FOR UPDATE`, so concurrent takes
 * (any process, any connection) queue on that row lock; under READ COMMITTED each waiter then reads the version
 * the previous take committed (the lock re-fetches the newest row), refills from it and takes from it. No two
 * takes can spend the same token, and nobody holds the lock longer than one UPDATE. The clock is the database's
 * (`clock_timestamp()`), one clock for every process. `updated_at` only moves forward (`greatest`), so a take
 * whose clock reading predates the previous commit refills nothing instead of a negative amount: the bucket can
 * under-grant for microseconds, never over-grant. Grant times are the bucket's `updated_at` values, which are
 * monotone, and the C + R·W bound holds exactly over them.
 */
import type { Queryable } from "../db/queryable";
import { RateBucketMissingError } from "./errors";

export type BucketConfig = {
  /** Burst allowance: tokens a full bucket holds (>= 1). */
  capacity: number;
  /** Sustained rate, tokens per second. */
  refillPerSec: number;
};

/** Creates the bucket full, or changes an existing bucket's limits (its tokens are capped at the new capacity). */
export async function configureBucket(db: Queryable, registry: string, config: BucketConfig): Promise<void> {
  await db.query(
    `INSERT INTO rate_buckets (registry, tokens, capacity, refill_per_sec, updated_at)
     VALUES ($1, $2, $2, $3, clock_timestamp())
     ON CONFLICT (registry) DO UPDATE
        SET capacity = EXCLUDED.capacity, refill_per_sec = EXCLUDED.refill_per_sec,
            tokens = least(rate_buckets.tokens, EXCLUDED.capacity)`,
    [registry, config.capacity, config.refillPerSec],
  );
}

/** Creates the bucket full unless it exists; an existing bucket keeps the limits another process configured. */
export async function ensureBucket(db: Queryable, registry: string, config: BucketConfig): Promise<void> {
  await db.query(
    `INSERT INTO rate_buckets (registry, tokens, capacity, refill_per_sec, updated_at)
     VALUES ($1, $2, $2, $3, clock_timestamp())
     ON CONFLICT (registry) DO NOTHING`,
    [registry, config.capacity, config.refillPerSec],
  );
}

export type TakeReturnType =
  | { granted: true; at: Date }
  /** Empty bucket or a registry `Retry-After` in force: sleep `waitMs`, then take again. */
  | { granted: false; waitMs: number; blockedUntil: Date | null };

/** Refills the bucket for the time elapsed and takes one token, atomically. */
export async function take(db: Queryable, registry: string): Promise<TakeReturnType> {
  const { rows } = await db.query<{ granted: boolean; at: Date; wait_ms: string; blocked_until: Date | null }>(
    `UPDATE rate_buckets b
        SET tokens = CASE WHEN s.granted THEN s.refilled - 1 ELSE s.refilled END,
            updated_at = s.at
       FROM (
         SELECT x.*, (NOT x.blocked AND x.refilled >= 1) AS granted
           FROM (
             SELECT r.registry, r.blocked_until, r.refill_per_sec, c.t,
                    greatest(r.updated_at, c.t) AS at,
                    least(r.capacity,
                          r.tokens + greatest(0, extract(epoch FROM c.t - r.updated_at)) * r.refill_per_sec) AS refilled,
                    coalesce(r.blocked_until > c.t, false) AS blocked
               FROM rate_buckets r CROSS JOIN LATERAL (SELECT clock_timestamp() AS t) c
              WHERE r.registry = $1
                FOR UPDATE OF r
           ) x
       ) s
      WHERE b.registry = s.registry
     RETURNING s.granted, s.at, s.blocked_until,
               CASE WHEN s.granted THEN 0
                    ELSE ceil(greatest(
                           coalesce(extract(epoch FROM s.blocked_until - s.t), 0),
                           greatest(0, extract(epoch FROM s.at - s.t)) + greatest(0, 1 - s.refilled) / s.refill_per_sec
                         ) * 1000)
               END AS wait_ms`,
    [registry],
  );
  const row = rows[0];
  if (row === undefined) throw new RateBucketMissingError(registry);
  if (row.granted) return { granted: true, at: row.at };
  return { granted: false, waitMs: Math.max(1, Number(row.wait_ms)), blockedUntil: row.blocked_until };
}

/**
 * The registry answered 429/503 with `Retry-After`: no process takes a token of this registry before
 * `now + retryAfterMs`, and the bucket restarts empty then (refill counts from the end of the block, so the
 * first calls after it are spaced at the sustained rate rather than sent as a burst). Only ever extends a block.
 */
export async function blockUntil(db: Queryable, registry: string, retryAfterMs: number): Promise<Date> {
  const { rows } = await db.query<{ blocked_until: Date }>(
    `UPDATE rate_buckets
        SET blocked_until = greatest(coalesce(blocked_until, '-infinity'), clock_timestamp() + $2 * interval '1 millisecond'),
            updated_at = greatest(updated_at, clock_timestamp() + $2 * interval '1 millisecond'),
            tokens = 0
      WHERE registry = $1
      RETURNING blocked_until`,
    [registry, Math.max(0, retryAfterMs)],
  );
  const row = rows[0];
  if (row === undefined) throw new RateBucketMissingError(registry);
  return row.blocked_until;
}

export type BucketState = { tokens: number; capacity: number; refillPerSec: number; blockedUntil: Date | null; updatedAt: Date };

export async function bucketState(db: Queryable, registry: string): Promise<BucketState | undefined> {
  const { rows } = await db.query<{
    tokens: string;
    capacity: string;
    refill_per_sec: string;
    blocked_until: Date | null;
    updated_at: Date;
  }>("SELECT tokens, capacity, refill_per_sec, blocked_until, updated_at FROM rate_buckets WHERE registry = $1", [registry]);
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    tokens: Number(row.tokens),
    capacity: Number(row.capacity),
    refillPerSec: Number(row.refill_per_sec),
    blockedUntil: row.blocked_until,
    updatedAt: row.updated_at,
  };
}
