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

/** Connection-level failures of PostgreSQL: down, restarting, recovering, out of connections. A retry can help. */
const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);
const UNAVAILABLE_PG_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);

/**
 * True for an error that says the database cannot be reached right now (connection refused or cut, the server
 * shutting down or starting up, too many connections), as opposed to an error in the statement or the data.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_PG_CODES.has(code) || code.startsWith("08"))) {
    return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated|not queryable/i.test(error.message);
}
