import { isDatabaseUnavailable } from "../db/errors";
import { BaseError } from "../errors";

/** The indexer's loop failed; `retryable` says whether the next step can succeed (node or database back). */
export class IndexerError extends BaseError {
  override name = "IndexerError";
}

/** An event the projections cannot apply (a missing argument, a balance that would go negative). Not retryable. */
export class IndexerProjectionError extends BaseError {
  override name = "IndexerProjectionError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "INDEXER_PROJECTION", retryable: false, details });
  }
}

/** Another writer moved the checkpoint during a step (a second indexer process): the step is retried from it. */
export class CheckpointMovedError extends BaseError {
  override name = "CheckpointMovedError";
  constructor(message: string) {
    super(message, { code: "INDEXER_CHECKPOINT_MOVED", retryable: true });
  }
}

/**
 * An event whose projection failed for a reason a retry cannot fix and that gates money (`projections.ts`,
 * `SKIPPABLE_EVENTS`): the indexer records it in `indexer_poison_events` and stops before its block.
 */
export class IndexerPoisonError extends BaseError {
  override name = "IndexerPoisonError";
  constructor(message: string, details: PoisonEvent & { cause: unknown }) {
    const { cause, ...rest } = details;
    super(message, { code: "INDEXER_POISON_EVENT", retryable: false, details: rest, cause });
  }
}

/** Where a poison event sits and why it failed, as recorded in `indexer_poison_events`. */
export type PoisonEvent = {
  blockNumber: string;
  blockHash: string;
  txHash: string;
  logIndex: number;
  eventName: string;
  error: string;
};

/**
 * A database error a retry can help with: connection (08), transaction rollback such as serialization failures
 * and deadlocks (40), operator intervention (57), or the server unreachable. Everything else about a statement
 * (data exceptions 22, constraint violations 23, ...) fails again on the same input.
 */
export function isTransientDbError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === "string" && /^(08|40|57|53)/.test(code)) || isDatabaseUnavailable(error);
}
