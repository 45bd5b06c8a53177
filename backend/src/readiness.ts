/**
 * Readiness: named checks that must all pass before the process should receive traffic. Components register
 * their own (chain head age, indexer lag, registry circuit states) when they start; `/health/ready` runs them.
 * A check passes by resolving (`undefined` or `{ ok: true }`), fails by resolving `{ ok: false, detail }` with a
 * message safe to show, or by throwing (the error is logged, never shown).
 */

export type ReadinessCheckResult = { ok: boolean; detail?: string } | undefined | void;
export type ReadinessCheck = () => Promise<ReadinessCheckResult>;

export type ReadinessOutcome = {
  name: string;
  ok: boolean;
  durationMs: number;
  /** Safe to show: the check's own detail, "timed out after N ms" or "check failed". */
  detail?: string;
  /** The thrown error, for the caller to log; never sent to clients. */
  error?: unknown;
};

export type ReadinessReport = { ready: boolean; checks: ReadinessOutcome[] };

export type Readiness = {
  /** Adds a check; registering a name twice replaces the first. Returns a function that removes it. */
  register(name: string, check: ReadinessCheck, options?: { timeoutMs?: number }): () => void;
  names(): string[];
  /** Runs every registered check and `extra` (not registered, e.g. the API's own database check) in parallel. */
  run(extra?: Record<string, ReadinessCheck>): Promise<ReadinessReport>;
};

const DEFAULT_TIMEOUT_MS = 2_000;

export function createReadiness(): Readiness {
  const checks = new Map<string, { check: ReadinessCheck; timeoutMs: number }>();
  return {
    register(name, check, options = {}) {
      const entry = { check, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
      checks.set(name, entry);
      return () => {
        if (checks.get(name) === entry) checks.delete(name);
      };
    },
    names: () => [...checks.keys()],
    async run(extra = {}) {
      const all = [
        ...Object.entries(extra).map(([name, check]) => ({ name, check, timeoutMs: DEFAULT_TIMEOUT_MS })),
        ...[...checks.entries()].map(([name, entry]) => ({ name, ...entry })),
      ];
      const outcomes = await Promise.all(all.map(({ name, check, timeoutMs }) => runOne(name, check, timeoutMs)));
      return { ready: outcomes.every((outcome) => outcome.ok), checks: outcomes };
    },
  };
}

async function runOne(name: string, check: ReadinessCheck, timeoutMs: number): Promise<ReadinessOutcome> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await Promise.race([check(), timeout]);
    if (result === "timeout") return { name, ok: false, durationMs: elapsed(), detail: `timed out after ${timeoutMs} ms` };
    if (result !== undefined && !result.ok) {
      return { name, ok: false, durationMs: elapsed(), detail: result.detail ?? "not ready" };
    }
    return { name, ok: true, durationMs: elapsed() };
  } catch (error) {
    return { name, ok: false, durationMs: elapsed(), detail: "check failed", error };
  } finally {
    clearTimeout(timer);
  }
}
