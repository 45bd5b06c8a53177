import { BaseError } from "../errors";

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
export class StaleBlockError extends BaseError {
  override name = "StaleBlockError";
  constructor(message: string) {
    super(message, { code: "WORKER_STALE_BLOCK", retryable: true, retryAfterMs: 0 });
  }
}
