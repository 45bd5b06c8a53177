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

/** A service loop whose pass can also be run on demand (an operator command, a test). */
export type ServicePasses<T> = ServiceLoop & {
  /** One pass now; waits for a pass in progress first, so passes never overlap. */
  runOnce(): Promise<T>;
};

export type CreateServicePassesParameters<T> = Omit<CreateServiceLoopParameters, "run" | "onStop"> & {
  pass: () => Promise<T>;
  /** What a failed scheduled pass reports (an on-demand pass rejects to its caller instead). */
  onError?: (error: unknown) => void;
};

/** `createServiceLoop` over `pass`, plus `runOnce()`; `stop()` also waits for an on-demand pass in progress. */
export function createServicePasses<T>(shutdown: Pick<Shutdown, "register">, params: CreateServicePassesParameters<T>): ServicePasses<T> {
  let current: Promise<T> | undefined;

  async function runOnce(): Promise<T> {
    while (current !== undefined) await current.catch(() => undefined);
    const pass = params.pass().finally(() => {
      current = undefined;
    });
    current = pass;
    return pass;
  }

  const loop = createServiceLoop(shutdown, {
    name: params.name,
    intervalMs: params.intervalMs,
    run: () => runOnce().catch((error: unknown) => params.onError?.(error)),
    onStop: async () => current?.catch(() => undefined),
  });

  return {
    runOnce,
    start: loop.start,
    stop: loop.stop,
    get started() {
      return loop.started;
    },
  };
}
