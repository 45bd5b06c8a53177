/**
 * Process emissions as entered, and the plant-year GHG emission intensity.
 *
 * Process (and other) emissions entered by the plant, either already in CO2e or as masses of gases:
 *
 *   CO2e [t] = co2eT                           when entered in CO2e
 *   CO2e [t] = Σ_g m_g × GWP_g                 when entered as gas masses (e.g. anode CO2, CF4 and C2F6 for aluminium)
 *
 * Plant-year GEI (GHG Emission Intensity Target Rules, 2025: gate-to-gate emissions over equivalent product):
 *
 *   E_total [tCO2e] = Σ_r E_r                  over the component records r (combustion, electricity, process)
 *   GEI [tCO2e/t]   = E_total / P_eq           P_eq: equivalent product in tonnes (ccts/equivalentProduct.ts)
 *
 * The GEI record lists each component by its resultHash, so the chain from readings to GEI is one hash walk.
 * GEI keeps full precision (50 significant digits); rounding belongs to whoever reports it.
 */
import { ValidationError } from "../../errors";
import { type DecimalInput, Decimal, decimalString, parseNonNegative } from "../decimal";
import { type FactorLibrary, FACTORS, factorValue, gwpSet } from "../factors/library";
import { type CalculationRecord, RecordBuilder } from "./lineage";

export const PLANT_YEAR_VERSION = "1";

export type ProcessEmissionsParameters = {
  description: string;
  co2eT?: DecimalInput | undefined;
  gases?: { [gas: string]: DecimalInput } | undefined;
  gwpSet?: string | undefined;
  sha256?: string | undefined;
  field?: string | undefined;
};

export function processEmissions(params: ProcessEmissionsParameters, library: FactorLibrary = FACTORS): CalculationRecord {
  const at = (name: string) => (params.field === undefined ? name : `${params.field}.${name}`);
  if ((params.co2eT === undefined) === (params.gases === undefined)) {
    throw new ValidationError(at("co2eT"), "give either co2eT or gases (masses in t by gas), not both or neither");
  }
  const hashes: { [key: string]: string } = params.sha256 === undefined ? {} : { source: params.sha256 };
  if (params.co2eT !== undefined) {
    const co2e = parseNonNegative(at("co2eT"), params.co2eT);
    const b = new RecordBuilder(
      "process_emissions",
      PLANT_YEAR_VERSION,
      "CO2e[t] = entered CO2e",
      { description: params.description, co2eT: decimalString(co2e) },
      hashes,
    );
    b.step("totalCo2eT", "entered", co2e, "tCO2e");
    return b.seal({ totalCo2eT: { value: co2e, unit: "tCO2e" } });
  }
  const gwps = gwpSet("gwpSet", params.gwpSet, library);
  const gases = Object.entries(params.gases ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (gases.length === 0) throw new ValidationError(at("gases"), "must name at least one gas");
  const masses = gases.map(([gas, mass]) => [gas, parseNonNegative(at(`gases.${gas}`), mass)] as const);
  const inputs = {
    description: params.description,
    gwpSet: String(params.gwpSet),
    gases: Object.fromEntries(masses.map(([gas, m]) => [gas, decimalString(m)])),
  };
  const b = new RecordBuilder("process_emissions", PLANT_YEAR_VERSION, "CO2e[t] = Σ m_g × GWP_g", inputs, hashes);
  let total = new Decimal(0);
  const outputs: { [name: string]: { value: Decimal; unit: string } } = {};
  for (const [gas, mass] of masses) {
    const row = gwps.get(gas);
    if (row === undefined) throw new ValidationError(at(`gases.${gas}`), `GWP set ${params.gwpSet} has no value for ${gas}`);
    b.factor(`gwp.${gas}`, row);
    const co2e = b.step(`${gas}.co2eT`, `m_${gas} × GWP_${gas}`, mass.times(factorValue(row)), "tCO2e");
    outputs[`${gas}Co2eT`] = { value: co2e, unit: "tCO2e" };
    total = total.plus(co2e);
  }
  b.step("totalCo2eT", "Σ CO2e_g", total, "tCO2e");
  outputs.totalCo2eT = { value: total, unit: "tCO2e" };
  return b.seal(outputs);
}

/** The CO2e a component record contributes: its `totalCo2eT`, or `scope2Tco2e` for electricity. */
export function recordCo2e(record: CalculationRecord): Decimal {
  const figure = record.outputs.totalCo2eT ?? record.outputs.scope2Tco2e;
  if (figure === undefined) throw new ValidationError("components", `record ${record.calculation} has no CO2e output`);
  return new Decimal(figure.value);
}

export type PlantYearGeiParameters = {
  components: readonly CalculationRecord[];
  equivalentProductT: DecimalInput;
};

export function plantYearGei(params: PlantYearGeiParameters): CalculationRecord {
  const product = parseNonNegative("equivalentOutputT", params.equivalentProductT, { allowZero: false });
  const hashes = Object.fromEntries(params.components.map((r, i) => [`component.${i}.${r.calculation}`, r.resultHash]));
  const b = new RecordBuilder(
    "plant_year_gei",
    PLANT_YEAR_VERSION,
    "E_total[tCO2e] = Σ E_r; GEI[tCO2e/t] = E_total / P_eq",
    { equivalentProductT: decimalString(product), components: params.components.map((r) => r.resultHash) },
    hashes,
  );
  const total = params.components.reduce((sum, r) => sum.plus(recordCo2e(r)), new Decimal(0));
  b.step("totalTco2e", "Σ E_r", total, "tCO2e");
  const gei = b.step("gei", "E_total / P_eq", total.dividedBy(product), "tCO2e/t");
  return b.seal({ totalTco2e: { value: total, unit: "tCO2e" }, gei: { value: gei, unit: "tCO2e/t" } });
}
