/**
 * The seam through which the API learns whether a registry is paused on the bridge and what its circuit breaker
 * says. The queue/guard side provides a real source later; until then every registry reads as "unknown", which
 * the API says plainly instead of guessing "available".
 */
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

/** The default until the queue engineer's circuit breakers and the bridge pause projection are wired in. */
export const unknownRegistryStatus: RegistryStatusSource = {
  get: async () => UNKNOWN_REGISTRY_STATUS,
};
