/**
 * Registry watchers (docs/watchers.md): what the registries did, kept in Postgres for the API and reconciliation.
 *
 * - `api/routes/webhooks.ts` receives signed deliveries and stores them (`events.ts`);
 * - `poller.ts` reads each registry's event log after a persisted cursor and stores through the same function;
 * - `applier.ts` turns stored events into state by re-reading the registry (the custody mirror, `mirror.ts`, and
 *   the registry status of platform requests);
 * - `snapshots.ts` writes custody snapshots for reconciliation on an interval and soon after changes.
 *
 * `createRegistryWatchers` wires the three services the way `npm start` runs them.
 */
import type { Context } from "../context";
import type { RegistryGuard } from "../guard";
import type { RegistryName } from "../registries/ids";
import type { RegistryChange } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { type ChangeApplier, createChangeApplier } from "./applier";
import { type RegistryPoller, createRegistryPoller } from "./poller";
import { type SnapshotWriter, createSnapshotWriter } from "./snapshots";

export { type ChangeApplier, type ChangeApplierOptions, type DrainReturnType, createChangeApplier } from "./applier";
export { type ChangeSource, type StoreChangesReturnType, storeChanges } from "./events";
export { type PollRegistryReturnType, type RegistryPoller, type RegistryPollerOptions, createRegistryPoller } from "./poller";
export { type SnapshotWriter, type SnapshotWriterOptions, type WriteSnapshotReturnType, createSnapshotWriter } from "./snapshots";

export type RegistryWatchersOptions = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: Pick<RegistryGuard, "guardedCall">;
  custodyAccount: string;
  /** Default 5 s. */
  pollIntervalMs?: number;
  /** Default 60 s; a snapshot also follows applied changes after `snapshotDebounceMs` (default 1 s). */
  snapshotIntervalMs?: number;
  snapshotDebounceMs?: number;
};

export type RegistryWatchers = {
  applier: ChangeApplier;
  poller: RegistryPoller;
  snapshots: SnapshotWriter;
  /** The webhook receiver's `onChanges`: applies what a delivery stored. */
  onChanges(registry: RegistryName, changes: RegistryChange[]): Promise<unknown>;
  /** Starts polling and snapshots (each registers its stop in the `services` shutdown phase). */
  start(): void;
  stop(): Promise<void>;
};

export function createRegistryWatchers(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "shutdown">,
  options: RegistryWatchersOptions,
): RegistryWatchers {
  const { adapters, guard, custodyAccount } = options;
  const applier = createChangeApplier(ctx, { adapters, guard, custodyAccount });
  const poller = createRegistryPoller(ctx, { adapters, guard, applier, intervalMs: options.pollIntervalMs });
  const snapshots = createSnapshotWriter(ctx, {
    adapters,
    guard,
    custodyAccount,
    intervalMs: options.snapshotIntervalMs,
    debounceMs: options.snapshotDebounceMs,
    catchUp: (registry) => poller.pollRegistry(registry),
  });
  applier.onApplied((registry, result) => {
    if (result.mirrorRows > 0) snapshots.requestSoon(registry);
  });
  return {
    applier,
    poller,
    snapshots,
    onChanges: (registry) => applier.drain(registry),
    start() {
      poller.start();
      snapshots.start();
    },
    async stop() {
      await snapshots.stop();
      await poller.stop();
    },
  };
}
