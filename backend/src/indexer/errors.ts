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
