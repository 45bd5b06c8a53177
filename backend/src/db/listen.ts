import type { Pool, PoolClient } from "pg";
import type { Logger } from "../logger";

/** A LISTEN on one channel, kept alive: `close()` stops it. */
export type Listener = {
  /** Settles after the first attempt to LISTEN, successful or not (a failed one is retried in the background). */
  ready: Promise<void>;
  close(): Promise<void>;
};

/** Delays before re-LISTENing after the connection was lost: 0.5 s doubling to 10 s. */
const RECONNECT_MS = { first: 500, max: 10_000 };

/**
 * Holds a connection from `pool` with `LISTEN channel` and calls `onNotify(payload)` for each notification. When the
 * connection is lost (server restart, network), the listener reconnects with backoff and then calls `onNotify()`
 * once with no payload, because notifications sent while it was away are gone. Callers keep their own interval poll
 * as well: a notification only shortens the wait.
 */
export function listen(pool: Pool, channel: string, onNotify: (payload?: string) => void, logger: Logger): Listener {
  let client: PoolClient | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MS.first;
  let lost = false;

  async function connect(): Promise<void> {
    retry = undefined;
    let next: PoolClient | undefined;
    try {
      next = await pool.connect();
      next.on("notification", (message) => {
        if (message.channel === channel) onNotify(message.payload);
      });
      next.on("error", (error) => drop(next!, error));
      await next.query(`LISTEN ${channel}`);
      if (closed) {
        next.release(true);
        return;
      }
      client = next;
      delay = RECONNECT_MS.first;
      if (lost) {
        lost = false;
        logger.info({ channel }, "LISTEN connection restored");
        onNotify();
      }
    } catch (error) {
      next?.release(true);
      schedule(error);
    }
  }

  function drop(broken: PoolClient, error: unknown): void {
    if (client !== broken) return; // failed during connect(): its catch schedules the retry
    client = undefined;
    broken.release(true);
    schedule(error);
  }

  function schedule(error: unknown): void {
    if (closed) return;
    if (!lost) logger.warn({ err: error, channel, retryInMs: delay }, "LISTEN connection lost: polling until it is back");
    lost = true;
    retry = setTimeout(() => void connect(), delay);
    retry.unref();
    delay = Math.min(delay * 2, RECONNECT_MS.max);
  }

  const started = connect();
  return {
    ready: started,
    async close() {
      closed = true;
      clearTimeout(retry);
      await started;
      const current = client;
      client = undefined;
      if (current === undefined) return;
      await current.query(`UNLISTEN ${channel}`).catch(() => undefined);
      current.release();
    },
  };
}
