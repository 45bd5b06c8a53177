import { BaseError } from "../errors";

/** The breaker of a registry is open: calls fail fast until the half-open trial. Retryable. */
export class RegistryCircuitOpenError extends BaseError {
  override name = "RegistryCircuitOpenError";
  constructor(registry: string, retryAfterMs: number) {
    super(`circuit open for registry ${registry}`, {
      code: "REGISTRY_CIRCUIT_OPEN",
      retryable: true,
      retryAfterMs,
      details: { registry },
    });
  }
}

/** No shared bucket row for the registry: the guard was not initialised for it. Not retryable. */
export class RateBucketMissingError extends BaseError {
  override name = "RateBucketMissingError";
  constructor(registry: string) {
    super(`no rate bucket configured for registry ${registry}`, {
      code: "GUARD_BUCKET_MISSING",
      retryable: false,
      details: { registry },
    });
  }
}
