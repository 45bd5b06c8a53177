/**
 * Stationary combustion, IPCC 2006 Tier 1 (Vol. 2 Ch. 2 eq. 2.1) with the GHG Protocol's CO2e step:
 *
 *   E [TJ]      = Q × NCV                     (Q converted to the NCV's denominator unit; Q in an energy unit is E)
 *   m_g [t]     = E × EF_g / 1000             for g ∈ {CO2, CH4, N2O}; EF in kg/TJ (Table 1.4, Table 2.2 or 2.3)
 *   CO2e_g [t]  = m_g × GWP_g                 (the chosen GWP set)
 *   CO2e [t]    = Σ_g CO2e_g
 *
 * The oxidation factor is 1 (IPCC Table 1.4 default). A measured, plant-specific NCV replaces the default when
 * given (`ncv`), and is recorded as an input with its source instead of a library row; it is also the only way to
 * take a fuel quantity by volume (the defaults are per mass). All arithmetic is decimal.
 */
import { ValidationError } from "../../errors";
import { type DecimalInput, Decimal, decimalString, parseNonNegative } from "../decimal";
import {
  type CombustionCategory,
  type FactorLibrary,
  FACTORS,
  factorValue,
  fuelFactors,
  gwpSet,
  splitRatioUnit,
} from "../factors/library";
import { convert, dimensionOf, requireDimension } from "../units";
import { type CalculationRecord, RecordBuilder } from "./lineage";

export const STATIONARY_COMBUSTION_VERSION = "1";
export const COMBUSTION_GASES = ["CO2", "CH4", "N2O"] as const;

export type StationaryCombustionParameters = {
  fuel: string;
  quantity: DecimalInput;
  unit: string;
  category: CombustionCategory;
  gwpSet: string;
  ipccVersion?: string | undefined;
  /** A measured NCV (e.g. `{ value: "20.1", unit: "TJ/Gg", source: "lab certificate 42" }`). */
  ncv?: { value: DecimalInput; unit: string; source: string } | undefined;
  /** SHA-256 of the document or reading batch the quantity came from. */
  sha256?: string | undefined;
  /** Prefix for error field names (`fuels.0`). */
  field?: string | undefined;
};

const FORMULA =
  "E[TJ] = Q × NCV; m_g[t] = E × EF_g[kg/TJ] / 1000 for g in CO2, CH4, N2O; CO2e_g[t] = m_g × GWP_g; CO2e[t] = Σ CO2e_g";

export function stationaryCombustion(
  params: StationaryCombustionParameters,
  library: FactorLibrary = FACTORS,
): CalculationRecord {
  const at = (name: string) => (params.field === undefined ? name : `${params.field}.${name}`);
  const quantity = parseNonNegative(at("quantity"), params.quantity);
  const dimension = requireDimension(at("unit"), params.unit, ["mass", "energy", "volume"]);
  const ipccVersion = params.ipccVersion ?? "2006";
  const factors = fuelFactors(at("fuel"), params.fuel, params.category, { version: ipccVersion, library });
  const gwps = gwpSet("gwpSet", params.gwpSet, library);
  const ncvOverride = params.ncv === undefined ? undefined : parseNcv(at("ncv"), params.ncv);

  const inputs = {
    fuel: params.fuel,
    quantity: decimalString(quantity),
    unit: params.unit,
    category: params.category,
    gwpSet: params.gwpSet,
    ipccVersion,
    ...(ncvOverride === undefined
      ? {}
      : { ncv: { value: decimalString(ncvOverride.value), unit: ncvOverride.unit, source: ncvOverride.source } }),
  };
  const b = new RecordBuilder(
    "stationary_combustion",
    STATIONARY_COMBUSTION_VERSION,
    FORMULA,
    inputs,
    params.sha256 === undefined ? {} : { activity: params.sha256 },
  );

  let energyTJ: Decimal;
  if (dimension === "energy") {
    energyTJ = b.step(
      "energyTJ",
      `Q converted from ${params.unit} to TJ`,
      convert(at("unit"), quantity, params.unit, "TJ"),
      "TJ",
    );
  } else {
    let ncv: Decimal;
    let ncvUnit: string;
    if (ncvOverride !== undefined) {
      ({ value: ncv, unit: ncvUnit } = ncvOverride);
    } else {
      if (dimension === "volume") {
        throw new ValidationError(
          at("unit"),
          `a volume (${params.unit}) needs a measured ncv per volume: the IPCC defaults are per mass`,
        );
      }
      b.factor("ncv", factors.ncv);
      ncv = factorValue(factors.ncv);
      ncvUnit = factors.ncv.unit;
    }
    const [ncvNum, ncvDen] = splitRatioUnit(ncvUnit) as [string, string];
    const activity = convert(at("unit"), quantity, params.unit, ncvDen);
    const energy = activity.times(ncv);
    energyTJ = b.step("energyTJ", `Q[${ncvDen}] × NCV[${ncvUnit}] → TJ`, convert(at("ncv.unit"), energy, ncvNum, "TJ"), "TJ");
  }

  const outputs: { [name: string]: { value: Decimal; unit: string } } = { energyTJ: { value: energyTJ, unit: "TJ" } };
  let total = new Decimal(0);
  for (const gas of COMBUSTION_GASES) {
    const row = gas === "CO2" ? factors.co2 : gas === "CH4" ? factors.ch4 : factors.n2o;
    b.factor(`ef.${gas}`, row);
    const [efNum, efDen] = splitRatioUnit(row.unit) as [string, string];
    const massInEfUnit = convert("factor", energyTJ, "TJ", efDen).times(factorValue(row));
    const massT = b.step(`${gas}.massT`, `E × EF_${gas}[${row.unit}] → t`, convert("factor", massInEfUnit, efNum, "t"), "t");
    const gwpRow = gwps.get(gas);
    if (gwpRow === undefined) throw new ValidationError("gwpSet", `GWP set ${params.gwpSet} has no value for ${gas}`);
    b.factor(`gwp.${gas}`, gwpRow);
    const co2e = b.step(`${gas}.co2eT`, `m_${gas} × GWP_${gas} (${params.gwpSet})`, massT.times(factorValue(gwpRow)), "tCO2e");
    total = total.plus(co2e);
    outputs[`${gas.toLowerCase()}T`] = { value: massT, unit: "t" };
    outputs[`${gas.toLowerCase()}Co2eT`] = { value: co2e, unit: "tCO2e" };
  }
  b.step("totalCo2eT", "Σ CO2e_g", total, "tCO2e");
  outputs.totalCo2eT = { value: total, unit: "tCO2e" };
  return b.seal(outputs);
}

function parseNcv(
  field: string,
  ncv: { value: DecimalInput; unit: string; source: string },
): { value: Decimal; unit: string; source: string } {
  const value = parseNonNegative(`${field}.value`, ncv.value, { allowZero: false });
  const [num, den] = splitRatioUnit(String(ncv.unit));
  if (den === undefined)
    throw new ValidationError(`${field}.unit`, `must be energy per mass or volume (e.g. TJ/Gg), got ${JSON.stringify(ncv.unit)}`);
  requireDimension(`${field}.unit`, num, ["energy"]);
  requireDimension(`${field}.unit`, den, ["mass", "volume"]);
  dimensionOf(`${field}.unit`, den);
  if (typeof ncv.source !== "string" || ncv.source.trim() === "")
    throw new ValidationError(`${field}.source`, "a measured NCV needs its source");
  return { value, unit: ncv.unit, source: ncv.source };
}
