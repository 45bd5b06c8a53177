/**
 * `carbon ccts assess`: the assessment of one entity-year from entered figures, on the same MRV calculators that
 * later run on stored readings.
 *
 * Input (JSON; numbers as JSON numbers or decimal strings):
 *   entity, sector, complianceYear ("2025-26"), baselineGei, targetGei, equivalentOutputT   required
 *   fuels: [{ fuel, quantity, unit }]          IPCC fuel ids (natural_gas, other_bituminous_coal, ...); t, kt, TJ, GJ...
 *   electricityImportedMWh, gridFactorVersion  Scope 2 on the CEA weighted average (v20.0 unless named)
 *   otherEmissionsTco2e                        process and other emissions already in CO2e
 *   averageCccPriceInr                         enables environmental compensation
 * At least one of fuels, electricityImportedMWh, otherEmissionsTco2e must be given. Unknown fields are refused
 * (a misspelt `targetGEI` must not silently become "no target").
 *
 * Computation:
 *   fuels: stationary combustion per fuel (IPCC 2006, Table 2.3 manufacturing by parameter), CO2e with the
 *          configured GWP set (SAR, India's BUR)
 *   E_total = Σ fuel CO2e + scope2 + other;  GEI = E_total / equivalentOutputT  (mrv plantYearGei)
 *   position: ccts/position.ts
 *
 * Output: decimal strings throughout; `lineage` holds every calculation record (with its resultHash), the input
 * file's SHA-256 when known, and the parameter file version. Same input, byte-identical canonical JSON.
 */
import { ValidationError } from "../errors";
import {
  type CalculationRecord,
  Decimal,
  decimalString,
  parseNonNegative,
  plantYearGei,
  processEmissions,
  purchasedElectricity,
  stationaryCombustion,
} from "../mrv";
import { type CctsParameters, CCTS_PARAMETERS } from "./parameters";
import { computePosition } from "./position";

export const OBLIGATED_SECTORS = [
  "aluminium",
  "cement",
  "chlor_alkali",
  "pulp_paper",
  "petroleum_refining",
  "petrochemicals",
  "textiles",
  "secondary_aluminium",
] as const;

const FIELDS = new Set([
  "entity",
  "sector",
  "complianceYear",
  "baselineGei",
  "targetGei",
  "equivalentOutputT",
  "fuels",
  "electricityImportedMWh",
  "gridFactorVersion",
  "otherEmissionsTco2e",
  "averageCccPriceInr",
]);

type Json = { [key: string]: unknown };

function requireString(input: Json, field: string): string {
  const v = input[field];
  if (v === undefined || v === null) throw new ValidationError(field, "is required");
  if (typeof v !== "string" || v.trim() === "") throw new ValidationError(field, "must be a non-empty string");
  return v;
}

function complianceYear(input: Json): string {
  const year = requireString(input, "complianceYear");
  const m = /^(\d{4})-(\d{2})$/.exec(year);
  if (m === null || (Number(m[1]) + 1) % 100 !== Number(m[2])) {
    throw new ValidationError("complianceYear", `must be an Indian fiscal year like 2025-26, got ${JSON.stringify(year)}`);
  }
  return year;
}

export type AssessOptions = { parameters?: CctsParameters; inputSha256?: string };

/** The checked top-level fields of an assessment input, in the order their errors are reported. */
function assessmentInput(raw: unknown) {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ValidationError("input", "must be a JSON object");
  const input = raw as Json;
  for (const key of Object.keys(input))
    if (!FIELDS.has(key)) throw new ValidationError(key, "is not a field of the assessment input");
  const entity = requireString(input, "entity");
  const sector = requireString(input, "sector");
  if (!(OBLIGATED_SECTORS as readonly string[]).includes(sector)) {
    throw new ValidationError("sector", `unknown sector ${JSON.stringify(sector)}; known: ${OBLIGATED_SECTORS.join(", ")}`);
  }
  const year = complianceYear(input);
  const baselineGei = parseNonNegative("baselineGei", input.baselineGei, { allowZero: false });
  const targetGei = parseNonNegative("targetGei", input.targetGei, { allowZero: false });
  const output = parseNonNegative("equivalentOutputT", input.equivalentOutputT, { allowZero: false });
  if (input.fuels === undefined && input.electricityImportedMWh === undefined && input.otherEmissionsTco2e === undefined) {
    throw new ValidationError(
      "fuels",
      "no emissions given: one of fuels, electricityImportedMWh or otherEmissionsTco2e is required",
    );
  }
  return { input, entity, sector, year, baselineGei, targetGei, output };
}

/** Scope 2 from the imported electricity and the CEA grid factor version in force (or the one the input names). */
function scope2Calculation(input: Json, parameters: CctsParameters): CalculationRecord | undefined {
  if (input.electricityImportedMWh === undefined) {
    if (input.gridFactorVersion !== undefined) {
      throw new ValidationError("gridFactorVersion", "given without electricityImportedMWh");
    }
    return undefined;
  }
  const version = input.gridFactorVersion === undefined ? parameters.gridFactorVersion : input.gridFactorVersion;
  if (typeof version !== "string") throw new ValidationError("gridFactorVersion", "must be a string such as v21.0");
  return purchasedElectricity({
    quantity: input.electricityImportedMWh as never,
    gridVersion: version,
    variant: parameters.gridFactorVariant,
    field: "electricityImportedMWh",
  });
}

function otherEmissionsCalculation(input: Json): CalculationRecord | undefined {
  if (input.otherEmissionsTco2e === undefined) return undefined;
  return processEmissions({
    description: "process and other emissions entered in CO2e",
    co2eT: input.otherEmissionsTco2e as never,
    field: "otherEmissionsTco2e",
  });
}

export function assess(raw: unknown, options: AssessOptions = {}): Json {
  const parameters = options.parameters ?? CCTS_PARAMETERS;
  const { input, entity, sector, year, baselineGei, targetGei, output } = assessmentInput(raw);
  const fuelRecords = fuelCalculations(input.fuels, parameters);
  const scope2 = scope2Calculation(input, parameters);
  const other = otherEmissionsCalculation(input);
  const records = [...fuelRecords, scope2, other].filter((r): r is CalculationRecord => r !== undefined);
  const geiRecord = plantYearGei({ components: records, equivalentProductT: decimalString(output) });
  const gei = geiRecord.outputs.gei?.value as string;
  const position = computePosition(
    {
      targetGei: decimalString(targetGei),
      totalTco2e: geiRecord.outputs.totalTco2e?.value as string,
      equivalentOutputT: decimalString(output),
      ...(input.averageCccPriceInr === undefined ? {} : { averageCccPriceInr: input.averageCccPriceInr as never }),
    },
    parameters,
  );
  const sum = (rs: CalculationRecord[], output: string) =>
    rs.reduce((s, r) => s.plus(r.outputs[output]?.value ?? "0"), new Decimal(0));
  return {
    entity,
    sector,
    complianceYear: year,
    baselineGei: decimalString(baselineGei),
    targetGei: decimalString(targetGei),
    equivalentOutputT: decimalString(output),
    gei,
    cccIssuable: position.cccIssuable,
    shortfall: position.shortfall,
    rawCertificates: position.rawCertificates,
    ...(position.environmentalCompensationInr === undefined
      ? {}
      : { environmentalCompensationInr: position.environmentalCompensationInr }),
    emissions: {
      co2FromFuelsT: decimalString(sum(fuelRecords, "co2T")),
      fuelsTco2e: decimalString(sum(fuelRecords, "totalCo2eT")),
      scope2Tco2e: scope2?.outputs.scope2Tco2e?.value ?? "0",
      otherEmissionsTco2e: other?.outputs.totalCo2eT?.value ?? "0",
      totalTco2e: geiRecord.outputs.totalTco2e?.value as string,
      fuels: fuelRecords.map(fuelBreakdown),
    },
    parameters: {
      version: parameters.version,
      gwpSet: parameters.gwpSet,
      combustionCategory: parameters.combustionCategory,
      gridFactorVersion: scope2 === undefined ? null : (scope2.inputs.gridVersion as string),
      gridFactorVariant: parameters.gridFactorVariant,
      issuanceRounding: parameters.issuanceRounding,
      shortfallRounding: parameters.shortfallRounding,
      environmentalCompensationMultiplier: parameters.environmentalCompensationMultiplier,
    },
    lineage: {
      ...(options.inputSha256 === undefined ? {} : { inputSha256: options.inputSha256 }),
      records: [...records, geiRecord],
    },
  };
}

function fuelCalculations(fuels: unknown, parameters: CctsParameters): CalculationRecord[] {
  if (fuels === undefined) return [];
  if (!Array.isArray(fuels)) throw new ValidationError("fuels", "must be an array of {fuel, quantity, unit}");
  return fuels.map((f: unknown, i) => {
    if (typeof f !== "object" || f === null) throw new ValidationError(`fuels.${i}`, "must be an object {fuel, quantity, unit}");
    const { fuel, quantity, unit, ...rest } = f as Json;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new ValidationError(`fuels.${i}.${extra}`, "is not a field of a fuel entry");
    if (unit === undefined) throw new ValidationError(`fuels.${i}.unit`, "is required");
    return stationaryCombustion({
      fuel: fuel as string,
      quantity: quantity as never,
      unit: unit as string,
      category: parameters.combustionCategory,
      gwpSet: parameters.gwpSet,
      field: `fuels.${i}`,
    });
  });
}

function fuelBreakdown(r: CalculationRecord): Json {
  const o = (name: string) => r.outputs[name]?.value ?? "0";
  return {
    fuel: r.inputs.fuel,
    quantity: r.inputs.quantity,
    unit: r.inputs.unit,
    energyTJ: o("energyTJ"),
    gases: {
      CO2: { massT: o("co2T"), co2eT: o("co2Co2eT") },
      CH4: { massT: o("ch4T"), co2eT: o("ch4Co2eT") },
      N2O: { massT: o("n2oT"), co2eT: o("n2oCo2eT") },
    },
    co2eT: o("totalCo2eT"),
  };
}
