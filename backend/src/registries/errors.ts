import { BaseError, type BaseErrorParameters } from "../errors";
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

/** BaseError terms for one registry error class; only retryable errors carry a Retry-After delay. */
function baseParams(code: string, retryable: boolean, params: RegistryErrorParameters): BaseErrorParameters {
  return {
    code,
    retryable,
    retryAfterMs: retryable ? params.retryAfterMs : undefined,
    details: { registry: params.registry, status: params.status, ...params.details },
    cause: params.cause,
  };
}

/** 429: the registry asked us to slow down. Retry after `retryAfterMs` (from `Retry-After`). */
export class RegistryRateLimitedError extends BaseError {
  override name = "RegistryRateLimitedError";
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, baseParams("REGISTRY_RATE_LIMITED", true, params));
  }
}

/** 5xx, maintenance, timeouts, refused connections: the registry could not answer. Retryable. */
export class RegistryUnavailableError extends BaseError {
  override name = "RegistryUnavailableError";
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, baseParams("REGISTRY_UNAVAILABLE", true, params));
  }
}

/** 4xx: the registry refused the request as asked (validation, state, auth). Retrying the same call cannot help. */
export class RegistryRejectedError extends BaseError {
  override name = "RegistryRejectedError";
  readonly status: number | undefined;
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, baseParams("REGISTRY_REJECTED", false, params));
    this.status = params.status;
  }
}

/** The registry answered something we do not understand (schema mismatch, row counts that do not add up). */
export class RegistryProtocolError extends BaseError {
  override name = "RegistryProtocolError";
  constructor(message: string, params: RegistryErrorParameters) {
    super(message, baseParams("REGISTRY_PROTOCOL", false, params));
  }
}

export type RegistryErrorType =
  | RegistryRateLimitedError
  | RegistryUnavailableError
  | RegistryRejectedError
  | RegistryProtocolError;
