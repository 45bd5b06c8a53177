/**
 * Applying stored registry events. An event is a pointer, never a state: for the records and the memo it names,
 * the applier re-reads the registry's current word (`getBlock`, `findOperationByMemo`, through the guard) and
 * stores that. Whatever order events arrive in, each read is at least as new as every event stored before it,
 * so the last write of a row is the newest state of that record and reordering changes nothing.
 *
 * Writes, in one transaction with marking the events applied:
 * - the custody mirror (`mirror.ts`): blocks held by the custody account, blocks the mirror has in custody (the
 *   read may be their departure), and the blocks an operation from the custody account moved out (with that
 *   operation's memo). A block that has left is not followed further at its new holder;
 * - the registry's own word on a request (PENDING / CONFIRMED / REJECTED and its operation id) when a memo is a
 *   platform request id, through the requests module (`recordRegistryWords`, forward only).
 *
 * One drain per registry at a time across processes (the mirror lock, `withMirrorLock`, which the snapshot
 * writer's compose step also takes), so two appliers never interleave an older read after a newer write. A
 * registry that cannot answer (retryable error) stops the drain: the events stay unapplied and the next drain
 * (poll tick, next webhook) retries them.
 */
import type { Context } from "../context";
import { withTransaction } from "../db/transaction";
import { BaseError } from "../errors";
import type { RegistryGuard } from "../guard";
import type { RegistryName } from "../registries/ids";
import type { CreditBlock, RegistryOperation } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { recordRegistryWords } from "../requests/store";
import { type CoalescingRunner, createCoalescingRunner } from "../serviceLoop";
import { type UnappliedEvent, countUnapplied, markApplied, unappliedEvents } from "./events";
import { type MirrorWrite, knownHolders, upsertMirror, withMirrorLock } from "./mirror";

export type ChangeApplierOptions = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: Pick<RegistryGuard, "guardedCall">;
  /** The platform's custody account (the same name at every registry, `config.registries.custodyAccount`). */
  custodyAccount: string;
  /** Events re-read per transaction (default 200). */
  batchSize?: number;
};

export type DrainReturnType = { applied: number; mirrorRows: number; requests: number };

export type ChangeApplier = {
  /** Applies every stored, unapplied event of `registry`; concurrent calls share one run. */
  drain(registry: RegistryName): Promise<DrainReturnType>;
  /** Called after a drain that applied events. */
  onApplied(listener: (registry: RegistryName, result: DrainReturnType) => void): void;
};

const REQUEST_ID = /^0x[0-9a-fA-F]{64}$/;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createChangeApplier(
  ctx: Pick<Context, "db" | "logger" | "metrics">,
  options: ChangeApplierOptions,
): ChangeApplier {
  const { adapters, guard, custodyAccount } = options;
  const batchSize = options.batchSize ?? 200;
  const log = ctx.logger.child({ component: "registry-watchers" });
  const appliedTotal = ctx.metrics.counter({
    name: "registry_events_applied_total",
    help: "Registry events whose named records were re-read and stored",
    labelNames: ["registry"],
  });
  const unappliedGauge = ctx.metrics.gauge({
    name: "registry_events_unapplied",
    help: "Registry events stored but not applied yet (after the last drain)",
    labelNames: ["registry"],
  });
  const runners = new Map<RegistryName, CoalescingRunner<DrainReturnType>>();
  const listeners: Array<(registry: RegistryName, result: DrainReturnType) => void> = [];

  /** Reads through the guard; a non-retryable refusal is recorded against the events, a retryable one aborts. */
  async function read<T>(
    registry: RegistryName,
    what: string,
    errors: Map<string, string>,
    call: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await guard.guardedCall(registry, call);
    } catch (error) {
      if (!(error instanceof BaseError) || error.retryable) throw error;
      errors.set(what, messageOf(error));
      log.warn({ registry, what, err: messageOf(error) }, "registry refused a read for an event; the event is not retried");
      return undefined;
    }
  }

  async function applyBatch(registry: RegistryName, adapter: RegistryPort, events: UnappliedEvent[]) {
    const errors = new Map<string, string>();
    const operations: RegistryOperation[] = [];
    for (const memo of new Set(events.flatMap((event) => (event.memo === null ? [] : [event.memo])))) {
      const operation = await read(registry, `memo ${memo}`, errors, () => adapter.findOperationByMemo(memo));
      if (operation !== undefined) operations.push(operation);
    }
    // Units an operation from the custody account moved to another account: the blocks left, with its memo.
    const leftBy = new Map<string, string>();
    for (const op of operations) {
      if (
        op.status === "CONFIRMED" &&
        op.fromAccount === custodyAccount &&
        op.toAccount !== undefined &&
        op.toAccount !== custodyAccount
      ) {
        for (const id of op.resultRecordIds) leftBy.set(id, op.memo);
      }
    }
    const recordIds = new Set([
      ...events.flatMap((event) => event.recordIds),
      ...operations.flatMap((op) => [...op.resultRecordIds, ...(op.sourceRecordId === undefined ? [] : [op.sourceRecordId])]),
    ]);
    const blocks: CreditBlock[] = [];
    for (const id of recordIds) {
      const block = await read(registry, `record ${id}`, errors, () => adapter.getBlock(id));
      if (block !== undefined) blocks.push(block);
    }

    return withTransaction(ctx.db.pool, async (client) => {
      const known = await knownHolders(
        client,
        registry,
        custodyAccount,
        blocks.map((block) => block.registryRecordId),
      );
      const writes: MirrorWrite[] = blocks
        .filter((block) => {
          const id = block.registryRecordId;
          if (block.holderAccount === custodyAccount || leftBy.has(id)) return true;
          // A followed block is updated while the mirror has it in custody (this read may be its departure);
          // once it has left, what its new holder does with it is none of custody's business.
          return known.has(id) && (known.get(id) ?? custodyAccount) === custodyAccount;
        })
        .map((block) => ({ block, memo: leftBy.get(block.registryRecordId) }));
      const mirrorRows = await upsertMirror(client, registry, custodyAccount, writes);
      const requests = await recordRegistryWords(
        client,
        operations
          .filter((op) => REQUEST_ID.test(op.memo))
          .map((op) => ({ requestId: op.memo, status: op.status, reference: op.operationId })),
      );
      const eventErrors = new Map<string, string>();
      for (const event of events) {
        const failed = [...event.recordIds.map((id) => `record ${id}`), ...(event.memo === null ? [] : [`memo ${event.memo}`])]
          .filter((what) => errors.has(what))
          .map((what) => `${what}: ${errors.get(what)}`);
        if (failed.length > 0) eventErrors.set(event.eventId, failed.join("; "));
      }
      await markApplied(
        client,
        registry,
        events.map((event) => event.eventId),
        eventErrors,
      );
      return { mirrorRows, requests };
    });
  }

  async function drainOnce(registry: RegistryName): Promise<DrainReturnType> {
    const adapter = adapters[registry];
    if (adapter === undefined) throw new Error(`no adapter for registry ${registry}`);
    const result: DrainReturnType = { applied: 0, mirrorRows: 0, requests: 0 };
    // Held while the registry is read (see the module doc), so reads and writes of two drains never interleave.
    await withMirrorLock(ctx.db.pool, registry, async () => {
      for (;;) {
        const events = await unappliedEvents(ctx.db.pool, registry, batchSize);
        if (events.length === 0) break;
        const batch = await applyBatch(registry, adapter, events);
        result.applied += events.length;
        result.mirrorRows += batch.mirrorRows;
        result.requests += batch.requests;
        appliedTotal.inc({ registry }, events.length);
        if (events.length < batchSize) break;
      }
    });
    unappliedGauge.set({ registry }, await countUnapplied(ctx.db.pool, registry));
    return result;
  }

  /** Events stored after a running drain read its batch are picked up by one more pass (the coalescing runner). */
  function runnerOf(registry: RegistryName): CoalescingRunner<DrainReturnType> {
    let runner = runners.get(registry);
    if (runner === undefined) {
      runner = createCoalescingRunner({
        pass: () => drainOnce(registry),
        combine: (total, next) => ({
          applied: total.applied + next.applied,
          mirrorRows: total.mirrorRows + next.mirrorRows,
          requests: total.requests + next.requests,
        }),
      });
      runners.set(registry, runner);
    }
    return runner;
  }

  async function drain(registry: RegistryName): Promise<DrainReturnType> {
    const result = await runnerOf(registry).run();
    if (result.applied > 0) {
      log.debug({ registry, ...result }, "registry events applied");
      for (const listener of listeners) listener(registry, result);
    }
    return result;
  }

  return {
    drain,
    onApplied(listener) {
      listeners.push(listener);
    },
  };
}
