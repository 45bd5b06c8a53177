import type { Shutdown } from "./shutdown";

/**
 * The loop of a background service (registry poller, custody snapshots, deposit watcher, reconciler): `start()` runs
 * `run` at once and then `intervalMs` after each run ends, until `stop()`, which waits for a run in progress. The first
 * start registers the stop in the `services` shutdown phase under `name`. `run` reports its own failures; a rejection
 * is dropped here and the next run is the retry.
 */
export type ServiceLoop = {
  start(): void;
  stop(): Promise<void>;
  /** Between start() and stop(). */
  readonly started: boolean;
};

export type CreateServiceLoopParameters = {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  /** More to stop with the loop (timers of the service's own, work it runs outside the loop); awaited by stop(). */
  onStop?: () => Promise<unknown>;
};

export function createServiceLoop(shutdown: Pick<Shutdown, "register">, params: CreateServiceLoopParameters): ServiceLoop {
  let started = false;
  let registered = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<unknown> | undefined;

  function runNow(): void {
    timer = undefined;
    round = params
      .run()
      .catch(() => undefined)
      .finally(() => {
        round = undefined;
        if (started) timer = setTimeout(runNow, params.intervalMs);
      });
  }

  async function stop(): Promise<void> {
    started = false;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    await Promise.all([round, params.onStop?.()]);
  }

  return {
    start() {
      if (started) return;
      started = true;
      if (!registered) {
        registered = true;
        shutdown.register("services", params.name, stop);
      }
      runNow();
    },
    stop,
    get started() {
      return started;
    },
  };
}
