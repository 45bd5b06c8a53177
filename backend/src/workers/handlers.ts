/**
 * The `retire` and `withdraw` job handlers: one registry instruction per on-chain request, carrying the request
 * id as memo, sent from the platform's custody account (docs/workers.md).
 *
 * One attempt:
 *   1. read the request (with its batch); answered on chain already (`chain_status` not pending) -> done;
 *   2. `findOperationByMemo(requestId)`: the registry has an operation for it (an earlier attempt got through,
 *      whatever happened to the process afterwards) -> record it, done;
 *   3. choose a custody block (custody.ts) and send `retire` / `transfer` with memo = request id;
 *   4. record in `requests`: status `submitted` (only from `requested`), `registry_status`, `registry_reference`.
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
import { BaseError } from "../errors";
import type { RegistryGuard } from "../guard/registry-guard";
import type { Job, Queryable } from "../queue/jobs";
import type { JobHandler } from "../queue/worker";
import { RegistryRateLimitedError, RegistryRejectedError } from "../registries/errors";
import type { RegistryName } from "../registries/ids";
import type { CreditBlock, RegistryOperation } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { type CustodyHoldings, chooseBlock, createCustodyHoldings } from "./custody";

export type RequestJobPayload = { requestId: string };

/** A job the worker cannot do as asked; not retried (dead letter, operator). */
export class RequestJobError extends BaseError {
  override name = "RequestJobError";
  constructor(message: string, code: string, details?: Record<string, unknown>) {
    super(message, { code, retryable: false, details });
  }
}

/** 409: the registry has another operation pending on the block. Retried after a short backoff. */
export class BlockBusyError extends BaseError {
  override name = "BlockBusyError";
  constructor(message: string, retryAfterMs: number, details?: Record<string, unknown>) {
    super(message, { code: "REGISTRY_BLOCK_BUSY", retryable: true, retryAfterMs, details });
  }
}

/** The view of the custody account was stale (the block changed under us): retried at once with a fresh listing. */
class StaleBlockError extends BaseError {
  override name = "StaleBlockError";
  constructor(message: string) {
    super(message, { code: "WORKER_STALE_BLOCK", retryable: true, retryAfterMs: 0 });
  }
}

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

type RequestRow = {
  request_id: string;
  kind: "retirement" | "withdrawal";
  amount: string;
  status: string;
  chain_status: string;
  destination_account: string | null;
  retirement: { beneficiary?: unknown; reason?: unknown } | null;
  registry_id: string;
  serial_prefix: string;
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
    const { rows } = await db.query<RequestRow>(
      `SELECT r.request_id, r.kind, r.amount::text AS amount, r.status, r.chain_status, r.destination_account,
              r.retirement, b.registry_id, b.serial_prefix
         FROM requests r JOIN batches b ON b.batch_id = r.batch_id
        WHERE r.request_id = $1`,
      [requestId],
    );
    const row = rows[0];
    if (row === undefined) throw new RequestJobError(`request ${requestId} is not in the index`, "WORKER_REQUEST_MISSING", { requestId });
    return row;
  }

  /** Renews this attempt's lease for a full `leaseMs`; throws (retryable) when another attempt holds the job now. */
  async function holdLease(job: Job<RequestJobPayload>): Promise<void> {
    const { rowCount } = await db.query(
      `UPDATE jobs SET locked_until = greatest(locked_until, now() + $4 * interval '1 millisecond')
        WHERE id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'running' AND locked_until > now()`,
      [job.id, job.lockedBy, job.attempts, parameters.leaseMs ?? 30_000],
    );
    if (rowCount !== 1) {
      throw new BaseError(`job ${job.id} lost its lease before submitting: another attempt owns it`, {
        code: "WORKER_LEASE_LOST",
        retryable: true,
      });
    }
  }

  async function record(requestId: string, operation: RegistryOperation): Promise<void> {
    await db.query(
      `UPDATE requests
          SET status = CASE WHEN status = 'requested' THEN 'submitted'::request_status ELSE status END,
              -- The watchers may already hold the registry's final word (CONFIRMED / REJECTED): never move it back.
              registry_status = CASE WHEN registry_status IN ('CONFIRMED', 'REJECTED') THEN registry_status ELSE $2 END,
              registry_reference = coalesce(registry_reference, $3), updated_at = now()
        WHERE request_id = $1`,
      [requestId, operation.status, operation.operationId],
    );
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
      adapter.transfer({ fromAccount: custodyAccount, toAccount, recordId: block.registryRecordId, quantity, memo: request.request_id }),
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
            `${request.request_id}; the largest is ${largest === undefined ? "none" : `${largest.registryRecordId} with ${largest.quantity} units`} ` +
            "(one request is served from one registry block)",
          "WORKER_NO_CUSTODY_BLOCK",
          { registry, serialPrefix: request.serial_prefix, amount: amount.toString(), largest: largest?.quantity.toString() },
        );
      }
      const release = holdings.reserve(registry, block.registryRecordId, amount);
      try {
        await holdLease(job);
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
          logger?.info({ registry, recordId: block.registryRecordId, requestId: request.request_id }, "custody block changed: listing again");
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
        throw new RequestJobError(`job ${job.id} of kind ${job.kind} names ${request.kind} request ${requestId}`, "WORKER_KIND_MISMATCH");
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
      await record(requestId, operation);
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
