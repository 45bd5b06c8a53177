/**
 * The compliance-allowance simulators by their CLI names. Kept apart from `index.ts` so the CLI can check a name
 * without loading fastify. They are not registries of the registry port (REGISTRY_NAMES) yet: their adapters
 * come later, so `npm start` does not run them.
 */
export const ALLOWANCE_SIMULATOR_NAMES = ["uk-ets", "citss"] as const;
export type AllowanceSimulatorName = (typeof ALLOWANCE_SIMULATOR_NAMES)[number];

export function isAllowanceSimulatorName(name: string): name is AllowanceSimulatorName {
  return (ALLOWANCE_SIMULATOR_NAMES as readonly string[]).includes(name);
}
