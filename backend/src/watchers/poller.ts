/**
 * The polling fallback: webhooks are unreliable by design (dropped, duplicated, reordered, never retried), so
 * completeness comes from reading each registry's event log after a persisted cursor, every `intervalMs`. Polled
 * changes go through the same path as webhooks (`storeChanges`, then the applier's drain); the cursor is written
 * in the transaction that stores the changes it covers, so a crash re-reads them and duplicates are ignored.
 */
import type { Context } from "../context";
import { withTransaction } from "../db/transaction";
import { createServiceLoop } from "../serviceLoop";
import type { RegistryGuard } from "../guard";
import type { RegistryName } from "../registries/ids";
import type { RegistryPort } from "../registries/port";
import type { ChangeApplier, DrainReturnType } from "./applier";
import { readPollCursor, storeChanges, writePollCursor } from "./events";

export type RegistryPollerOptions = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: Pick<RegistryGuard, "guardedCall">;
  /** Applies what was stored (the webhook receiver's `onChanges` drains the same applier). */
  applier: ChangeApplier;
  /** Pause between the end of one round and the next (default 5 s). */
  intervalMs?: number;
  /** `pollChanges` calls per registry and round at most, while each returns changes (default 20). */
  maxPagesPerRound?: number;
};

export type PollRegistryReturnType = { stored: number; duplicates: number; cursor: string | undefined; drained: DrainReturnType };

export type RegistryPoller = {
  /** Polls one registry to the end of its log, stores, applies. Concurrent calls share one run. */
  pollRegistry(registry: RegistryName): Promise<PollRegistryReturnType>;
  /** One round over every registry with an adapter; a registry that fails is logged and skipped. */
  pollOnce(): Promise<Partial<Record<RegistryName, PollRegistryReturnType>>>;
  start(): void;
  stop(): Promise<void>;
};

export function createRegistryPoller(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "shutdown">,
  options: RegistryPollerOptions,
): RegistryPoller {
  const { adapters, guard, applier } = options;
  const intervalMs = options.intervalMs ?? 5_000;
  const maxPages = options.maxPagesPerRound ?? 20;
  const log = ctx.logger.child({ component: "registry-poller" });
  const eventsTotal = ctx.metrics.counter({
    name: "registry_poll_events_total",
    help: "Registry events read by polling: stored (webhooks had not delivered them) or duplicate",
    labelNames: ["registry", "outcome"],
  });
  const lagGauge = ctx.metrics.gauge({
    name: "registry_poll_lag_seconds",
    help: "Seconds since the registry's event log was last read to its end (0 right after a successful poll)",
    labelNames: ["registry"],
  });
  const failures = ctx.metrics.counter({
    name: "registry_poll_failures_total",
    help: "Failed poll rounds",
    labelNames: ["registry"],
  });
  const registries = Object.keys(adapters) as RegistryName[];
  const lastSuccess = new Map<RegistryName, number>(registries.map((registry) => [registry, Date.now()]));
  const running = new Map<RegistryName, Promise<PollRegistryReturnType>>();

  async function pollToEnd(registry: RegistryName): Promise<PollRegistryReturnType> {
    const adapter = adapters[registry];
    if (adapter === undefined) throw new Error(`no adapter for registry ${registry}`);
    let cursor = await readPollCursor(ctx.db.pool, registry);
    let stored = 0;
    let duplicates = 0;
    for (let page = 0; page < maxPages; page += 1) {
      const answer = await guard.guardedCall(registry, () => adapter.pollChanges(cursor));
      const result = await withTransaction(ctx.db.pool, async (client) => {
        const changes = await storeChanges(client, registry, answer.changes, "poll");
        await writePollCursor(client, registry, answer.cursor);
        return changes;
      });
      stored += result.stored.length;
      duplicates += result.duplicates;
      const moved = answer.cursor !== cursor;
      cursor = answer.cursor;
      if (answer.changes.length === 0 || !moved) break;
    }
    eventsTotal.inc({ registry, outcome: "stored" }, stored);
    eventsTotal.inc({ registry, outcome: "duplicate" }, duplicates);
    lastSuccess.set(registry, Date.now());
    lagGauge.set({ registry }, 0);
    if (stored > 0) log.info({ registry, stored, duplicates }, "polling found registry events the webhooks had not delivered");
    // Drains even when nothing new was stored: webhook events whose drain failed (registry down) are retried here.
    const drained = await applier.drain(registry);
    return { stored, duplicates, cursor, drained };
  }

  function pollRegistry(registry: RegistryName): Promise<PollRegistryReturnType> {
    const current = running.get(registry);
    if (current !== undefined) return current;
    const run = pollToEnd(registry).finally(() => running.delete(registry));
    running.set(registry, run);
    return run;
  }

  async function pollOnce(): Promise<Partial<Record<RegistryName, PollRegistryReturnType>>> {
    const results: Partial<Record<RegistryName, PollRegistryReturnType>> = {};
    await Promise.all(
      registries.map(async (registry) => {
        try {
          results[registry] = await pollRegistry(registry);
        } catch (error) {
          failures.inc({ registry });
          lagGauge.set({ registry }, (Date.now() - (lastSuccess.get(registry) ?? Date.now())) / 1000);
          log.warn(
            { registry, err: error instanceof Error ? error.message : String(error) },
            "polling the registry failed; next round retries",
          );
        }
      }),
    );
    return results;
  }

  const loop = createServiceLoop(ctx.shutdown, { name: "registry-poller", intervalMs, run: pollOnce });

  return {
    pollRegistry,
    pollOnce,
    start: loop.start,
    stop: loop.stop,
  };
}
