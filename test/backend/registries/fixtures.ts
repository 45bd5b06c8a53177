import type { SimulatorAdmin } from "../../../backend/src/simulators/core/simulator";
import type { SimulatorControl } from "./contract";

/** SimulatorControl over a simulator's admin, with a registry-specific way to seed a block. */
export function simulatorControl(admin: SimulatorAdmin, seed: SimulatorControl["seed"]): SimulatorControl {
  return {
    seed,
    rateLimit: (capacity, refillPerSecond) => admin.setKnobs({ rateLimit: { capacity, refillPerSecond } }),
    clearRateLimit: () => admin.setKnobs({ rateLimit: null }),
    maintenance: (ms) => admin.startMaintenance(ms),
    clearMaintenance: () => admin.setKnobs({ maintenance: [] }),
    manualConfirmation: () => admin.setKnobs({ confirmation: { mode: "manual" } }),
    immediateConfirmation: () => admin.setKnobs({ confirmation: { mode: "immediate" } }),
    delayedConfirmation: (delayMs) => admin.setKnobs({ confirmation: { mode: "delay", delayMs } }),
    confirmPending: () => void admin.confirmPending(),
    ignoreFilters: (names) => admin.setKnobs({ ignoredFilters: names }),
    subscribe: (url, secret) => admin.subscribe({ url, secret }),
    hold: (recordId) => void admin.hold(recordId),
    cancel: (recordId, reason) => void admin.cancel(recordId, reason),
  };
}

/** Non-overlapping unit ranges for seeded serials. */
export function rangeAllocator(first = 1_139_690_318n) {
  let next = first;
  return (quantity: bigint) => {
    const start = next;
    next += quantity + 1000n;
    return { start, end: start + quantity - 1n };
  };
}
