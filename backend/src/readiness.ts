/**
 * Readiness: named checks that must all pass before the process should receive traffic. Components register
 * their own (chain head age, indexer lag, queue workers) when they start; `/health/ready` runs them.
 * A check passes by resolving (`undefined` or `{ ok: true }`), fails by resolving `{ ok: false, detail }` with a
 * message safe to show, or by throwing (the error is logged, never shown).
 *
 * A check registered with `required: false` watches a dependency outside this process (a registry whose circuit
 * is open, a registry in maintenance): its failure makes the report `degraded`, never not-ready, because the
 * process still serves everything else and taking it out of a load balancer would not bring the registry back
 * (issue 12 §4.7). Such a check may list the state of each dependency it watches in `dependencies`.
 */

/** One dependency a check watches, e.g. `{ name: "VERRA", state: "open", detail: "...503 Scheduled maintenance" }`. */
export type DependencyState = { name: string; state: string; detail?: string };

export type ReadinessCheckResult = { ok: boolean; detail?: string; dependencies?: DependencyState[] } | undefined | void;
export type ReadinessCheck = () => Promise<ReadinessCheckResult>;

export type ReadinessCheckOptions = {
  timeoutMs?: number;
  /** False: a failure degrades the report instead of making it not ready. Default true. */
  required?: boolean;
};

export type ReadinessOutcome = {
  name: string;
  ok: boolean;
  required: boolean;
  durationMs: number;
  /** Safe to show: the check's own detail, "timed out after N ms" or "check failed". */
  detail?: string;
  /** What the check said of each dependency it watches (safe to show). */
  dependencies?: DependencyState[];
  /** The thrown error, for the caller to log; never sent to clients. */
  error?: unknown;
};

/** `ready`: every required check passes. `degraded`: some check with `required: false` fails. */
export type ReadinessReport = { ready: boolean; degraded: boolean; checks: ReadinessOutcome[] };

export type Readiness = {
  /** Adds a check; registering a name twice replaces the first. Returns a function that removes it. */
  register(name: string, check: ReadinessCheck, options?: ReadinessCheckOptions): () => void;
  names(): string[];
  /** Runs every registered check and `extra` (not registered, required, e.g. the API's database check) in parallel. */
  run(extra?: Record<string, ReadinessCheck>): Promise<ReadinessReport>;
};

const DEFAULT_TIMEOUT_MS = 2_000;

export function createReadiness(): Readiness {
  type Entry = { check: ReadinessCheck; timeoutMs: number; required: boolean };
  const checks = new Map<string, Entry>();
  return {
    register(name, check, options = {}) {
      const entry: Entry = { check, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, required: options.required ?? true };
      checks.set(name, entry);
      return () => {
        if (checks.get(name) === entry) checks.delete(name);
      };
    },
    names: () => [...checks.keys()],
    async run(extra = {}) {
      const all = [
        ...Object.entries(extra).map(([name, check]) => ({ name, check, timeoutMs: DEFAULT_TIMEOUT_MS, required: true })),
        ...[...checks.entries()].map(([name, entry]) => ({ name, ...entry })),
      ];
      const outcomes = await Promise.all(
        all.map(async ({ name, check, timeoutMs, required }) => ({ ...(await runOne(name, check, timeoutMs)), required })),
      );
      return {
        ready: outcomes.every((outcome) => outcome.ok || !outcome.required),
        degraded: outcomes.some((outcome) => !outcome.ok && !outcome.required),
        checks: outcomes,
      };
    },
  };
}

async function runOne(name: string, check: ReadinessCheck, timeoutMs: number): Promise<Omit<ReadinessOutcome, "required">> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await Promise.race([check(), timeout]);
    if (result === "timeout") return { name, ok: false, durationMs: elapsed(), detail: `timed out after ${timeoutMs} ms` };
    const dependencies = result?.dependencies === undefined ? {} : { dependencies: result.dependencies };
    if (result !== undefined && !result.ok) {
      return { name, ok: false, durationMs: elapsed(), detail: result.detail ?? "not ready", ...dependencies };
    }
    return { name, ok: true, durationMs: elapsed(), ...dependencies };
  } catch (error) {
    return { name, ok: false, durationMs: elapsed(), detail: "check failed", error };
  } finally {
    clearTimeout(timer);
  }
}
