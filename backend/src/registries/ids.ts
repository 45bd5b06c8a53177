/**
 * Registry ids shared with the contracts (`RegistryBridge` keys its per-registry pause and batches by these
 * numbers). Keep this table and the Solidity constants in step.
 */
export const REGISTRY_IDS = {
  VERRA: 1,
  GOLD_STANDARD: 2,
  IREC: 3,
  IN_CCTS: 4,
} as const;

export type RegistryName = keyof typeof REGISTRY_IDS;
export type RegistryId = (typeof REGISTRY_IDS)[RegistryName];

export const REGISTRY_NAMES = Object.keys(REGISTRY_IDS) as RegistryName[];

/** Registry names as the CLI spells them: lower case with dashes (`gold-standard` for GOLD_STANDARD). */
export const REGISTRY_CLI_NAMES: Record<string, RegistryName> = Object.fromEntries(
  REGISTRY_NAMES.map((name) => [name.toLowerCase().replace("_", "-"), name]),
);

/** The registry name for a contract registry id, or undefined when the id is unknown. */
export function registryNameOf(id: number): RegistryName | undefined {
  return REGISTRY_NAMES.find((name) => REGISTRY_IDS[name] === id);
}
