/**
 * `RegistryGuard`: what every call to a registry goes through (ARCHITECTURE.md §4 "guard", §3.3 "Registry
 * degraded"). Per registry: the shared token bucket (rateLimit.ts), a cockatiel circuit breaker wrapped around
 * a timeout, and the registry's own `Retry-After` pushed to every process through the bucket.
 *
 * `guardedCall(registry, fn)`: fail fast if the breaker is open -> take a token (sleeping the wait the bucket
 * names, never calling early) -> breaker(timeout(fn)). Errors come back typed and retryable where a retry can
 * help: 429/503 with Retry-After block the registry's bucket for every process and are rethrown; an open
 * breaker is `RegistryCircuitOpenError`; a timeout is `RegistryUnavailableError`.
 *
 * What counts as a breaker failure: `RegistryUnavailableError` (5xx, maintenance, refused connections) and
 * timeouts. Not 429: a rate limit means the registry is up and answering, the bucket and `blocked_until`
 * handle it, and opening the breaker would pause the registry on-chain for buyers over our own pacing. Not
 * rejections or protocol errors either: the registry answered.
 *
 * The breaker's state is per process (cockatiel keeps it in memory): each worker process decides on its own
 * calls. The hooks (`onOpen` pauses the registry on the bridge) are idempotent on their side.
 */
import {
  CircuitState as CockatielState,
  ConsecutiveBreaker,
  type CircuitBreakerPolicy,
  type IBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  timeout,
  wrap,
} from "cockatiel";
import type { CircuitState } from "../registries/status";
import type { Context } from "../context";
import { BaseError } from "../errors";
import type { Queryable } from "../db/queryable";
import { RegistryRateLimitedError, RegistryUnavailableError } from "../registries/errors";
import { withRequestGate } from "../registries/http";
import type { RegistryName } from "../registries/ids";
import { type BucketConfig, blockUntil, configureBucket, ensureBucket, take } from "./rateLimit";
import { RegistryCircuitOpenError } from "./errors";

export type RegistryGuardConfig = BucketConfig & {
  /** Per-call timeout, default 10 s. */
  timeoutMs?: number;
  /** Open after this many consecutive failures (default 5), unless `breaker` is given. */
  consecutiveFailures?: number;
  /** Another cockatiel breaker (e.g. `new SamplingBreaker({...})`). */
  breaker?: IBreaker;
  /** Open -> half-open after this long, default 30 s. */
  halfOpenAfterMs?: number;
  /** Block used for a 429 without `Retry-After`, default 1 s. */
  defaultRetryAfterMs?: number;
  /** Give up waiting for a token after this long (a retryable error), default 60 s. */
  maxWaitMs?: number;
  /**
   * An unavailable answer (503 maintenance) whose `Retry-After` is at least this long is an outage, not a hiccup:
   * the breaker opens at once (and the bridge pause hook fires) until the announced end, instead of waiting for
   * consecutive failures that the shared block prevents. Default 5 s.
   */
  outageRetryAfterMs?: number;
};

export type BreakerHooks = {
  /** The breaker opened (closed -> open). The platform pauses the registry on the bridge here. */
  onOpen?: (registry: RegistryName) => Promise<void> | void;
  /** The breaker closed again after a successful half-open trial. */
  onClose?: (registry: RegistryName) => Promise<void> | void;
};

export type CreateRegistryGuardParameters = {
  registries: Partial<Record<RegistryName, RegistryGuardConfig>>;
  hooks?: BreakerHooks;
  /** Name of the readiness check, default `registry_circuits`. */
  readinessName?: string;
};

export type RegistryGuard = {
  /**
   * Call once at start. `configure` (default) creates or rewrites the shared bucket of every configured registry
   * with this guard's limits; `join` only creates missing ones, leaving limits other processes set alone.
   */
  init(options?: { buckets?: "configure" | "join" }): Promise<void>;
  guardedCall<T>(registry: RegistryName, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  circuit(registry: string): CircuitState;
  registries(): RegistryName[];
  /** The last time the registry could not answer (5xx, maintenance, timeout) and what it said, in this process. */
  lastFailure(registry: string): { at: Date; message: string } | undefined;
  /** Waits for hooks still running (tests, shutdown). */
  settled(): Promise<void>;
};

const CIRCUIT_GAUGE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2, unknown: -1 };

function toCircuitState(state: CockatielState): CircuitState {
  switch (state) {
    case CockatielState.Closed:
      return "closed";
    case CockatielState.HalfOpen:
      return "half_open";
    case CockatielState.Open:
    case CockatielState.Isolated:
      return "open";
    default:
      return "unknown";
  }
}

function isBreakerFailure(error: unknown): boolean {
  return error instanceof TaskCancelledError || error instanceof RegistryUnavailableError;
}

export function createRegistryGuard(
  ctx: Pick<Context, "logger" | "metrics" | "readiness"> & { db: { pool: Queryable } },
  parameters: CreateRegistryGuardParameters,
): RegistryGuard {
  const db = ctx.db.pool;
  const logger = ctx.logger.child({ component: "guard" });
  const circuitGauge = ctx.metrics.gauge({
    name: "registry_circuit_state",
    help: "Circuit breaker per registry: 0 closed, 1 half-open, 2 open",
    labelNames: ["registry"],
  });
  const calls = ctx.metrics.counter({
    name: "registry_calls_total",
    help: "Guarded registry calls",
    labelNames: ["registry", "outcome"],
  });
  const rateLimited = ctx.metrics.counter({
    name: "registry_rate_limited_total",
    help: "Registry answers 429/503 with Retry-After (blocks every process)",
    labelNames: ["registry"],
  });
  const tokenWaits = ctx.metrics.counter({
    name: "registry_token_waits_total",
    help: "Times a call slept for a token instead of calling",
    labelNames: ["registry"],
  });

  type Entry = {
    /** The config with its defaults filled in. */
    config: RegistryGuardConfig &
      Required<
        Pick<RegistryGuardConfig, "timeoutMs" | "halfOpenAfterMs" | "defaultRetryAfterMs" | "maxWaitMs" | "outageRetryAfterMs">
      >;
    breaker: CircuitBreakerPolicy;
    policy: ReturnType<typeof wrap>;
    openNotified: boolean;
    /** When the breaker last opened (cockatiel moves to half-open lazily, on the first call after the delay). */
    openedAt: number;
  };
  const entries = new Map<RegistryName, Entry>();
  const failures = new Map<string, { at: Date; message: string }>();
  const pendingHooks = new Set<Promise<void>>();

  function runHook(kind: "onOpen" | "onClose", registry: RegistryName): void {
    const hook = parameters.hooks?.[kind];
    if (hook === undefined) return;
    const promise = Promise.resolve()
      .then(() => hook(registry))
      .catch((error) => logger.error({ err: error, registry, hook: kind }, "breaker hook failed"))
      .finally(() => pendingHooks.delete(promise));
    pendingHooks.add(promise);
  }

  for (const [name, given] of Object.entries(parameters.registries) as [RegistryName, RegistryGuardConfig][]) {
    const config: Entry["config"] = {
      ...given,
      timeoutMs: given.timeoutMs ?? 10_000,
      halfOpenAfterMs: given.halfOpenAfterMs ?? 30_000,
      defaultRetryAfterMs: given.defaultRetryAfterMs ?? 1_000,
      maxWaitMs: given.maxWaitMs ?? 60_000,
      outageRetryAfterMs: given.outageRetryAfterMs ?? 5_000,
    };
    const breaker = circuitBreaker(handleWhen(isBreakerFailure), {
      halfOpenAfter: config.halfOpenAfterMs,
      breaker: config.breaker ?? new ConsecutiveBreaker(config.consecutiveFailures ?? 5),
    });
    const policy = wrap(breaker, timeout(config.timeoutMs, TimeoutStrategy.Aggressive));
    const entry: Entry = { config, breaker, policy, openNotified: false, openedAt: 0 };
    entries.set(name, entry);
    circuitGauge.set({ registry: name }, 0);
    breaker.onStateChange((state) => circuitGauge.set({ registry: name }, CIRCUIT_GAUGE_VALUE[toCircuitState(state)]));
    // A failed half-open trial re-opens (onBreak again); the hook fires only on the first opening, and onClose
    // only after an opening it announced, so the bridge sees one pause and one unpause per outage.
    breaker.onBreak(() => {
      entry.openedAt = Date.now();
      logger.warn({ registry: name }, "circuit opened");
      if (entry.openNotified) return;
      entry.openNotified = true;
      runHook("onOpen", name);
    });
    breaker.onHalfOpen(() => logger.info({ registry: name }, "circuit half-open: trying one call"));
    breaker.onReset(() => {
      logger.info({ registry: name }, "circuit closed");
      if (!entry.openNotified) return;
      entry.openNotified = false;
      runHook("onClose", name);
    });
  }

  // A registry outage degrades the platform (retirements, withdrawals and deposits of that registry wait); it does
  // not make this process unfit for traffic, so the check is not required (issue 12 §4.7). Each registry's circuit
  // and, while it is not closed, what the registry last said (e.g. "503 Scheduled maintenance") go to /health.
  const readinessName = parameters.readinessName ?? "registry_circuits";
  ctx.readiness.register(
    readinessName,
    async () => {
      const dependencies = [...entries.keys()].map((name) => {
        const state = guard.circuit(name);
        const failure = failures.get(name);
        return { name, state, ...(state !== "closed" && failure !== undefined ? { detail: failure.message } : {}) };
      });
      const open = dependencies.filter((dependency) => dependency.state === "open").map((dependency) => dependency.name);
      return open.length === 0
        ? { ok: true, dependencies }
        : { ok: false, detail: `circuit open: ${open.join(", ")}`, dependencies };
    },
    { required: false },
  );

  /** Open and still inside the half-open delay: calls fail fast. Past the delay the next call is the trial. */
  function failsFast(entry: Entry): boolean {
    const state = entry.breaker.state;
    if (state === CockatielState.Isolated) return true;
    return state === CockatielState.Open && Date.now() - entry.openedAt < entry.config.halfOpenAfterMs;
  }

  function circuitOf(entry: Entry): CircuitState {
    const state = toCircuitState(entry.breaker.state);
    return state === "open" && !failsFast(entry) ? "half_open" : state;
  }

  function entryOf(registry: RegistryName): Entry {
    const entry = entries.get(registry);
    if (entry === undefined) {
      throw new BaseError(`registry ${registry} has no guard configured`, {
        code: "GUARD_NOT_CONFIGURED",
        retryable: false,
        details: { registry },
      });
    }
    return entry;
  }

  async function waitForToken(registry: RegistryName, entry: Entry): Promise<void> {
    const deadline = Date.now() + entry.config.maxWaitMs;
    for (;;) {
      const result = await take(db, registry);
      if (result.granted) return;
      if (Date.now() + result.waitMs > deadline) {
        throw new RegistryRateLimitedError(`no ${registry} call allowed before ${result.waitMs} ms`, {
          registry,
          retryAfterMs: result.waitMs,
        });
      }
      tokenWaits.inc({ registry });
      await new Promise((resolve) => setTimeout(resolve, result.waitMs));
    }
  }

  /** Holds the breaker open until the registry's announced end of an outage, then lets it close. */
  function isolateUntil(entry: Entry, until: Date): void {
    if (entry.breaker.state === CockatielState.Isolated) return;
    const handle = entry.breaker.isolate();
    const timer = setTimeout(() => handle.dispose(), Math.max(0, until.getTime() - Date.now()));
    timer.unref();
  }

  const guard: RegistryGuard = {
    async init(options = {}) {
      const write = options.buckets === "join" ? ensureBucket : configureBucket;
      for (const [name, entry] of entries) {
        await write(db, name, { capacity: entry.config.capacity, refillPerSec: entry.config.refillPerSec });
      }
    },
    registries: () => [...entries.keys()],
    lastFailure: (registry) => failures.get(registry),
    circuit(registry) {
      const entry = entries.get(registry as RegistryName);
      return entry === undefined ? "unknown" : circuitOf(entry);
    },
    async settled() {
      while (pendingHooks.size > 0) await Promise.all([...pendingHooks]);
    },
    async guardedCall<T>(registry: RegistryName, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const entry = entryOf(registry);
      // Open: fail fast without spending a shared token on a call that would not be made.
      if (failsFast(entry)) {
        calls.inc({ registry, outcome: "circuit_open" });
        throw new RegistryCircuitOpenError(registry, entry.config.halfOpenAfterMs);
      }
      await waitForToken(registry, entry);
      // The token above pays for the call's first HTTP request; every further one takes its own.
      let paid = true;
      const gate = {
        beforeRequest: async () => {
          if (paid) paid = false;
          else await waitForToken(registry, entry);
        },
      };
      try {
        const result = (await entry.policy.execute(({ signal }) => withRequestGate(gate, () => fn(signal)))) as T;
        calls.inc({ registry, outcome: "ok" });
        return result;
      } catch (error) {
        if (isBrokenCircuitError(error)) {
          calls.inc({ registry, outcome: "circuit_open" });
          throw new RegistryCircuitOpenError(registry, entry.config.halfOpenAfterMs);
        }
        if (error instanceof TaskCancelledError) {
          calls.inc({ registry, outcome: "timeout" });
          throw new RegistryUnavailableError(`${registry} call timed out after ${entry.config.timeoutMs} ms`, {
            registry,
            cause: error,
          });
        }
        const pushBack =
          error instanceof RegistryRateLimitedError ||
          (error instanceof RegistryUnavailableError && error.retryAfterMs !== undefined);
        if (pushBack) {
          const retryAfterMs = (error as BaseError).retryAfterMs ?? entry.config.defaultRetryAfterMs;
          const until = await blockUntil(db, registry, retryAfterMs);
          rateLimited.inc({ registry });
          logger.warn({ registry, retryAfterMs, until }, "registry asked us to wait: blocked for every process");
          if (error instanceof RegistryUnavailableError && retryAfterMs >= entry.config.outageRetryAfterMs)
            isolateUntil(entry, until);
        }
        if (error instanceof RegistryUnavailableError) failures.set(registry, { at: new Date(), message: error.message });
        calls.inc({ registry, outcome: error instanceof BaseError ? error.code : "error" });
        throw error;
      }
    },
  };
  return guard;
}
