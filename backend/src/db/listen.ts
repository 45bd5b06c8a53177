import type { Pool, PoolClient } from "pg";
import type { Logger } from "../logger";

/** A subscription to one channel, kept alive across lost connections: `close()` ends it. */
export type Listener = {
  /** Settles after the first attempt to LISTEN, successful or not (a failed one is retried in the background). */
  ready: Promise<void>;
  close(): Promise<void>;
};

type Subscription = { channel: string; onNotify: (payload?: string) => void };

/** Delays before reconnecting after the connection was lost: 0.5 s doubling to 10 s. */
const RECONNECT_MS = { first: 500, max: 10_000 };

/**
 * One LISTEN connection per pool, shared by every subscription of the process (each queue worker and the request
 * dispatcher would otherwise hold a pool connection of its own for good). When it is lost (server restart,
 * network) it reconnects with backoff, LISTENs again on every channel and calls each subscriber once with no
 * payload, because notifications sent while it was away are gone.
 */
class Hub {
  private client: PoolClient | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private delay = RECONNECT_MS.first;
  private lost = false;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  async add(subscription: Subscription): Promise<void> {
    const listening = this.channels().has(subscription.channel);
    this.subscriptions.add(subscription);
    if (this.client === undefined) {
      await (this.connecting ??= this.connect());
      return;
    }
    if (!listening)
      await this.client.query(`LISTEN ${subscription.channel}`).catch((error: unknown) => this.drop(this.client!, error));
  }

  async remove(subscription: Subscription): Promise<void> {
    this.subscriptions.delete(subscription);
    if (this.subscriptions.size === 0) {
      clearTimeout(this.retry);
      this.retry = undefined;
      await this.connecting; // a connect in progress releases its own client when nobody is left
      const current = this.client;
      this.client = undefined;
      current?.release(true); // closes the connection, and with it every LISTEN
      return;
    }
    if (this.client !== undefined && !this.channels().has(subscription.channel)) {
      await this.client.query(`UNLISTEN ${subscription.channel}`).catch(() => undefined);
    }
  }

  private channels(): Set<string> {
    return new Set([...this.subscriptions].map((s) => s.channel));
  }

  private async connect(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    let next: PoolClient | undefined;
    try {
      if (this.client !== undefined) return;
      next = await this.pool.connect();
      next.on("notification", (message) => {
        for (const s of this.subscriptions) if (s.channel === message.channel) s.onNotify(message.payload);
      });
      next.on("error", (error) => this.drop(next!, error));
      for (const channel of this.channels()) await next.query(`LISTEN ${channel}`);
      if (this.subscriptions.size === 0) {
        next.release(true);
        return;
      }
      this.client = next;
      this.delay = RECONNECT_MS.first;
      if (this.lost) {
        this.lost = false;
        this.logger.info({ channels: [...this.channels()] }, "LISTEN connection restored");
        for (const s of this.subscriptions) s.onNotify();
      }
    } catch (error) {
      next?.release(true);
      this.schedule(error);
    } finally {
      this.connecting = undefined;
    }
  }

  private drop(broken: PoolClient, error: unknown): void {
    if (this.client !== broken) return; // failed during connect(): its catch schedules the retry
    this.client = undefined;
    broken.release(true);
    this.schedule(error);
  }

  private schedule(error: unknown): void {
    if (this.subscriptions.size === 0 || this.retry !== undefined) return;
    if (!this.lost) this.logger.warn({ err: error, retryInMs: this.delay }, "LISTEN connection lost: polling until it is back");
    this.lost = true;
    this.retry = setTimeout(() => void (this.connecting ??= this.connect()), this.delay);
    this.retry.unref();
    this.delay = Math.min(this.delay * 2, RECONNECT_MS.max);
  }
}

const hubs = new WeakMap<Pool, Hub>();

/**
 * Calls `onNotify(payload)` for each notification on `channel`, through the pool's one shared LISTEN connection;
 * after a lost connection comes back, once with no payload. Callers keep their own interval poll as well: a
 * notification only shortens the wait.
 */
export function listen(pool: Pool, channel: string, onNotify: (payload?: string) => void, logger: Logger): Listener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let hub = hubs.get(pool);
  if (hub === undefined) {
    hub = new Hub(pool, logger);
    hubs.set(pool, hub);
  }
  const subscription: Subscription = { channel, onNotify };
  const ready = hub.add(subscription);
  let closed: Promise<void> | undefined;
  return {
    ready,
    close() {
      closed ??= ready.then(() => hub.remove(subscription));
      return closed;
    },
  };
}
