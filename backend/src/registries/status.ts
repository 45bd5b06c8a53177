/**
 * The status of a registry as the platform sees it: paused on the bridge or not, and what this process's circuit
 * breaker says. The seam between the parts that know (the guard's breakers, `guard/status.ts`; the indexed pause
 * events, `chainPauseStatus`) and the API that shows it. Without a source every registry reads as "unknown", which
 * the API says plainly instead of guessing "available".
 */
import type { Queryable } from "../db/queryable";
import { REGISTRY_IDS } from "./ids";

export type CircuitState = "closed" | "open" | "half_open" | "unknown";

export type RegistryStatus = {
  /** True while the guardian has paused the registry on RegistryBridge; null when not known. */
  paused: boolean | null;
  circuit: CircuitState;
  /** Free text from the source, e.g. "maintenance window until 02:00 UTC". */
  detail?: string;
};

export type RegistryStatusSource = {
  /** Status of registry `registryId` ("VERRA", ...). Must not throw for an unknown id: answer unknown. */
  get(registryId: string): Promise<RegistryStatus>;
};

export const UNKNOWN_REGISTRY_STATUS: RegistryStatus = { paused: null, circuit: "unknown" };

/** The statuses of a page's registries, one lookup per distinct registry however many rows share it. */
export async function statusesByRegistry(
  source: RegistryStatusSource,
  registryIds: readonly string[],
): Promise<Map<string, RegistryStatus>> {
  const ids = [...new Set(registryIds)];
  const statuses = await Promise.all(ids.map((id) => source.get(id)));
  return new Map(ids.map((id, index) => [id, statuses[index]!]));
}

/** The source that knows nothing: every registry reads "unknown" (an API built without a guard). */
export const unknownRegistryStatus: RegistryStatusSource = {
  get: async () => UNKNOWN_REGISTRY_STATUS,
};

/**
 * The bridge's per-registry pause as indexed (last `RegistryPaused` / `RegistryUnpaused` in `chain_events`; none
 * means never paused), with the circuit state and detail from `circuit` (default: unknown). Opt-in: pass it as
 * `registryStatus` where the indexer runs; the queue's circuit breakers can be given as `circuit`.
 */
export function chainPauseStatus(db: Queryable, circuit: RegistryStatusSource = unknownRegistryStatus): RegistryStatusSource {
  return {
    async get(registryId) {
      const status = await circuit.get(registryId);
      const numeric = (REGISTRY_IDS as Record<string, number | undefined>)[registryId];
      if (numeric === undefined) return status;
      const { rows } = await db.query<{ event_name: string }>(
        `SELECT event_name FROM chain_events
          WHERE event_name IN ('RegistryPaused', 'RegistryUnpaused') AND args->>'registryId' = $1
          ORDER BY block_number DESC, log_index DESC LIMIT 1`,
        [String(numeric)],
      );
      return { ...status, paused: rows[0]?.event_name === "RegistryPaused" };
    },
  };
}

/**
 * `source`, with each registry's answer kept for `ttlMs` and concurrent lookups of one registry sharing one call:
 * the batch reads answer at a high rate, and the pause and breaker they report change on the scale of blocks and
 * outages, not milliseconds. A failed lookup is not kept.
 */
export function cachedRegistryStatus(
  source: RegistryStatusSource,
  ttlMs: number,
  now: () => number = Date.now,
): RegistryStatusSource {
  const cache = new Map<string, { at: number; status: Promise<RegistryStatus> }>();
  return {
    get(registryId) {
      const hit = cache.get(registryId);
      if (hit !== undefined && now() - hit.at < ttlMs) return hit.status;
      const status = source.get(registryId);
      cache.set(registryId, { at: now(), status });
      status.catch(() => cache.delete(registryId));
      return status;
    },
  };
}
