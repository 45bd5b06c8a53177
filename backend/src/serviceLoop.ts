import type { Shutdown } from "./shutdown";

/**
 * Scheduling of background work, in one place: `createServiceLoop` (a pass, then a pause, until stopped),
 * `createServicePasses` (the same plus a non-overlapping on-demand pass) and `createCoalescingRunner` (on-demand
 * passes that coalesce: a call during a pass asks for one more pass after it).
 *
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
export function createServicePasses<T>(
  shutdown: Pick<Shutdown, "register">,
  params: CreateServicePassesParameters<T>,
): ServicePasses<T> {
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

export type CreateCoalescingRunnerParameters<T> = {
  pass: () => Promise<T>;
  /** Folds the result of an extra pass into what the callers get (e.g. adds counts). */
  combine: (total: T, next: T) => T;
  /** Asked before each extra pass; false ends the run (a stopping service). Default: always go on. */
  proceed?: () => boolean;
};

export type CoalescingRunner<T> = {
  /**
   * Runs a pass now, or, when one is running, asks for one more pass after it and returns the running one: the
   * running pass may have read its input before the change that prompted this call. Every caller in between
   * shares one result (the combined passes). A pass that throws rejects the run.
   */
  run(): Promise<T>;
  /** The run in progress, if any (to wait for it on stop). */
  readonly current: Promise<T> | undefined;
};

export function createCoalescingRunner<T>(params: CreateCoalescingRunnerParameters<T>): CoalescingRunner<T> {
  let current: Promise<T> | undefined;
  let again = false;

  async function runAll(): Promise<T> {
    again = false;
    let total: T = await params.pass();
    while (again && (params.proceed?.() ?? true)) {
      again = false;
      total = params.combine(total, await params.pass());
    }
    return total;
  }

  return {
    run() {
      if (current !== undefined) {
        again = true;
        return current;
      }
      const run = runAll().finally(() => {
        current = undefined;
      });
      current = run;
      return run;
    },
    get current() {
      return current;
    },
  };
}
