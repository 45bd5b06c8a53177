/**
 * The request dispatcher: turns every on-chain retirement / withdrawal request the indexer wrote into exactly one
 * registry job. One set-based statement re-derives the work from `requests` each time (no in-memory state, no
 * event payloads trusted), so a crash anywhere loses nothing: the next run enqueues whatever has no job yet.
 *
 * Runs on `NOTIFY carbon_chain_events` (the indexer notifies after each committed step) and every `intervalMs`
 * as a fallback (a lost notification, a dispatcher that was down). The job key is the request id, the queue's
 * idempotency key; the queue's `enqueueMissing` applies its duplicate policy (a job that exists, in any state, even
 * dead, is left alone; a dead one is redriven by an operator, never re-enqueued). Every worker process runs one:
 * concurrent dispatchers create each job once.
 */
import type { Context } from "../context";
import { CHAIN_EVENTS_CHANNEL } from "../db/channels";
import { type Listener, listen } from "../db/listen";
import type { Queryable } from "../db/queryable";
import { enqueueMissing } from "../queue/jobs";
import { createCoalescingRunner } from "../serviceLoop";

/** Job kind per request kind. */
export const REQUEST_JOB_KINDS = { retirement: "retire", withdrawal: "withdraw" } as const;

/** Attempts per request job: enough to ride out maintenance windows and registry outages with backoff. */
export const REQUEST_JOB_MAX_ATTEMPTS = 25;

/** The job each request pending on chain (indexed from a block) should have, in request order. */
const REQUEST_JOBS = `
SELECT CASE r.kind WHEN 'retirement' THEN $1 ELSE $2 END AS kind, r.request_id AS key, b.registry_id AS registry,
       jsonb_build_object('requestId', r.request_id) AS payload, $3::int AS max_attempts, r.requested_block AS position
  FROM requests r JOIN batches b ON b.batch_id = r.batch_id
 WHERE r.chain_status = 'pending' AND r.requested_block IS NOT NULL`;

/**
 * Enqueues a job for every request the chain holds pending that has no job yet: kind `retire` / `withdraw`,
 * key = request id, registry = the batch's registry, payload `{ requestId }`. Returns the number of jobs created.
 */
export async function dispatchRequests(db: Queryable): Promise<number> {
  return enqueueMissing(db, {
    select: REQUEST_JOBS,
    values: [REQUEST_JOB_KINDS.retirement, REQUEST_JOB_KINDS.withdrawal, REQUEST_JOB_MAX_ATTEMPTS],
  });
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
  const created = ctx.metrics.counter({
    name: "request_jobs_enqueued_total",
    help: "Registry jobs created for on-chain requests",
  });
  let listener: Listener | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastError: unknown;
  let stopped = false;

  /** One statement; a failure is logged and retried on the next notification or interval. */
  async function pass(): Promise<number> {
    try {
      const count = await dispatchRequests(pool);
      lastError = undefined;
      if (count > 0) {
        created.inc(count);
        logger.info({ count }, "registry jobs enqueued for new requests");
      }
      return count;
    } catch (error) {
      lastError = error;
      logger.error({ err: error }, "dispatch failed (retried on the next notification or interval)");
      return 0;
    }
  }

  // A run in flight may have read `requests` before the change that woke us: the runner runs once more after it.
  const runner = createCoalescingRunner({ pass, combine: (total, next) => total + next, proceed: () => !stopped });
  const dispatch = () => runner.run();

  const dispatcher: RequestDispatcher = {
    dispatch,
    async start() {
      listener = listen(pool, CHAIN_EVENTS_CHANNEL, () => void dispatch(), logger);
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
      await runner.current;
      await listener?.close();
      listener = undefined;
    },
  };
  return dispatcher;
}
