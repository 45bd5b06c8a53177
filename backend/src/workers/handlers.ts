/**
 * The `retire` and `withdraw` job handlers: one registry instruction per on-chain request, carrying the request
 * id as memo, sent from the platform's custody account (docs/workers.md).
 *
 * One attempt:
 *   1. read the request (with its batch); answered on chain already (`chain_status` not pending) -> done;
 *   2. `findOperationByMemo(requestId)`: the registry has an operation for it (an earlier attempt got through,
 *      whatever happened to the process afterwards) -> record it, done;
 *   3. choose a custody block (custody.ts) and send `retire` / `transfer` with memo = request id;
 *   4. record it through the requests module (`recordSubmission`: `submitted`, the registry's word forward only).
 * Every registry call goes through `guard.guardedCall`. A 429 inside an attempt is waited out (the guard already
 * blocked the shared bucket for every process) instead of spending an attempt on it.
 *
 * Errors: 409 (another operation pending on the block) is retried after a short backoff. Another refusal of a
 * block that still fits (read back from the registry) dead-letters the job with the registry's message: the
 * request waits for an operator and its units stay locked on chain (only an oracle-attested registry rejection
 * releases them). A refusal of a block that changed under us (a stale view, another process used it) is retried
 * with a fresh listing.
 */
import type { Logger } from "../logger";
import { registryAccountFromBytes32 } from "../chain/registryAccount";
import type { RegistryGuard } from "../guard/registryGuard";
import type { Queryable } from "../db/queryable";
import { type Job, renewLease } from "../queue/jobs";
import type { JobHandler } from "../queue/worker";
import { RegistryRateLimitedError, RegistryRejectedError } from "../registries/errors";
import type { RegistryName } from "../registries/ids";
import type { CreditBlock, RegistryOperation } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { type RequestRow, getRequest, recordSubmission } from "../requests/store";
import { type CustodyHoldings, chooseBlock, createCustodyHoldings } from "./custody";
import { BlockBusyError, RequestJobError, StaleBlockError } from "./errors";

export type RequestJobPayload = { requestId: string };

export type CreateRequestHandlersParameters = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: RegistryGuard;
  custodyAccount: string;
  db: Queryable;
  /** Reuse a custody listing this long, default 10 s. */
  holdingsMaxAgeMs?: number;
  /**
   * The queue worker's lease length, default 30 s. Right before each submission the attempt renews its lease for
   * this long and gives up if it no longer holds it, so no other attempt can start while the submission is in
   * flight (keep the guard's call timeout well below it).
   */
  leaseMs?: number;
  /** Backoff after a 409 BLOCK_BUSY, default 500 ms. */
  busyRetryMs?: number;
  /** 429s waited out inside one attempt before it gives up (retryable), default 20. */
  maxRateLimitedRetries?: number;
  /** Stale-block retries inside one attempt, default 3. */
  maxStaleRetries?: number;
  /**
   * Guarded calls in flight per registry in this process, default 4. Jobs beyond it queue here, in memory,
   * instead of each polling the shared bucket row: with many jobs per process, the pollers (not the registry)
   * become the bottleneck. A few slots per process keep the bucket saturated.
   */
  callSlots?: number;
  logger?: Logger;
};

export type RequestHandlers = {
  retire: JobHandler<RequestJobPayload>;
  withdraw: JobHandler<RequestJobPayload>;
};

export function createRequestHandlers(parameters: CreateRequestHandlersParameters): RequestHandlers {
  const { adapters, guard, custodyAccount, db } = parameters;
  const busyRetryMs = parameters.busyRetryMs ?? 500;
  const maxRateLimited = parameters.maxRateLimitedRetries ?? 20;
  const maxStale = parameters.maxStaleRetries ?? 3;
  const logger = parameters.logger?.child({ component: "registry-worker" });
  const slots = new Map<RegistryName, Semaphore>();

  async function call<T>(registry: RegistryName, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let semaphore = slots.get(registry);
    if (semaphore === undefined) slots.set(registry, (semaphore = createSemaphore(parameters.callSlots ?? 8)));
    const release = await semaphore.acquire();
    try {
      for (let retries = 0; ; retries++) {
        try {
          return await guard.guardedCall(registry, fn);
        } catch (error) {
          // The guard has blocked the shared bucket for the Retry-After: the next guardedCall sleeps it out.
          if (error instanceof RegistryRateLimitedError && retries < maxRateLimited) continue;
          throw error;
        }
      }
    } finally {
      release();
    }
  }

  function adapterOf(registry: RegistryName): RegistryPort {
    const adapter = adapters[registry];
    if (adapter === undefined) {
      throw new RequestJobError(`no adapter configured for registry ${registry}`, "WORKER_NO_ADAPTER", { registry });
    }
    return adapter;
  }

  const holdings: CustodyHoldings = createCustodyHoldings({
    maxAgeMs: parameters.holdingsMaxAgeMs,
    list: async (registry) => (await call(registry, () => adapterOf(registry).listHoldings({ account: custodyAccount }))).blocks,
  });

  async function loadRequest(requestId: string): Promise<RequestRow> {
    const row = await getRequest(db, requestId);
    if (row === undefined)
      throw new RequestJobError(`request ${requestId} is not in the index`, "WORKER_REQUEST_MISSING", { requestId });
    return row;
  }

  /** The instruction for the request, sent on `block`. */
  function send(request: RequestRow, registry: RegistryName, block: CreditBlock): Promise<RegistryOperation> {
    const adapter = adapterOf(registry);
    const quantity = BigInt(request.amount);
    if (request.kind === "retirement") {
      const details = request.retirement ?? {};
      return call(registry, () =>
        adapter.retire({
          account: custodyAccount,
          recordId: block.registryRecordId,
          quantity,
          memo: request.request_id,
          beneficiary: typeof details.beneficiary === "string" && details.beneficiary !== "" ? details.beneficiary : undefined,
          reason: typeof details.reason === "string" && details.reason !== "" ? details.reason : undefined,
        }),
      );
    }
    const toAccount = registryAccountFromBytes32(request.destination_account as `0x${string}`);
    return call(registry, () =>
      adapter.transfer({
        fromAccount: custodyAccount,
        toAccount,
        recordId: block.registryRecordId,
        quantity,
        memo: request.request_id,
      }),
    );
  }

  /** After a refusal: does the block still fit as chosen? (Read back from the registry.) */
  async function stillFits(registry: RegistryName, block: CreditBlock, amount: bigint): Promise<boolean> {
    const now = await call(registry, () => adapterOf(registry).getBlock(block.registryRecordId));
    return (
      now !== undefined &&
      (now.status === "IMMOBILIZED" || now.status === "ACTIVE") &&
      (now.holderAccount === undefined || now.holderAccount === custodyAccount) &&
      now.quantity >= amount
    );
  }

  /** Chooses a block and sends the instruction; returns the registry's operation. */
  async function submit(job: Job<RequestJobPayload>, request: RequestRow, registry: RegistryName): Promise<RegistryOperation> {
    const amount = BigInt(request.amount);
    let refresh = false;
    for (let stale = 0; ; stale++) {
      let snapshot = await holdings.get(registry, { refresh });
      let choice = chooseBlock(snapshot.blocks, request.serial_prefix, amount, holdings.reserved(registry));
      if (choice.block === undefined && !snapshot.fresh) {
        snapshot = await holdings.get(registry, { refresh: true });
        choice = chooseBlock(snapshot.blocks, request.serial_prefix, amount, holdings.reserved(registry));
      }
      const block = choice.block;
      if (block === undefined) {
        const largest = choice.largest;
        throw new RequestJobError(
          `no custody block of batch ${request.serial_prefix} at ${registry} holds ${amount} units for request ` +
            `${request.request_id}; the largest is ` +
              `${largest === undefined ? "none" : `${largest.registryRecordId} with ${largest.quantity} units`} ` +
            "(one request is served from one registry block)",
          "WORKER_NO_CUSTODY_BLOCK",
          { registry, serialPrefix: request.serial_prefix, amount: amount.toString(), largest: largest?.quantity.toString() },
        );
      }
      const release = holdings.reserve(registry, block.registryRecordId, amount);
      try {
        await renewLease(db, job, parameters.leaseMs ?? 30_000);
        const operation = await send(request, registry, block);
        holdings.consumed(registry, block.registryRecordId, amount);
        return operation;
      } catch (error) {
        if (!(error instanceof RegistryRejectedError)) throw error;
        if (error.status === 409) {
          throw new BlockBusyError(`${registry} block ${block.registryRecordId} is busy: ${error.message}`, busyRetryMs, {
            registry,
            recordId: block.registryRecordId,
          });
        }
        if (stale < maxStale && !(await stillFits(registry, block, amount))) {
          logger?.info(
            { registry, recordId: block.registryRecordId, requestId: request.request_id },
            "custody block changed: listing again",
          );
          refresh = true;
          // Refused, so nothing was accepted; still, look the memo up again before naming another block.
          const existing = await call(registry, () => adapterOf(registry).findOperationByMemo(request.request_id));
          if (existing !== undefined) return existing;
          continue;
        }
        if (stale >= maxStale) throw new StaleBlockError(`custody blocks kept changing under request ${request.request_id}`);
        throw new RequestJobError(
          `${registry} refused the ${request.kind} of ${amount} units for request ${request.request_id} from block ` +
            `${block.registryRecordId}: ${error.message}. The request waits for an operator; its units stay locked on ` +
            "chain until an oracle-attested rejection",
          "WORKER_REGISTRY_REFUSED",
          { registry, recordId: block.registryRecordId, status: error.status },
        );
      } finally {
        release();
      }
    }
  }

  function handlerFor(kind: "retirement" | "withdrawal"): JobHandler<RequestJobPayload> {
    return async (job: Job<RequestJobPayload>) => {
      const requestId = job.payload.requestId;
      const request = await loadRequest(requestId);
      if (request.kind !== kind) {
        throw new RequestJobError(
          `job ${job.id} of kind ${job.kind} names ${request.kind} request ${requestId}`,
          "WORKER_KIND_MISMATCH",
        );
      }
      if (request.chain_status !== "pending") {
        logger?.info({ requestId, chainStatus: request.chain_status }, "request already answered on chain: nothing to send");
        return;
      }
      const registry = request.registry_id as RegistryName;
      const adapter = adapterOf(registry);
      // Exactly one effective instruction: whatever an earlier attempt did, the registry's memo index says it.
      const existing = await call(registry, () => adapter.findOperationByMemo(requestId));
      const operation = existing ?? (await submit(job, request, registry));
      await recordSubmission(db, { requestId, status: operation.status, reference: operation.operationId });
      logger?.info(
        { requestId, registry, operationId: operation.operationId, status: operation.status, found: existing !== undefined },
        existing === undefined ? "registry instruction sent" : "registry already had the instruction: recorded",
      );
    };
  }

  return { retire: handlerFor("retirement"), withdraw: handlerFor("withdrawal") };
}

type Semaphore = { acquire(): Promise<() => void> };

/** At most `size` holders at once; the others wait in arrival order. */
function createSemaphore(size: number): Semaphore {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) free += 1;
    else next();
  };
  return {
    acquire() {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiting.push(() => resolve(release)));
    },
  };
}
