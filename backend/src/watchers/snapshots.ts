/**
 * Custody snapshots for reconciliation (`recordCustodySnapshot`, docs/backend-core.md "Feeding it"). Per registry:
 * the live blocks of the custody account from `listHoldings` (the authoritative list), plus the blocks that left
 * it from the custody mirror (retired there with their memo; transferred out, written as `PENDING_TRANSFER` with
 * the memo of the transfer, which the engine counts as gone), grouped by serial prefix. Every batch of the
 * registry gets a snapshot, empty when the account holds none of it, so a batch whose units all left is compared
 * (a shortfall) instead of staying unobserved.
 *
 * Consistency: the listing and the mirror must describe the same moment, or a retirement that the listing no
 * longer shows and the mirror does not show yet would read as missing units (a false shortfall, which freezes).
 * So the writer notes the database clock, lists, catches up (polls and applies), then, holding the mirror lock
 * that drains take, writes only when no mirror row changed since that moment; otherwise it tries again (up to
 * `maxAttempts`, then skips this round and says so). Blocks the mirror holds as live in custody but the listing
 * lacks are re-read one by one before writing (this also heals a mirror row an older listing overwrote).
 */
import type { Context } from "../context";
import { withTransaction } from "../db/transaction";
import { ensureRegistry } from "../registries/store";
import { createServiceLoop } from "../serviceLoop";
import type { RegistryGuard } from "../guard";
import type { RegistryName } from "../registries/ids";
import type { BlockStatus } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { type SnapshotBlock, recordCustodySnapshot } from "../reconciliation";
import { type MirrorBlock, changedSince, databaseNow, mirrorBlocks, upsertMirror, withMirrorLock } from "./mirror";

export type SnapshotWriterOptions = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: Pick<RegistryGuard, "guardedCall">;
  custodyAccount: string;
  /** Pause between rounds over every registry (default 60 s). */
  intervalMs?: number;
  /** Delay of the snapshot `requestSoon` asks for, coalescing a burst of changes (default 1 s). */
  debounceMs?: number;
  /** Brings the mirror up to date with the registry (the poller's `pollRegistry`); called after each listing. */
  catchUp?: (registry: RegistryName) => Promise<unknown>;
  /** Listings per snapshot before giving up on a registry that keeps changing (default 3). */
  maxAttempts?: number;
};

export type WriteSnapshotReturnType =
  | { written: true; prefixes: number; blocks: number; attempts: number }
  | { written: false; reason: string; attempts: number };

export type SnapshotWriter = {
  /** Lists, catches up, and writes one snapshot per serial prefix of `registry` (or says why it did not). */
  writeRegistry(registry: RegistryName): Promise<WriteSnapshotReturnType>;
  /** Every registry with an adapter; failures are logged and counted. */
  writeAll(): Promise<Partial<Record<RegistryName, WriteSnapshotReturnType>>>;
  /** A snapshot of `registry` soon (after `debounceMs`), e.g. because changes arrived. */
  requestSoon(registry: RegistryName): void;
  start(): void;
  stop(): Promise<void>;
};

const LIVE: ReadonlySet<BlockStatus> = new Set(["ACTIVE", "IMMOBILIZED", "ON_HOLD"]);

export function createSnapshotWriter(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "shutdown">,
  options: SnapshotWriterOptions,
): SnapshotWriter {
  const { adapters, guard, custodyAccount } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const debounceMs = options.debounceMs ?? 1_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const pool = ctx.db.pool;
  const log = ctx.logger.child({ component: "custody-snapshots" });
  const snapshotsTotal = ctx.metrics.counter({
    name: "custody_snapshots_total",
    help: "Custody snapshot rounds per registry: written, unsettled (the registry kept changing), failed",
    labelNames: ["registry", "outcome"],
  });
  const blocksGauge = ctx.metrics.gauge({
    name: "custody_snapshot_blocks",
    help: "Blocks in the registry's latest custody snapshots (live and departed)",
    labelNames: ["registry"],
  });
  const registries = Object.keys(adapters) as RegistryName[];
  const running = new Map<RegistryName, Promise<WriteSnapshotReturnType>>();
  const soon = new Map<RegistryName, NodeJS.Timeout>();

  /** The snapshot rows of one mirror block: live as listed, retired in the account as is, moved away as gone. */
  function snapshotBlockOf(block: MirrorBlock): SnapshotBlock {
    const left = block.holderAccount !== undefined && block.holderAccount !== custodyAccount;
    return {
      nativeId: block.nativeId,
      blockStart: block.blockStart,
      blockEnd: block.blockEnd,
      quantity: block.quantity,
      status: left ? "PENDING_TRANSFER" : block.status,
      memo: block.memo,
    };
  }

  /**
   * A split child belongs to its parent's batch: the prefix of its oldest ancestor the mirror holds. (Verra, Gold
   * Standard and CCTS children keep the parent's prefix anyway; an I-REC child is a new item code, its own serial.)
   */
  function batchPrefixOf(block: MirrorBlock, byId: ReadonlyMap<string, MirrorBlock>): string {
    let root = block;
    const seen = new Set<string>([block.nativeId]);
    for (
      let parent = byId.get(root.parentId ?? "");
      parent !== undefined && !seen.has(parent.nativeId);
      parent = byId.get(root.parentId ?? "")
    ) {
      seen.add(parent.nativeId);
      root = parent;
    }
    return root.serialPrefix;
  }

  async function refreshStale(registry: RegistryName, adapter: RegistryPort, listed: Set<string>): Promise<void> {
    const stale = (await mirrorBlocks(pool, registry, custodyAccount)).filter(
      (block) =>
        LIVE.has(block.status) && (block.holderAccount ?? custodyAccount) === custodyAccount && !listed.has(block.nativeId),
    );
    for (const { nativeId } of stale) {
      const block = await guard.guardedCall(registry, () => adapter.getBlock(nativeId));
      if (block !== undefined) await upsertMirror(pool, registry, custodyAccount, [{ block }]);
    }
  }

  async function write(registry: RegistryName, blocks: MirrorBlock[]): Promise<number> {
    const byPrefix = new Map<string, SnapshotBlock[]>();
    const { rows } = await pool.query<{ serial_prefix: string }>("SELECT serial_prefix FROM batches WHERE registry_id = $1", [
      registry,
    ]);
    for (const row of rows) byPrefix.set(row.serial_prefix, []);
    const byId = new Map(blocks.map((block) => [block.nativeId, block]));
    for (const block of blocks) {
      const prefix = batchPrefixOf(block, byId);
      const list = byPrefix.get(prefix) ?? [];
      list.push(snapshotBlockOf(block));
      byPrefix.set(prefix, list);
    }
    await withTransaction(pool, async (client) => {
      // registry_snapshots references registries; the custody account is the platform's own at this registry.
      await ensureRegistry(client, registry, custodyAccount);
      const takenAt = new Date();
      for (const [serialPrefix, list] of byPrefix) {
        await recordCustodySnapshot(client, {
          registryId: registry,
          account: custodyAccount,
          serialPrefix,
          takenAt,
          blocks: list,
        });
      }
    });
    return byPrefix.size;
  }

  async function writeOnce(registry: RegistryName): Promise<WriteSnapshotReturnType> {
    const adapter = adapters[registry];
    if (adapter === undefined) throw new Error(`no adapter for registry ${registry}`);
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const since = await databaseNow(pool);
      const { blocks: live } = await guard.guardedCall(registry, () => adapter.listHoldings({ account: custodyAccount }));
      if (options.catchUp !== undefined) await options.catchUp(registry);
      const outcome = await withMirrorLock(pool, registry, async () => {
        if ((await changedSince(pool, registry, custodyAccount, since)) > 0) return undefined;
        await upsertMirror(
          pool,
          registry,
          custodyAccount,
          live.map((block) => ({ block })),
        );
        await refreshStale(registry, adapter, new Set(live.map((block) => block.registryRecordId)));
        const blocks = await mirrorBlocks(pool, registry, custodyAccount);
        return { blocks: blocks.length, prefixes: await write(registry, blocks) };
      });
      if (outcome === undefined) {
        log.debug({ registry, attempt }, "custody changed while listing; listing again");
        continue;
      }
      blocksGauge.set({ registry }, outcome.blocks);
      snapshotsTotal.inc({ registry, outcome: "written" });
      log.debug({ registry, ...outcome, attempt }, "custody snapshot written");
      return { written: true, ...outcome, attempts: attempt };
    }
    snapshotsTotal.inc({ registry, outcome: "unsettled" });
    log.warn({ registry, attempts: maxAttempts }, "custody kept changing while listing; no snapshot this round");
    return { written: false, reason: "custody kept changing while listing", attempts: maxAttempts };
  }

  function writeRegistry(registry: RegistryName): Promise<WriteSnapshotReturnType> {
    const current = running.get(registry);
    if (current !== undefined) return current;
    const run = writeOnce(registry).finally(() => running.delete(registry));
    running.set(registry, run);
    return run;
  }

  async function writeAll(): Promise<Partial<Record<RegistryName, WriteSnapshotReturnType>>> {
    const results: Partial<Record<RegistryName, WriteSnapshotReturnType>> = {};
    await Promise.all(
      registries.map(async (registry) => {
        try {
          results[registry] = await writeRegistry(registry);
        } catch (error) {
          snapshotsTotal.inc({ registry, outcome: "failed" });
          log.warn(
            { registry, err: error instanceof Error ? error.message : String(error) },
            "custody snapshot failed; next round retries",
          );
        }
      }),
    );
    return results;
  }

  const loop = createServiceLoop(ctx.shutdown, {
    name: "custody-snapshots",
    intervalMs,
    run: writeAll,
    async onStop() {
      for (const pending of soon.values()) clearTimeout(pending);
      soon.clear();
      await Promise.all([...running.values()].map((run) => run.catch(() => undefined)));
    },
  });

  return {
    writeRegistry,
    writeAll,
    requestSoon(registry) {
      if (!loop.started || soon.has(registry)) return;
      soon.set(
        registry,
        setTimeout(() => {
          soon.delete(registry);
          writeRegistry(registry).catch((error: unknown) => {
            snapshotsTotal.inc({ registry, outcome: "failed" });
            log.warn(
              { registry, err: error instanceof Error ? error.message : String(error) },
              "custody snapshot failed; next round retries",
            );
          });
        }, debounceMs),
      );
    },
    start: loop.start,
    stop: loop.stop,
  };
}
