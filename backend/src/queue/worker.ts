/**
 * A worker loop over the `jobs` table: claims due jobs of its kinds, runs the handler, completes or fails each
 * attempt. Wakes on `NOTIFY carbon_jobs` (sent by a trigger when a job becomes queued) and polls every `pollMs`
 * as a fallback (a lost notification, a retry whose `run_at` just arrived, a lease that expired).
 *
 * Graceful stop: no new claims; jobs in flight run to their end and are completed or failed as usual, so
 * nothing is released half-done. A process killed outright leaves its jobs `running`; their leases expire and
 * another worker claims them again (handlers must therefore be idempotent, e.g. look the memo up first).
 */
import crypto from "node:crypto";
import os from "node:os";
import type { Context } from "../context";
import { JOBS_CHANNEL } from "../db/channels";
import { type Listener, listen } from "../db/listen";
import { createSleeper } from "../sleep";
import {
  type BackoffParameters,
  JOB_STATES,
  type Job,
  claimJobs,
  completeJob,
  extendLeases,
  failJob,
  queueDepth,
} from "./jobs";

export type JobHandler<P = unknown> = (job: Job<P>, context: { signal: AbortSignal }) => Promise<void>;

export type CreateWorkerParameters<P = unknown> = {
  kinds: readonly string[];
  handler: JobHandler<P>;
  /** Jobs run at the same time by this worker, default 4. */
  concurrency?: number;
  /** Fallback poll interval, default 1000 ms. */
  pollMs?: number;
  /** Lease per claim, default 30 s; extended every third of it while the handler runs. */
  leaseMs?: number;
  /** Only jobs of this registry. */
  registry?: string;
  /**
   * Registries not to claim for right now, asked before every claim. Wire the guard in:
   * `() => guard.registries().filter((r) => guard.circuit(r) === "open")`, so a registry that is down keeps its
   * jobs queued (attempts intact) until its breaker half-opens.
   */
  skipRegistries?: () => readonly string[];
  backoff?: BackoffParameters;
  /** Default `<hostname>:<pid>:<random>`. */
  workerId?: string;
  /** Name of the readiness check, default `queue_worker`. */
  name?: string;
};

export type Worker = {
  readonly workerId: string;
  start(): Promise<void>;
  /** Stops claiming, waits for in-flight jobs to finish, releases the LISTEN connection. */
  stop(): Promise<void>;
  /** Jobs running right now. */
  inFlight(): number;
};

export function createWorker<P = unknown>(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "readiness" | "shutdown">,
  parameters: CreateWorkerParameters<P>,
): Worker {
  const pool = ctx.db.pool;
  const concurrency = parameters.concurrency ?? 4;
  const pollMs = parameters.pollMs ?? 1_000;
  const leaseMs = parameters.leaseMs ?? 30_000;
  const workerId = parameters.workerId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
  const name = parameters.name ?? "queue_worker";
  const logger = ctx.logger.child({ component: "queue", workerId });

  const depthGauge = ctx.metrics.gauge({ name: "jobs_queue_depth", help: "Jobs per state", labelNames: ["state"] });
  const duration = ctx.metrics.histogram({
    name: "job_duration_seconds",
    help: "Handler run time per attempt",
    labelNames: ["kind", "outcome"],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
  });
  const outcomes = ctx.metrics.counter({ name: "jobs_total", help: "Attempts by outcome", labelNames: ["kind", "outcome"] });
  const deadLetters = ctx.metrics.counter({ name: "jobs_dead_total", help: "Jobs moved to dead letters", labelNames: ["kind"] });

  const running = new Map<string, Promise<void>>();
  let stopping = false;
  let started = false;
  let listener: Listener | undefined;
  const sleeper = createSleeper();
  let loop: Promise<void> | undefined;
  let lastPollAt = 0;
  let lastError: unknown;
  let heartbeat: NodeJS.Timeout | undefined;
  let lastDepthAt = 0;

  async function refreshDepth(): Promise<void> {
    if (Date.now() - lastDepthAt < 5_000) return;
    lastDepthAt = Date.now();
    const depth = await queueDepth(pool);
    for (const state of JOB_STATES) depthGauge.set({ state }, depth[state]);
  }

  async function runJob(job: Job<P>): Promise<void> {
    const end = duration.startTimer({ kind: job.kind });
    let outcome: string;
    try {
      await parameters.handler(job, { signal: new AbortController().signal });
      outcome = (await completeJob(pool, job)) ? "succeeded" : "lease_lost";
    } catch (error) {
      const result = await failJob(pool, job, error, parameters.backoff);
      outcome = result.outcome === "lost" ? "lease_lost" : result.outcome;
      if (result.outcome === "dead") {
        deadLetters.inc({ kind: job.kind });
        logger.error({ err: error, jobId: job.id, key: job.key, attempts: job.attempts }, "job dead-lettered");
      } else {
        logger.warn({ err: error, jobId: job.id, key: job.key, attempts: job.attempts, outcome }, "job attempt failed");
      }
    }
    end({ outcome });
    outcomes.inc({ kind: job.kind, outcome });
    if (outcome === "lease_lost") logger.warn({ jobId: job.id }, "lease lost: another worker holds the job now");
  }

  async function claimAndRun(): Promise<number> {
    const free = concurrency - running.size;
    if (free <= 0) return 0;
    const jobs = await claimJobs<P>(pool, workerId, {
      kinds: parameters.kinds,
      registry: parameters.registry,
      excludeRegistries: parameters.skipRegistries?.(),
      limit: free,
      leaseMs,
    });
    for (const job of jobs) {
      const promise = runJob(job)
        .catch((error) => {
          lastError = error;
          logger.error({ err: error, jobId: job.id }, "job bookkeeping failed (the lease will expire)");
        })
        .finally(() => {
          running.delete(job.id);
          sleeper.wake();
        });
      running.set(job.id, promise);
    }
    return jobs.length;
  }

  /** Sleep until the next queued job is due (a retry scheduled a moment ago), at most `pollMs`. */
  async function idleMs(): Promise<number> {
    if (running.size >= concurrency) return pollMs;
    try {
      const { rows } = await pool.query<{ ms: string | null }>(
        `SELECT ceil(extract(epoch FROM min(run_at) - now()) * 1000) AS ms FROM jobs
          WHERE state = 'queued' AND kind = ANY ($1) AND ($2::text IS NULL OR registry = $2)`,
        [parameters.kinds, parameters.registry ?? null],
      );
      const ms = rows[0]?.ms;
      return ms === null || ms === undefined ? pollMs : Math.min(pollMs, Math.max(5, Number(ms) + 5));
    } catch {
      return pollMs;
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let claimed = 0;
      try {
        claimed = await claimAndRun();
        lastPollAt = Date.now();
        lastError = undefined;
        await refreshDepth();
      } catch (error) {
        lastError = error;
        logger.error({ err: error }, "claim failed");
      }
      if (stopping) break;
      // A full batch may mean more are due: claim again at once while there is room.
      if (claimed > 0 && running.size < concurrency) continue;
      await sleeper.sleep(await idleMs());
    }
  }

  const worker: Worker = {
    workerId,
    inFlight: () => running.size,
    async start() {
      if (started) return;
      started = true;
      // A notification of a due job of our kinds (or a reconnection, which may have missed some) wakes the loop.
      listener = listen(
        pool,
        JOBS_CHANNEL,
        (payload) => {
          if (payload === undefined || parameters.kinds.includes(payload)) sleeper.wake();
        },
        logger,
      );
      await listener.ready;
      heartbeat = setInterval(() => {
        extendLeases(pool, workerId, [...running.keys()], leaseMs).catch((error) =>
          logger.warn({ err: error }, "lease extension failed"),
        );
      }, Math.max(50, Math.floor(leaseMs / 3)));
      heartbeat.unref();
      lastPollAt = Date.now();
      loop = run();
      ctx.readiness.register(name, async () => {
        if (stopping) return { ok: false, detail: "stopping" };
        const stale = Date.now() - lastPollAt > Math.max(30_000, pollMs * 5);
        if (stale || lastError !== undefined) return { ok: false, detail: "cannot claim jobs from the database" };
        return undefined;
      });
      ctx.shutdown.register("services", name, () => worker.stop());
      logger.info({ kinds: parameters.kinds, concurrency }, "queue worker started");
    },
    async stop() {
      if (!started || stopping) {
        await loop;
        return;
      }
      stopping = true;
      sleeper.wake();
      await loop;
      await Promise.all(running.values());
      clearInterval(heartbeat);
      await listener?.close();
      listener = undefined;
      logger.info("queue worker stopped");
    },
  };
  return worker;
}
