import { BaseError } from "../errors";

/** Embedded PostgreSQL could not be started, or a database could not be reached. */
export class DatabaseStartError extends BaseError {
  override name = "DatabaseStartError";

  constructor(message: string, options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, {
      code: "DATABASE_START_FAILED",
      retryable: options.retryable ?? false,
      cause: options.cause,
      details: options.details,
    });
  }
}
