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
