/**
 * The request dispatcher: turns every on-chain retirement / withdrawal request the indexer wrote into exactly one
 * registry job. One set-based statement re-derives the work from `requests` each time (no in-memory state, no
 * event payloads trusted), so a crash anywhere loses nothing: the next run enqueues whatever has no job yet.
 *
 * Runs on `NOTIFY carbon_chain_events` (the indexer notifies after each committed step) and every `intervalMs`
 * as a fallback (a lost notification, a dispatcher that was down). The job key is the request id, the queue's
 * idempotency key: `ON CONFLICT (key) DO NOTHING`, the duplicate policy of `enqueue` (a job that exists, in any
 * state, even dead, is left alone; a dead one is redriven by an operator, never re-enqueued).
 */
import type { Context } from "../context";
import { type Listener, listen } from "../db/listen";
import { NOTIFY_CHANNEL } from "../indexer/store";
import type { Queryable } from "../queue/jobs";

/** Job kind per request kind. */
export const REQUEST_JOB_KINDS = { retirement: "retire", withdrawal: "withdraw" } as const;

/** Attempts per request job: enough to ride out maintenance windows and registry outages with backoff. */
export const REQUEST_JOB_MAX_ATTEMPTS = 25;

/**
 * Enqueues a job for every request the chain holds pending (`chain_status = 'pending'`, indexed from a block) that
 * has no job yet: kind `retire` / `withdraw`, key = request id, registry = the batch's registry, payload
 * `{ requestId }`. Returns the number of jobs created.
 */
export async function dispatchRequests(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO jobs (kind, key, registry, payload, max_attempts)
     SELECT CASE r.kind WHEN 'retirement' THEN $1 ELSE $2 END, r.request_id, b.registry_id,
            jsonb_build_object('requestId', r.request_id), $3
       FROM requests r
       JOIN batches b ON b.batch_id = r.batch_id
      WHERE r.chain_status = 'pending'
        AND r.requested_block IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.key = r.request_id)
      ORDER BY r.requested_block, r.request_id
     ON CONFLICT (key) DO NOTHING`,
    [REQUEST_JOB_KINDS.retirement, REQUEST_JOB_KINDS.withdrawal, REQUEST_JOB_MAX_ATTEMPTS],
  );
  return rowCount ?? 0;
}

export type CreateRequestDispatcherParameters = {
  /** Fallback interval, default 5 s. */
  intervalMs?: number;
};

export type RequestDispatcher = {
  start(): Promise<void>;
  /** Runs the statement now (coalesced with a run in progress). Resolves with the jobs created by this run. */
  dispatch(): Promise<number>;
  stop(): Promise<void>;
};

export function createRequestDispatcher(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "readiness" | "shutdown">,
  parameters: CreateRequestDispatcherParameters = {},
): RequestDispatcher {
  const pool = ctx.db.pool;
  const intervalMs = parameters.intervalMs ?? 5_000;
  const logger = ctx.logger.child({ component: "request-dispatcher" });
  const created = ctx.metrics.counter({ name: "request_jobs_enqueued_total", help: "Registry jobs created for on-chain requests" });
  let listener: Listener | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let lastError: unknown;
  let stopped = false;

  async function runOnce(): Promise<number> {
    let total = 0;
    do {
      again = false;
      try {
        const count = await dispatchRequests(pool);
        lastError = undefined;
        total += count;
        if (count > 0) {
          created.inc(count);
          logger.info({ count }, "registry jobs enqueued for new requests");
        }
      } catch (error) {
        lastError = error;
        logger.error({ err: error }, "dispatch failed (retried on the next notification or interval)");
      }
    } while (again && !stopped);
    return total;
  }

  function dispatch(): Promise<number> {
    if (running !== undefined) {
      // A run is in flight and may have read `requests` before the change that woke us: run once more after it.
      again = true;
      return running;
    }
    running = runOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const dispatcher: RequestDispatcher = {
    dispatch,
    async start() {
      listener = listen(pool, NOTIFY_CHANNEL, () => void dispatch(), logger);
      await listener.ready;
      timer = setInterval(() => void dispatch(), intervalMs);
      timer.unref();
      ctx.readiness.register("request_dispatcher", async () =>
        lastError === undefined ? undefined : { ok: false, detail: "cannot enqueue registry jobs" },
      );
      ctx.shutdown.register("services", "request_dispatcher", () => dispatcher.stop());
      await dispatch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      await listener?.close();
      listener = undefined;
    },
  };
  return dispatcher;
}
