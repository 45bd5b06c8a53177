/**
 * The `RegistryStatusSource` the API reads (registries/status.ts): the circuit from this process's guard,
 * the bridge pause flag from a reader (the bridge pauser's `isPaused`, or the indexer's projection), and a
 * `Retry-After` block still in force from the shared bucket. Never throws: anything unknown reads as unknown.
 */
import { type RegistryStatus, type RegistryStatusSource, UNKNOWN_REGISTRY_STATUS } from "../registries/status";
import type { Queryable } from "../db/queryable";
import type { RegistryName } from "../registries/ids";
import { bucketState } from "./rateLimit";
import type { RegistryGuard } from "./registryGuard";

export type CreateRegistryStatusSourceParameters = {
  guard: Pick<RegistryGuard, "circuit" | "registries"> & Partial<Pick<RegistryGuard, "lastFailure">>;
  db?: Queryable;
  paused?: (registry: RegistryName) => Promise<boolean | null>;
};

export function createRegistryStatusSource(parameters: CreateRegistryStatusSourceParameters): RegistryStatusSource {
  return {
    async get(registryId) {
      const registry = parameters.guard.registries().find((name) => name === registryId);
      if (registry === undefined) return UNKNOWN_REGISTRY_STATUS;
      const status: RegistryStatus = { paused: null, circuit: parameters.guard.circuit(registry) };
      try {
        if (parameters.paused !== undefined) status.paused = await parameters.paused(registry);
      } catch {
        status.paused = null;
      }
      const details: string[] = [];
      if (status.circuit === "open") details.push("registry unavailable: circuit open, calls fail fast");
      if (status.circuit === "half_open") details.push("registry recovering: trying one call");
      const failure = parameters.guard.lastFailure?.(registry);
      // What the registry said when it last failed (e.g. "503 Scheduled maintenance"), while it is not healthy.
      if (failure !== undefined && status.circuit !== "closed")
        details.push(`last answer ${failure.at.toISOString()}: ${failure.message}`);
      try {
        const bucket = parameters.db === undefined ? undefined : await bucketState(parameters.db, registry);
        if (bucket?.blockedUntil != null && bucket.blockedUntil.getTime() > Date.now()) {
          details.push(`rate limited by the registry until ${bucket.blockedUntil.toISOString()}`);
        }
      } catch {
        // the bucket is a detail; the status stands without it
      }
      if (details.length > 0) status.detail = details.join("; ");
      return status;
    },
  };
}
