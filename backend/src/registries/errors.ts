import { BaseError } from "../errors";
import type { RegistryName } from "./ids";

/**
 * Errors raised by registry adapters. Each says whether the same call can succeed later, so the queue decides
 * from the type alone.
 */
type RegistryErrorParameters = {
  registry: RegistryName;
  status?: number | undefined;
  retryAfterMs?: number | undefined;
  details?: Record<string, unknown> | undefined;
  cause?: unknown;
};

function detailsOf(params: RegistryErrorParameters): Record<string, unknown> {
  return { registry: params.registry, status: params.status, ...params.details };
}

/** 429: the registry asked us to slow down. Retry after `retryAfterMs` (from `Retry-After`). */
export class RegistryRateLimitedError extends BaseError {
  override name = "RegistryRateLimitedError";
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, {
      code: "REGISTRY_RATE_LIMITED",
      retryable: true,
      retryAfterMs: params.retryAfterMs,
      details: detailsOf(params),
      cause: params.cause,
    });
  }
}

/** 5xx, maintenance, timeouts, refused connections: the registry could not answer. Retryable. */
export class RegistryUnavailableError extends BaseError {
  override name = "RegistryUnavailableError";
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, {
      code: "REGISTRY_UNAVAILABLE",
      retryable: true,
      retryAfterMs: params.retryAfterMs,
      details: detailsOf(params),
      cause: params.cause,
    });
  }
}

/** 4xx: the registry refused the request as asked (validation, state, auth). Retrying the same call cannot help. */
export class RegistryRejectedError extends BaseError {
  override name = "RegistryRejectedError";
  readonly status: number | undefined;
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, { code: "REGISTRY_REJECTED", retryable: false, details: detailsOf(params), cause: params.cause });
    this.status = params.status;
  }
}

/** The registry answered something we do not understand (schema mismatch, row counts that do not add up). */
export class RegistryProtocolError extends BaseError {
  override name = "RegistryProtocolError";
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, { code: "REGISTRY_PROTOCOL", retryable: false, details: detailsOf(params), cause: params.cause });
  }
}

export type RegistryErrorType =
  | RegistryRateLimitedError
  | RegistryUnavailableError
  | RegistryRejectedError
  | RegistryProtocolError;
