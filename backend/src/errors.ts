/**
 * The one error base of the backend. Every error says whether retrying the same call can help, so callers
 * (queue workers, the relayer, API handlers) decide from the type, never from message text.
 */
export type BaseErrorParameters = {
  /** Stable machine-readable code, e.g. `REGISTRY_RATE_LIMITED`. */
  code: string;
  /** True when the same call may succeed later (429, 503, timeouts, connection resets). */
  retryable: boolean;
  /** Server-given delay before a retry (`Retry-After`), in milliseconds. */
  retryAfterMs?: number | undefined;
  /** Extra structured detail, safe to log (never secrets). */
  details?: Record<string, unknown> | undefined;
  cause?: unknown;
};

export class BaseError extends Error {
  override name = "BaseError";
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, params: BaseErrorParameters) {
    super(message, params.cause === undefined ? undefined : { cause: params.cause });
    this.code = params.code;
    this.retryable = params.retryable;
    this.retryAfterMs = params.retryAfterMs;
    this.details = params.details;
  }

  /** Walks the cause chain and returns the first error matching `predicate`. */
  walk(predicate: (error: unknown) => boolean): unknown {
    return findInCauses(this, predicate);
  }
}

/** The first of `error` and its causes (`cause` chain) that matches `predicate`. */
function findInCauses(error: unknown, predicate: (error: unknown) => boolean): unknown {
  for (
    let current = error;
    current !== undefined && current !== null;
    current = current instanceof Error ? current.cause : undefined
  ) {
    if (predicate(current)) return current;
  }
  return undefined;
}

/** Bad input from a caller: names the field and the bad value. Never retryable. */
export class ValidationError extends BaseError {
  override name = "ValidationError";
  readonly field: string;

  constructor(field: string, message: string, details?: Record<string, unknown>) {
    super(`${field}: ${message}`, { code: "VALIDATION", retryable: false, details: { field, ...details } });
    this.field = field;
  }
}

/** True when `error` is a BaseError that says a retry can help. Unknown errors are treated as not retryable. */
export function isRetryable(error: unknown): boolean {
  return error instanceof BaseError && error.retryable;
}
