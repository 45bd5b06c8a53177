/**
 * The chain indexer: platform logs into `chain_events` and the projections, from a `(blockNumber, blockHash)`
 * checkpoint, in bounded ranges, never past `head - confirmations`. Before each step it checks that the
 * checkpoint's hash is still canonical; when it is not, it walks back to the newest stored block that still is
 * and rolls back above it (`store.ts` explains the rebuild). A step's events, projections and checkpoint commit
 * in one transaction, so a crash anywhere resumes from the last checkpoint with nothing lost or doubled.
 *
 * No single input stops it for everyone: chain strings are stored escaped (`db/storable.ts`), and a poison event is
 * recorded in `indexer_poison_events`, counted in `indexer_poison_events_total` and logged at error level, then
 * skipped when its projection gates no money (`SKIPPABLE_EVENTS` in `projections.ts`) or else halts the indexer
 * before its block (`store.ts` says why). A halted indexer keeps watching the head: `indexer_lag_blocks` stays the
 * distance from `head - confirmations` to the last block fully projected (never 0 while stuck), `/health/ready`
 * names the halting event, and `indexer_stalled` turns 1 (with a readiness detail) once `stallPolls` polls in a row
 * found the indexer behind without moving its checkpoint.
 */
import { EventEmitter } from "node:events";
import type { Pool } from "pg";
import type { Hex, PublicClient } from "viem";
import type { Context } from "../context";
import { BaseError } from "../errors";
import { createSleeper } from "../sleep";
import { type ContractBook, contractBook, decodeLog } from "./decode";
import { IndexerError, IndexerPoisonError, type PoisonEvent, isTransientDbError } from "./errors";
import { type StoreStepParameters, readCheckpoint, recordPoison, rollback, storeStep, storedBlocks } from "./store";
import type { Deployment } from "../chain/deployment";
import type { ChainEvent, Checkpoint } from "./types";

export type IndexerStepResult =
  | { kind: "indexed"; fromBlock: bigint; toBlock: bigint; events: number }
  | { kind: "idle"; safeHead: bigint }
  | { kind: "reorg"; ancestor: Checkpoint | undefined; droppedEvents: number; rebuiltBatches: string[] };

export type IndexerNotification =
  | { type: "events"; fromBlock: bigint; toBlock: bigint; count: number; eventNames: string[] }
  | { type: "reorg"; ancestor: bigint | undefined; droppedEvents: number; rebuiltBatches: string[] };

export type CreateIndexerParameters = {
  client: PublicClient;
  deployment: Deployment;
  /** Blocks to stay behind the head (default `config.chain.confirmations`, else 1). */
  confirmations?: number;
  /** Most blocks per `eth_getLogs` (default 500). */
  maxBlockRange?: number;
  /** Wait between polls when caught up (default: the configured block time, else 1000 ms). */
  pollIntervalMs?: number;
  /** Checkpoint name (default `indexer:<chainId>`). */
  name?: string;
  /** Readiness fails above this lag behind `head - confirmations` (default 10 blocks). */
  maxLagBlocks?: number;
  /** Polls in a row behind without progress that count as a stall (default `config.indexer.stallPolls`, else 10). */
  stallPolls?: number;
};

export type IndexerContext = Pick<Context, "logger" | "metrics"> &
  Partial<Pick<Context, "readiness" | "shutdown" | "config">> & { db: { pool: Pool } };

export type Indexer = {
  /** One step: reorg check, then at most `maxBlockRange` blocks. */
  step(): Promise<IndexerStepResult>;
  /** Steps until caught up with `head - confirmations` (tests, start-up catch-up). */
  syncToHead(): Promise<void>;
  /** Polls in the background until `stop()`. */
  start(): void;
  stop(): Promise<void>;
  checkpoint(): Promise<Checkpoint | undefined>;
  /** `events` after each step that stored events, `reorg` after a rollback. */
  notifications: EventEmitter<{ events: [IndexerNotification]; reorg: [IndexerNotification] }>;
  /** The error that stopped the loop (non-retryable), if any. */
  readonly failure: unknown;
};

function classify(error: unknown, phase: "rpc" | "db"): IndexerError {
  if (error instanceof IndexerError) return error;
  if (error instanceof BaseError) {
    return new IndexerError(error.message, { code: error.code, retryable: error.retryable, cause: error });
  }
  const message = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
  if (phase === "rpc") return new IndexerError(`RPC: ${message}`, { code: "INDEXER_RPC", retryable: true, cause: error });
  const retryable = isTransientDbError(error);
  return new IndexerError(`database: ${message}`, { code: "INDEXER_DB", retryable, cause: error });
}

/** The indexer's metrics (get-or-create, so two indexers of one process share them). */
function indexerMetrics(metrics: Context["metrics"]) {
  const lagGauge = metrics.gauge({
    name: "indexer_lag_blocks",
    help: "Blocks between head - confirmations and the last block fully projected (kept up to date while halted)",
  });
  const stalledGauge = metrics.gauge({
    name: "indexer_stalled",
    help: "Whether the indexer has been behind without progress for stallPolls polls in a row (0/1)",
  });
  const poisonCounter = metrics.counter({
    name: "indexer_poison_events_total",
    help: "Events whose projection failed for good: skipped (gates no money) or halted the indexer",
    labelNames: ["event", "action"],
  });
  const lastGauge = metrics.gauge({ name: "indexer_last_indexed_block", help: "Last block whose events are indexed" });
  const headGauge = metrics.gauge({ name: "indexer_chain_head_block", help: "Chain head seen by the indexer" });
  const eventsCounter = metrics.counter({ name: "indexer_events_total", help: "Events stored", labelNames: ["event"] });
  const reorgCounter = metrics.counter({ name: "indexer_reorgs_total", help: "Reorgs handled (rollbacks)" });
  const unknownCounter = metrics.counter({
    name: "indexer_undecodable_logs_total",
    help: "Logs of platform addresses the ABIs cannot decode",
  });
  return { lagGauge, stalledGauge, poisonCounter, lastGauge, headGauge, eventsCounter, reorgCounter, unknownCounter };
}

export function createIndexer(ctx: IndexerContext, params: CreateIndexerParameters): Indexer {
  const { client, deployment } = params;
  const confirmations = BigInt(params.confirmations ?? ctx.config?.chain.confirmations ?? 1);
  const maxRange = BigInt(params.maxBlockRange ?? 500);
  // Poll once per block where blocks come on an interval (a new block is the only thing worth waking for).
  const blockTimeMs = ctx.config?.chain.blockTimeMs ?? 0;
  const pollIntervalMs = params.pollIntervalMs ?? (blockTimeMs > 0 ? Math.max(100, blockTimeMs) : 1000);
  const name = params.name ?? `indexer:${deployment.chainId}`;
  const maxLag = BigInt(params.maxLagBlocks ?? 10);
  const stallPolls = params.stallPolls ?? ctx.config?.indexer.stallPolls ?? 10;
  const deployBlock = BigInt(deployment.deployBlock);
  const pool = ctx.db.pool;
  const log = ctx.logger.child({ component: "indexer", checkpoint: name });
  const book: ContractBook = contractBook(deployment);
  const notifications = new EventEmitter<{ events: [IndexerNotification]; reorg: [IndexerNotification] }>();

  const { lagGauge, stalledGauge, poisonCounter, lastGauge, headGauge, eventsCounter, reorgCounter, unknownCounter } =
    indexerMetrics(ctx.metrics);

  let lag: bigint | undefined;
  let failure: unknown;
  /** The poison event that halted the indexer, for the readiness detail. */
  let halt: PoisonEvent | undefined;
  let stalledPolls = 0;
  /** `head - confirmations` minus the last fully projected block, as read by the current poll. */
  let behindAtPoll: bigint | undefined;
  let lastSuccessAt = 0;
  // A loop that keeps failing (node or database down) is not ready even if its last known lag was small.
  const staleAfterMs = Math.max(30_000, pollIntervalMs * 10);

  async function rpc<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw classify(error, "rpc");
    }
  }

  async function db<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw classify(error, "db");
    }
  }

  /** Hash of block `n` on the node's canonical chain, undefined when the chain is shorter. */
  async function canonicalHash(n: bigint): Promise<Hex | undefined> {
    try {
      return (await client.getBlock({ blockNumber: n, includeTransactions: false })).hash ?? undefined;
    } catch (error) {
      if ((error as { name?: string }).name === "BlockNotFoundError") return undefined;
      throw classify(error, "rpc");
    }
  }

  async function handleReorg(stale: Checkpoint): Promise<IndexerStepResult> {
    let ancestor: Checkpoint | undefined;
    let below = stale.blockNumber;
    search: for (;;) {
      const candidates = await db(() => storedBlocks(pool, below, 100));
      if (candidates.length === 0) break;
      for (const candidate of candidates) {
        if ((await canonicalHash(candidate.blockNumber)) === candidate.blockHash) {
          ancestor = candidate;
          break search;
        }
        below = candidate.blockNumber;
      }
    }
    // No stored block survived: keep nothing, restart from the deployment (its parent is the implicit ancestor).
    const result = await db(() => rollback(pool, { name, expected: stale, ancestor }));
    reorgCounter.inc();
    log.warn(
      { staleBlock: stale.blockNumber.toString(), ancestor: ancestor?.blockNumber.toString() ?? "none", ...result },
      "reorg: rolled back to the common ancestor",
    );
    notifications.emit("reorg", {
      type: "reorg",
      ancestor: ancestor?.blockNumber,
      droppedEvents: result.droppedEvents,
      rebuiltBatches: result.rebuiltBatches,
    });
    return { kind: "reorg", ancestor, ...result };
  }

  /** Reads head and checkpoint and sets the lag metrics; every poll does this first, halted or not. */
  async function observe(): Promise<{ safeHead: bigint; cp: Checkpoint | undefined; from: bigint }> {
    const head = await rpc(() => client.getBlockNumber({ cacheTime: 0 }));
    headGauge.set(Number(head));
    const safeHead = head - confirmations;
    const cp = await db(() => readCheckpoint(pool, name));
    const from = cp === undefined ? deployBlock : cp.blockNumber + 1n;
    const last = from - 1n;
    lastGauge.set(Number(last));
    behindAtPoll = safeHead > last ? safeHead - last : 0n;
    lag = behindAtPoll;
    lagGauge.set(Number(behindAtPoll));
    return { safeHead, cp, from };
  }

  /** Counts polls that were behind and did not move the checkpoint (`indexer_stalled`). */
  function notePoll(progressed: boolean): void {
    if (progressed || behindAtPoll === 0n) stalledPolls = 0;
    else if (behindAtPoll !== undefined) stalledPolls++;
    stalledGauge.set(stalledPolls >= stallPolls ? 1 : 0);
  }

  async function step(): Promise<IndexerStepResult> {
    behindAtPoll = undefined;
    try {
      const result = await stepOnce();
      notePoll(result.kind !== "idle");
      return result;
    } catch (error) {
      notePoll(false);
      throw error;
    }
  }

  async function stepOnce(): Promise<IndexerStepResult> {
    const { safeHead, cp, from } = await observe();
    if (cp !== undefined && (await canonicalHash(cp.blockNumber)) !== cp.blockHash) return handleReorg(cp);
    if (from > safeHead) {
      lastSuccessAt = Date.now();
      lag = 0n;
      lagGauge.set(0);
      return { kind: "idle", safeHead };
    }
    const to = safeHead < from + maxRange - 1n ? safeHead : from + maxRange - 1n;
    const { events, next } = await readRange(cp, from, to);
    const { inserted, names, skipped } = await db(() => storeStepOrHalt({ name, expected: cp, next, events }));
    for (const eventName of names) eventsCounter.inc({ event: eventName });
    for (const poison of skipped) {
      poisonCounter.inc({ event: poison.eventName, action: "skipped" });
      log.error({ poison }, "poison event recorded and skipped (its projection gates no money)");
    }
    lastGauge.set(Number(to));
    lastSuccessAt = Date.now();
    lag = safeHead - to;
    lagGauge.set(Number(lag));
    if (inserted > 0) {
      notifications.emit("events", {
        type: "events",
        fromBlock: from,
        toBlock: to,
        count: inserted,
        eventNames: [...new Set(names)],
      });
    }
    log.debug({ from: from.toString(), to: to.toString(), events: inserted }, "indexed");
    return { kind: "indexed", fromBlock: from, toBlock: to, events: inserted };
  }

  /** Decoded events of blocks `from`..`to`, ordered, and the checkpoint `to` becomes; refuses a range that moved. */
  async function readRange(cp: Checkpoint | undefined, from: bigint, to: bigint) {
    const before = await rpc(() => client.getBlock({ blockNumber: to }));
    const logs = await rpc(() => client.getLogs({ address: book.addresses, fromBlock: from, toBlock: to }));
    const first = from === to ? before : await rpc(() => client.getBlock({ blockNumber: from }));
    const after = await rpc(() => client.getBlock({ blockNumber: to }));
    // The range must be one chain from the checkpoint to `to`, unchanged while the logs were read.
    if (before.hash !== after.hash || (cp !== undefined && first.parentHash !== cp.blockHash)) {
      throw new IndexerError(`chain changed while reading blocks ${from}-${to}`, { code: "INDEXER_REORG_RACE", retryable: true });
    }
    const events: ChainEvent[] = [];
    for (const raw of logs) {
      const event = decodeLog(book, raw);
      if (event === undefined) unknownCounter.inc();
      else events.push(event);
    }
    events.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
    if (after.hash === null) throw new IndexerError(`block ${to} has no hash`, { code: "INDEXER_RPC", retryable: true });
    return { events, next: { blockNumber: to, blockHash: after.hash } };
  }

  /** `storeStep`; a halting poison event is recorded after its step rolled back, counted, logged and rethrown. */
  async function storeStepOrHalt(stepParams: StoreStepParameters) {
    try {
      return await storeStep(pool, stepParams);
    } catch (error) {
      if (!(error instanceof IndexerPoisonError)) throw error;
      const poison = error.details as PoisonEvent;
      await recordPoison(pool, poison, "halted");
      poisonCounter.inc({ event: poison.eventName, action: "halted" });
      halt = poison;
      log.error({ poison }, "poison event recorded; indexer halted before its block (its projection gates money)");
      throw error;
    }
  }

  let running = false;
  let loop: Promise<void> | undefined;
  const sleeper = createSleeper();

  async function run(): Promise<void> {
    let backoffMs = pollIntervalMs;
    while (running) {
      try {
        const result = await step();
        backoffMs = pollIntervalMs;
        if (result.kind === "idle") await sleeper.sleep(pollIntervalMs);
      } catch (error) {
        const classified = classify(error, "db");
        if (!classified.retryable) {
          failure = classified;
          log.error({ err: classified }, "indexer stopped: error a retry cannot fix; watching the head only");
          await watchHalted();
          return;
        }
        log.warn({ err: classified, retryInMs: backoffMs }, "indexer step failed, retrying");
        await sleeper.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  }

  /** After a halt: no more steps, but lag and stall stay true until `stop()`. */
  async function watchHalted(): Promise<void> {
    while (running) {
      behindAtPoll = undefined;
      try {
        await observe();
      } catch (error) {
        log.warn({ err: classify(error, "db") }, "halted indexer could not read head or checkpoint");
      }
      notePoll(false);
      await sleeper.sleep(pollIntervalMs);
    }
  }

  const indexer: Indexer = {
    step,
    async syncToHead() {
      for (;;) {
        const result = await step();
        if (result.kind === "idle") return;
      }
    },
    start() {
      if (running) return;
      running = true;
      failure = undefined;
      halt = undefined;
      loop = run();
    },
    async stop() {
      running = false;
      sleeper.wake();
      await loop;
      loop = undefined;
    },
    checkpoint: () => readCheckpoint(pool, name),
    notifications,
    get failure() {
      return failure;
    },
  };

  ctx.shutdown?.register("services", "indexer", () => indexer.stop());
  ctx.readiness?.register(
    "indexer_lag",
    async () => {
      const behind = lag === undefined ? "" : `, ${lag} blocks behind`;
      if (halt !== undefined) {
        return {
          ok: false,
          detail:
            `projection halted at poison event ${halt.eventName} (block ${halt.blockNumber}, tx ${halt.txHash}, log ` +
            `${halt.logIndex}; see indexer_poison_events)${behind}`,
        };
      }
      if (failure !== undefined) return { ok: false, detail: `indexer stopped on an error${behind}` };
      if (lag === undefined) return { ok: false, detail: "no step completed yet" };
      if (stalledPolls >= stallPolls) return { ok: false, detail: `stalled: no progress for ${stalledPolls} polls${behind}` };
      if (running && Date.now() - lastSuccessAt > staleAfterMs) {
        return { ok: false, detail: `no successful step for ${Math.round((Date.now() - lastSuccessAt) / 1000)} s` };
      }
      return lag > maxLag ? { ok: false, detail: `${lag} blocks behind` } : undefined;
    },
    { timeoutMs: 1000 },
  );
  return indexer;
}
