/**
 * What a registry says about the project (or device, or issuing entity) behind a block, read from the block's
 * native record as the custody mirror stores it (`custody_blocks.payload`, the adapter's `sourcePayload`), and the
 * fields every serial carries (project id, country, vintage, unit type). The canonical model (model.ts) keeps only
 * what every registry has; names, methodologies and project types differ per registry, so the field names of each
 * registry's native record are listed here, in one place, as REGISTRIES.md documents them:
 *
 * | registry | name | methodology | type |
 * |---|---|---|---|
 * | Verra (holding / issuance rows) | `projectName` | `methodologies[]` | `sectoralScope` |
 * | Gold Standard (credit items) | `project.name` | `project.methodology` | `project.type` |
 * | I-REC (account items) | `device.name` | `fuel.description` | `type.description` |
 * | India CCTS (entity holdings) | `entityName` (simulator: none) | - | `sector` |
 *
 * A field the record does not carry is left undefined: the caller says "not stated by the registry" instead of
 * guessing.
 */
import type { RegistryName } from "./ids";
import { parseSerial } from "./serials";

/** Display names of the registries (the registry's own name for itself). */
export const REGISTRY_DISPLAY_NAMES: Record<RegistryName, string> = {
  VERRA: "Verra (Verified Carbon Standard)",
  GOLD_STANDARD: "Gold Standard",
  IREC: "I-REC Standard (Evident)",
  IN_CCTS: "India Carbon Credit Trading Scheme (Grid-India registry)",
};

/** Unit metric per unit type: tonnes of CO2 equivalent, or megawatt hours for energy attribute certificates. */
export const UNIT_METRIC: Record<string, "tCO2e" | "MWh"> = {
  VCU: "tCO2e",
  VER: "tCO2e",
  CCC: "tCO2e",
  UKA: "tCO2e",
  "I-REC(E)": "MWh",
};

/** Full names of the unit types, as the registries name them. */
export const UNIT_TYPE_NAMES: Record<string, string> = {
  VCU: "Verified Carbon Unit (VCU)",
  VER: "Verified Emission Reduction (VER)",
  CCC: "Carbon Credit Certificate (CCC)",
  UKA: "UK Allowance (UKA)",
  "I-REC(E)": "I-REC electricity certificate",
};

export type ProjectInfo = {
  /** The registry's own project id (Verra VCS id, Gold Standard GS id, I-REC device code, CCTS entity). */
  projectId?: string | undefined;
  name?: string | undefined;
  methodology?: string | undefined;
  type?: string | undefined;
  /** ISO 3166 alpha-2. */
  country?: string | undefined;
  vintageStart?: string | undefined;
  vintageEnd?: string | undefined;
  unitType?: string | undefined;
};

type Json = Record<string, unknown>;

function text(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function object(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Name, methodology and type from a native record of `registry`. */
export function projectFieldsOf(
  registry: string,
  payload: unknown,
): Pick<ProjectInfo, "name" | "methodology" | "type" | "country"> {
  const row = object(payload);
  switch (registry) {
    case "VERRA": {
      const methodologies = Array.isArray(row.methodologies) ? row.methodologies.map(text).filter(Boolean) : [];
      const scope = text(row.sectoralScope);
      return {
        name: text(row.projectName),
        methodology: methodologies.length > 0 ? methodologies.join(", ") : undefined,
        type: scope === undefined ? undefined : `Sectoral scope ${scope}`,
      };
    }
    case "GOLD_STANDARD": {
      const project = object(row.project);
      return {
        name: text(project.name),
        methodology: text(project.methodology),
        type: text(project.type),
        country: text(project.country_code),
      };
    }
    case "IREC":
      return {
        name: text(object(row.device).name),
        methodology: text(object(row.fuel).description),
        type: text(object(row.type).description),
        country: text(row.country),
      };
    case "IN_CCTS":
      return { name: text(row.entityName), type: text(row.sector) };
    default:
      return {};
  }
}

/** The fields a serial states (project id, country, vintage, unit type); empty when the serial does not parse. */
export function serialFieldsOf(registry: string, serial: string): ProjectInfo {
  try {
    const parsed = parseSerial({ serial, registry: registry as RegistryName }) as unknown as Json;
    return {
      projectId: text(parsed.projectId),
      country: text(parsed.country),
      vintageStart: text(parsed.vintageStart),
      vintageEnd: text(parsed.vintageEnd),
      unitType: text(parsed.unitType),
    };
  } catch {
    return {};
  }
}

/**
 * Everything known about the project of a block from its serial and native records (the first record that names a
 * field wins; pass the most specific first).
 */
export function projectInfoOf(registry: string, serial: string | undefined, payloads: readonly unknown[]): ProjectInfo {
  const info: ProjectInfo = serial === undefined ? {} : serialFieldsOf(registry, serial);
  for (const payload of payloads) {
    const fields = projectFieldsOf(registry, payload);
    info.name ??= fields.name;
    info.methodology ??= fields.methodology;
    info.type ??= fields.type;
    info.country ??= fields.country;
  }
  return info;
}
