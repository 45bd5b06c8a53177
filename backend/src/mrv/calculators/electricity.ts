/**
 * Grid electricity on the CEA CO2 Baseline Database.
 *
 * Purchased electricity, location-based (GHG Protocol Scope 2 Guidance):
 *
 *   E_scope2 [tCO2e] = EG_import [MWh] × EF_grid [tCO2/MWh]
 *
 * with EF_grid the CEA variant asked for (default `weighted_average`) of the version named, or of the version in
 * force for the period (library.ts: newest published on or before the period's last day). CEA factors are CO2
 * only; CO2's GWP is 1 in every set, so tCO2 = tCO2e here.
 *
 * Grid-connected renewable electricity, emission reductions (ACM0002 / AMS-I.D with the CDM "Tool to calculate the
 * emission factor for an electricity system" v7.0):
 *
 *   EG_PJ [MWh]  = EG_export − EG_import                 (net electricity supplied to the grid)
 *   BE [tCO2]    = EG_PJ × EF_grid,CM                      (CM for wind/solar: 0.75 OM + 0.25 BM; others 0.5/0.5)
 *   ER [tCO2e]   = max(0, BE − PE − LE)                    (PE, LE default 0; no negative reductions are issued)
 */
import { type DecimalInput, Decimal, decimalString, parseDecimal, parseNonNegative } from "../decimal";
import {
  type FactorLibrary,
  type GridVariant,
  FACTORS,
  GRID_VARIANTS,
  factorValue,
  gridFactor,
  gridVersionInForce,
} from "../factors/library";
import { convert, requireDimension } from "../units";
import { ValidationError } from "../../errors";
import { type CalculationRecord, RecordBuilder } from "./lineage";

export const ELECTRICITY_VERSION = "1";

/** Which CEA version: named, or the one in force for a period ending on `periodEnd` (YYYY-MM-DD). */
export type GridSelection = { gridVersion?: string | undefined; periodEnd?: string | undefined };

function selectVersion(selection: GridSelection, library: FactorLibrary): string {
  if (selection.gridVersion !== undefined) return selection.gridVersion;
  if (selection.periodEnd === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(selection.periodEnd)) {
    throw new ValidationError("periodEnd", "give gridVersion, or periodEnd (YYYY-MM-DD) to use the version in force");
  }
  return gridVersionInForce("periodEnd", selection.periodEnd, library);
}

export type PurchasedElectricityParameters = GridSelection & {
  quantity: DecimalInput;
  unit?: string | undefined;
  variant?: GridVariant | undefined;
  sha256?: string | undefined;
  field?: string | undefined;
};

export function purchasedElectricity(
  params: PurchasedElectricityParameters,
  library: FactorLibrary = FACTORS,
): CalculationRecord {
  const field = params.field ?? "quantity";
  const unit = params.unit ?? "MWh";
  requireDimension(`${field}.unit`, unit, ["energy"]);
  const quantity = parseNonNegative(field, params.quantity);
  const variant = params.variant ?? "weighted_average";
  if (!GRID_VARIANTS.includes(variant))
    throw new ValidationError("variant", `unknown grid factor variant ${JSON.stringify(variant)}`);
  const version = selectVersion(params, library);
  const row = gridFactor("gridFactorVersion", version, variant, library);
  const inputs = {
    quantity: decimalString(quantity),
    unit,
    variant,
    gridVersion: version,
    ...(params.periodEnd ? { periodEnd: params.periodEnd } : {}),
  };
  const b = new RecordBuilder(
    "purchased_electricity",
    ELECTRICITY_VERSION,
    "E_scope2[tCO2e] = EG[MWh] × EF_grid[tCO2/MWh] (location-based, CEA)",
    inputs,
    params.sha256 === undefined ? {} : { activity: params.sha256 },
  );
  b.factor("grid", row);
  const mwh = b.step("electricityMWh", `EG converted from ${unit} to MWh`, convert(field, quantity, unit, "MWh"), "MWh");
  const tco2e = b.step("scope2Tco2e", `EG × EF_grid (${version} ${variant})`, mwh.times(factorValue(row)), "tCO2e");
  return b.seal({ electricityMWh: { value: mwh, unit: "MWh" }, scope2Tco2e: { value: tco2e, unit: "tCO2e" } });
}

export type RenewableTechnology = "wind" | "solar" | "hydro" | "other";

export type RenewableReductionParameters = GridSelection & {
  exportMWh: DecimalInput;
  importMWh?: DecimalInput | undefined;
  technology: RenewableTechnology;
  methodology?: "ACM0002" | "AMS-I.D" | undefined;
  projectEmissionsT?: DecimalInput | undefined;
  leakageT?: DecimalInput | undefined;
  sha256?: string | undefined;
};

export function renewableEmissionReductions(
  params: RenewableReductionParameters,
  library: FactorLibrary = FACTORS,
): CalculationRecord {
  const exported = parseNonNegative("exportMWh", params.exportMWh);
  const imported = parseNonNegative("importMWh", params.importMWh ?? "0");
  const pe = parseNonNegative("projectEmissionsT", params.projectEmissionsT ?? "0");
  const le = parseDecimal("leakageT", params.leakageT ?? "0");
  if (!["wind", "solar", "hydro", "other"].includes(params.technology)) {
    throw new ValidationError("technology", `must be wind, solar, hydro or other, got ${JSON.stringify(params.technology)}`);
  }
  const methodology = params.methodology ?? "ACM0002";
  if (methodology !== "ACM0002" && methodology !== "AMS-I.D")
    throw new ValidationError("methodology", "must be ACM0002 or AMS-I.D");
  const variant: GridVariant =
    params.technology === "wind" || params.technology === "solar" ? "combined_margin_wind_solar" : "combined_margin";
  const version = selectVersion(params, library);
  const row = gridFactor("gridFactorVersion", version, variant, library);
  const inputs = {
    exportMWh: decimalString(exported),
    importMWh: decimalString(imported),
    technology: params.technology,
    methodology,
    projectEmissionsT: decimalString(pe),
    leakageT: decimalString(le),
    gridVersion: version,
    ...(params.periodEnd ? { periodEnd: params.periodEnd } : {}),
  };
  const b = new RecordBuilder(
    "renewable_emission_reductions",
    ELECTRICITY_VERSION,
    `EG_PJ = EG_export − EG_import; BE = EG_PJ × EF_grid,CM; ER = max(0, BE − PE − LE) (${methodology}, CDM Tool 07 v7.0)`,
    inputs,
    params.sha256 === undefined ? {} : { meterData: params.sha256 },
  );
  b.factor("gridCombinedMargin", row);
  const net = b.step("netExportMWh", "EG_export − EG_import", exported.minus(imported), "MWh");
  const be = b.step("baselineEmissionsT", `EG_PJ × EF_CM (${version} ${variant})`, net.times(factorValue(row)), "tCO2e");
  const raw = be.minus(pe).minus(le);
  const er = b.step("emissionReductionsT", "max(0, BE − PE − LE)", Decimal.max(raw, 0), "tCO2e");
  return b.seal({
    netExportMWh: { value: net, unit: "MWh" },
    baselineEmissionsT: { value: be, unit: "tCO2e" },
    emissionReductionsT: { value: er, unit: "tCO2e" },
  });
}
