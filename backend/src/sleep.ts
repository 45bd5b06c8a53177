/**
 * The backend's one way to wait. `sleep(ms)` for a plain pause (a retry delay, a poll interval); `createSleeper()`
 * when something else must be able to end the wait early: a loop that sleeps between rounds and is woken by a
 * notification, a finished job or `stop()`.
 */

/** Resolves after `ms` milliseconds (never rejects). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type Sleeper = {
  /** Resolves after `ms`, or as soon as `wake()` is called during the wait. */
  sleep(ms: number): Promise<void>;
  /** Ends the wait in progress at once; does nothing while nobody sleeps (the wake is not kept for later). */
  wake(): void;
};

export function createSleeper(): Sleeper {
  let current: (() => void) | undefined;
  return {
    sleep(ms) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          if (current === done) current = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        current = done;
      });
    },
    wake() {
      current?.();
    },
  };
}
