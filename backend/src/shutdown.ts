import type { Logger } from "./logger";

/**
 * Ordered shutdown. Hooks run phase by phase: `api` (stop accepting and drain requests), then `services`
 * (indexer, workers, relayer, simulators), then `db` (pool, then the embedded server). Within a phase the last
 * registered runs first, as a component started later usually depends on one started earlier. A failing hook is
 * logged and does not stop the others.
 */

export const SHUTDOWN_PHASES = ["api", "services", "db"] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export type Shutdown = {
  register(phase: ShutdownPhase, name: string, hook: () => Promise<void> | void): void;
  /** Runs every hook once; later calls return the same promise. Resolves false when a hook failed. */
  run(reason: string): Promise<boolean>;
  readonly started: boolean;
};

export function createShutdown(logger: Logger): Shutdown {
  const hooks: Array<{ phase: ShutdownPhase; name: string; hook: () => Promise<void> | void }> = [];
  let running: Promise<boolean> | undefined;

  async function runAll(reason: string): Promise<boolean> {
    logger.info({ reason }, "shutting down");
    let clean = true;
    for (const phase of SHUTDOWN_PHASES) {
      for (const { name, hook } of hooks.filter((entry) => entry.phase === phase).reverse()) {
        try {
          await hook();
          logger.debug({ phase, name }, "stopped");
        } catch (error) {
          clean = false;
          logger.error({ err: error, phase, name }, "shutdown hook failed");
        }
      }
    }
    logger.info({ clean }, "shutdown complete");
    return clean;
  }

  return {
    register(phase, name, hook) {
      hooks.push({ phase, name, hook });
    },
    run(reason) {
      running ??= runAll(reason);
      return running;
    },
    get started() {
      return running !== undefined;
    },
  };
}

export type HandleSignalsParameters = {
  /** Hard limit for the whole shutdown before the process exits anyway (default 30 s). */
  timeoutMs?: number;
  /** Injected in tests; `process.exit` otherwise. */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
};

/**
 * First SIGINT/SIGTERM: ordered shutdown, then exit 0 (1 if a hook failed or the time limit passed). A second
 * signal exits at once with 1. Returns a function that removes the handlers.
 */
export function handleSignals(
  ctx: { shutdown: Shutdown; logger: Logger },
  parameters: HandleSignalsParameters = {},
): () => void {
  const exit = parameters.exit ?? ((code: number) => process.exit(code));
  const signals = parameters.signals ?? ["SIGINT", "SIGTERM"];
  const onSignal = (signal: NodeJS.Signals) => {
    if (ctx.shutdown.started) {
      ctx.logger.warn({ signal }, "second signal: exiting without waiting");
      exit(1);
      return;
    }
    const timer = setTimeout(() => {
      ctx.logger.error({ timeoutMs: parameters.timeoutMs ?? 30_000 }, "shutdown timed out: exiting");
      exit(1);
    }, parameters.timeoutMs ?? 30_000);
    timer.unref();
    void ctx.shutdown.run(signal).then((clean) => {
      clearTimeout(timer);
      exit(clean ? 0 : 1);
    });
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
