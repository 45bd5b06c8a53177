/**
 * The deposit arrival watcher: every `intervalMs` it walks the open deposit intents.
 *
 * - `awaiting_transfer`: looks the intent id up as a memo at the registry (through the guard). A confirmed
 *   transfer into custody whose block passes `judgeArrival` becomes `arrived` (range claimed in `deposits`, one
 *   `immobilize` job enqueued, all in one transaction); a block that fails it, or whose exact range the bridge
 *   already minted (with `chain`), becomes `rejected` with the reason (it stays in custody at the registry: an
 *   operator returns it, see docs/deposits.md). Nothing confirmed by
 *   `expires_at` -> `expired`; a transfer still pending at the registry keeps the intent waiting.
 * - `arrived` / `immobilized`: once the indexer shows the deposit minted (DepositConfirmed with depositId = intent
 *   id) -> `minted` with the transaction hash.
 *
 * Runs never overlap; every transition is conditional on the status it leaves, so several watcher processes
 * apply each once. A registry error skips that intent until the next run.
 */
import { blockKeyOf } from "../chain/attestations";
import type { Context } from "../context";
import { createServicePasses } from "../serviceLoop";
import type { RegistryGuard } from "../guard/registryGuard";
import type { RegistryName } from "../registries/ids";
import type { RegistryOperation } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { judgeArrival, transferState } from "./arrival";
import { findMint } from "./claims";
import { type Arrival, type DepositIntent, markArrived, markMinted, openIntents, setDetail, setStatus } from "./store";

export type DepositWatcherOptions = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: Pick<RegistryGuard, "guardedCall">;
  /** The platform's custody account (config.registries.custodyAccount). */
  custodyAccount: string;
  /** Pause between the end of one run and the start of the next, default 10 s. */
  intervalMs?: number | undefined;
  /**
   * The bridge, read directly (e.g. the oracle's `createChainReader`): an arrived range whose block key the bridge
   * already minted is rejected even when the index has not caught up. Without it only `deposits` is consulted.
   */
  chain?: { isBlockDeposited(batchId: bigint, blockStart: bigint, blockEnd: bigint): Promise<boolean> } | undefined;
  /** Most intents looked at per run, oldest first (default 1,000). */
  batchSize?: number | undefined;
  now?: () => Date;
};

export type DepositWatcherRun = {
  arrived: number;
  rejected: number;
  expired: number;
  minted: number;
  errors: number;
};

export type DepositWatcher = {
  /** One pass now (waits for a pass in progress first). */
  runOnce(): Promise<DepositWatcherRun>;
  start(): void;
  stop(): Promise<void>;
};

type Outcome = keyof Omit<DepositWatcherRun, "errors"> | "unchanged";

export function createDepositWatcher(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "shutdown">,
  options: DepositWatcherOptions,
): DepositWatcher {
  const pool = ctx.db.pool;
  const { adapters, guard, custodyAccount } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const batchSize = options.batchSize ?? 1_000;
  const now = options.now ?? (() => new Date());
  const log = ctx.logger.child({ component: "deposit-watcher" });
  const transitions = ctx.metrics.counter({
    name: "deposit_intent_transitions_total",
    help: "Deposit intents moved by the arrival watcher, by new status",
    labelNames: ["status"],
  });

  /** `awaiting_transfer` -> `to` with `detail`; "unchanged" when another watcher moved the intent first. */
  async function finish(intent: DepositIntent, to: "rejected" | "expired", detail: string): Promise<Outcome> {
    return (await setStatus(pool, intent.intentId, "awaiting_transfer", to, detail)) ? to : "unchanged";
  }

  async function awaiting(intent: DepositIntent): Promise<Outcome> {
    const registry = intent.registry as RegistryName;
    const adapter = adapters[registry];
    if (adapter === undefined) return expireIfDue(intent, undefined, `no adapter for ${registry} is configured`);
    const operation = await guard.guardedCall(registry, () => adapter.findOperationByMemo(intent.intentId));
    const transfer = transferState(operation, custodyAccount);
    if (transfer.kind === "waiting") return expireIfDue(intent, operation, transfer.detail);
    const block = await guard.guardedCall(registry, () => adapter.getBlock(transfer.recordId));
    const decision = judgeArrival(intent, block, transfer.recordId, custodyAccount);
    if (decision.kind === "rejected") return finish(intent, "rejected", decision.detail);
    const onChain = await depositedOnChain(decision.arrival);
    if (onChain !== undefined) return finish(intent, "rejected", onChain);
    const marked = await markArrived(pool, intent, decision.arrival);
    if (marked.outcome === "already_tokenized") return finish(intent, "rejected", marked.detail);
    return marked.outcome === "arrived" ? "arrived" : "unchanged";
  }

  /**
   * Nothing confirmed in custody yet: past `expires_at` the intent expires, unless the holder's transfer is pending
   * at the registry (they acted in time; the registry is slow). Before that, `detail` says what it waits for.
   */
  async function expireIfDue(
    intent: DepositIntent,
    operation: RegistryOperation | undefined,
    detail: string | null,
  ): Promise<Outcome> {
    const pending = operation?.status === "PENDING" && operation.kind === "TRANSFER" && operation.toAccount === custodyAccount;
    if (now() >= intent.expiresAt && !pending) {
      const why = `nothing arrived in ${custodyAccount} with memo ${intent.intentId} before ${intent.expiresAt.toISOString()}`;
      return finish(intent, "expired", detail === null ? why : `${why}; ${detail}`);
    }
    if (detail !== null) await setDetail(pool, intent.intentId, "awaiting_transfer", detail);
    return "unchanged";
  }

  /** Why the bridge says this exact range is already tokenized, or undefined (also without a chain reader). */
  async function depositedOnChain(arrival: Arrival): Promise<string | undefined> {
    if (options.chain === undefined) return undefined;
    if (!(await options.chain.isBlockDeposited(arrival.batchId, arrival.blockStart, arrival.blockEnd))) return undefined;
    const blockKey = blockKeyOf(arrival.batchId, arrival.blockStart, arrival.blockEnd);
    return `already tokenized on chain: units ` +
      `${arrival.blockStart}-${arrival.blockEnd} (block key ${blockKey}) are deposited on the bridge`;
  }

  async function step(intent: DepositIntent): Promise<Outcome> {
    if (intent.status === "awaiting_transfer") return awaiting(intent);
    const txHash = await findMint(pool, intent.intentId);
    if (txHash === undefined) return "unchanged";
    return (await markMinted(pool, intent.intentId, txHash)) ? "minted" : "unchanged";
  }

  async function execute(): Promise<DepositWatcherRun> {
    const run: DepositWatcherRun = {
      arrived: 0,
      rejected: 0,
      expired: 0,
      minted: 0,
      errors: 0,
    };
    for (const intent of await openIntents(pool, batchSize)) {
      try {
        const outcome = await step(intent);
        if (outcome === "unchanged") continue;
        run[outcome] += 1;
        transitions.inc({ status: outcome });
        log.info(
          {
            intentId: intent.intentId,
            registry: intent.registry,
            status: outcome,
          },
          `deposit intent ${outcome}`,
        );
      } catch (error) {
        run.errors += 1;
        log.warn(
          { err: error, intentId: intent.intentId, registry: intent.registry },
          "deposit intent check failed; retried next run",
        );
      }
    }
    return run;
  }

  return createServicePasses(ctx.shutdown, {
    name: "deposit-watcher",
    intervalMs,
    pass: execute,
    onError: (error) => log.error({ err: error }, "deposit watcher run failed"),
  });
}
