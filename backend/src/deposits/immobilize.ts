/**
 * The `immobilize` job handler: immobilizes an arrived deposit in the custody account, so its units cannot move
 * at the registry while tokens exist for them. Exactly one effective registry instruction, across crashes:
 *
 * 1. look the memo `immobilize:<intentId>` up at the registry FIRST (an earlier attempt may have been accepted
 *    and the process killed before the database recorded anything);
 * 2. only when no effective operation carries it (none, or only REJECTED ones, which changed nothing), submit
 *    `immobilize({ account: custody, recordId, quantity, memo })`;
 * 3. PENDING at the registry -> retryable error (the queue runs the job again later, back at step 1);
 *    CONFIRMED -> the intent becomes `immobilized`.
 *
 * A registry refusal other than "block busy" (e.g. the block went on hold) is recorded on the intent's
 * `status_detail` and dead-letters the job: an operator looks, and redrives it once the block can be immobilized.
 */
import type { Pool } from "pg";
import type { RegistryGuard } from "../guard/registryGuard";
import type { Job } from "../queue/jobs";
import type { JobHandler } from "../queue/worker";
import { RegistryRejectedError } from "../registries/errors";
import type { RegistryName } from "../registries/ids";
import type { RegistryOperation } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { immobilizeMemoOf } from "./intent";
import { getIntent, markImmobilized, setDetail } from "./store";
import { DepositError } from "./errors";

export type ImmobilizePayload = { intentId: string };

export type CreateImmobilizeHandlerParameters = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: Pick<RegistryGuard, "guardedCall">;
  custodyAccount: string;
  db: Pool;
  /** Delay before looking again at an operation the registry has not confirmed yet (default 5 s). */
  pendingRetryMs?: number | undefined;
};

function retryLater(message: string, code: string, retryAfterMs: number, cause?: unknown): DepositError {
  return new DepositError(message, { code, retryable: true, retryAfterMs, cause });
}

function fatal(message: string, code: string): DepositError {
  return new DepositError(message, { code, retryable: false });
}

/** The intent id of a job's payload; a malformed payload is a bug, never retried. */
function intentIdOf(job: Job): string {
  const intentId = (job.payload as Partial<ImmobilizePayload> | null)?.intentId;
  if (typeof intentId !== "string" || !/^0x[0-9a-f]{64}$/.test(intentId)) {
    throw fatal(`job ${job.key}: the payload names no intentId`, "DEPOSIT_BAD_PAYLOAD");
  }
  return intentId;
}

/** A handler for jobs of any payload (the registry workers take `Record<string, JobHandler>`); the payload is checked. */
export function createImmobilizeHandler(parameters: CreateImmobilizeHandlerParameters): JobHandler {
  const { adapters, guard, custodyAccount, db } = parameters;
  const pendingRetryMs = parameters.pendingRetryMs ?? 5_000;

  return async (job: Job) => {
    const intentId = intentIdOf(job);
    const intent = await getIntent(db, intentId);
    if (intent === undefined) throw fatal(`no deposit intent ${intentId}`, "DEPOSIT_INTENT_MISSING");
    if (intent.status === "immobilized" || intent.status === "minted") return;
    const { recordId, quantity } = intent;
    if (intent.status !== "arrived" || recordId === null || quantity === null) {
      throw fatal(`deposit intent ${intentId} is ${intent.status}, not arrived`, "DEPOSIT_INTENT_NOT_ARRIVED");
    }
    const registry = intent.registry as RegistryName;
    const adapter = adapters[registry];
    if (adapter === undefined) throw fatal(`no adapter for ${registry}`, "DEPOSIT_NO_ADAPTER");

    const memo = immobilizeMemoOf(intentId);
    let operation: RegistryOperation | undefined = await guard.guardedCall(registry, () => adapter.findOperationByMemo(memo));
    if (operation === undefined || operation.status === "REJECTED") {
      try {
        operation = await guard.guardedCall(registry, () =>
          adapter.immobilize({ account: custodyAccount, recordId, quantity, memo }),
        );
      } catch (error) {
        if (error instanceof RegistryRejectedError && error.status === 409) {
          throw retryLater(
            `record ${recordId} has another operation pending at ${registry}`,
            "DEPOSIT_BLOCK_BUSY",
            pendingRetryMs,
            error,
          );
        }
        if (error instanceof RegistryRejectedError) {
          await setDetail(db, intentId, "arrived", `immobilization refused by ${registry}: ${error.message}`);
        }
        throw error;
      }
    }
    const { operationId, status } = operation;
    if (status === "PENDING") {
      throw retryLater(
        `immobilization ${operationId} of ${intentId} is pending at ${registry}`,
        "DEPOSIT_IMMOBILIZATION_PENDING",
        pendingRetryMs,
      );
    }
    if (status === "REJECTED") {
      // Rejected at confirmation (e.g. a hold arrived in between): the next attempt looks and submits again.
      const reason = operation.rejectionReason ?? "no reason given";
      await setDetail(db, intentId, "arrived", `immobilization ${operationId} rejected by ${registry}: ${reason}`);
      throw retryLater(
        `immobilization ${operationId} of ${intentId} was rejected: ${reason}`,
        "DEPOSIT_IMMOBILIZATION_REJECTED",
        pendingRetryMs,
      );
    }
    await markImmobilized(db, intentId, operation.resultRecordIds.at(-1) ?? recordId);
  };
}
