/**
 * MRV core (issue 17): the pure, deterministic part of measurement, reporting and verification. No database, no
 * I/O beyond the factor data shipped in `backend/data/factors/`. The ingestion pipeline, storage, verifier review
 * and anchoring build on it in later stages. docs/mrv.md is the reader's guide; each file's doc is its spec.
 *
 * - `decimal.ts`   decimal.js configured once (50 digits, half-even), decimal parsing that names the bad field,
 *                  and integer fixed-point parsing for the hot paths.
 * - `units.ts`     mathjs (BigNumber) unit conversion behind an allow-list: energy TJ/GJ/MWh/kWh, mass t/kt/Gg/kg,
 *                  volume m3/l/kl, CO2e tCO2e/kgCO2e. Unknown unit or dimension mismatch: ValidationError.
 * - `factors/`     the versioned factor library (IPCC 2006 Vol. 2, CEA CO2 Baseline Database v20/v21, GWP SAR-AR6)
 *                  and the rule for the version in force.
 * - `calculators/` stationary combustion, purchased electricity, renewable emission reductions, process
 *                  emissions, plant-year GEI; each returns a lineage record (lineage.ts) that recomputes byte for
 *                  byte; `recompute` reruns a record under newer factors and diffs it.
 * - `vee/`         validation of interval readings (gaps, overlaps, duplicates, order, spikes, negatives, zeros,
 *                  rollover, DST/time zone, units, totaliser sums) and named substitution rules.
 * - `triangulation.ts` meter/check meter/JMR/invoice/fuel-balance cross-checks against materiality.
 * - `canonical.ts` canonical JSON and SHA-256 of results.
 */
export {
  Decimal,
  type DecimalInput,
  decimalString,
  parseDecimal,
  parseNonNegative,
  parseScaled,
  parseScaledNumber,
  scaledString,
} from "./decimal";
export { type Dimension, UNITS, conversionFactor, convert, dimensionOf } from "./units";
export { canonicalHash, canonicalJson, sha256Hex } from "./canonical";
export {
  type CombustionCategory,
  type FactorLibrary,
  type FactorRow,
  type GridVariant,
  FACTORS,
  fuelFactors,
  gridFactor,
  gridVersionInForce,
  gridVersions,
  gwpSet,
  ipccFuels,
  loadFactorLibrary,
} from "./factors/library";
export { type CalculationRecord, type FactorUse, CODE_VERSION, RecordBuilder, recordHash } from "./calculators/lineage";
export { type StationaryCombustionParameters, stationaryCombustion } from "./calculators/stationaryCombustion";
export {
  type PurchasedElectricityParameters,
  type RenewableReductionParameters,
  purchasedElectricity,
  renewableEmissionReductions,
} from "./calculators/electricity";
export {
  type PlantYearGeiParameters,
  type ProcessEmissionsParameters,
  plantYearGei,
  processEmissions,
  recordCo2e,
} from "./calculators/plantYear";
export { type RecomputeDiff, type RecomputeResult, diffRecords, recompute } from "./calculators/recompute";
export { type Flag, type MeterConfig, type VeeRule, VEE_RULES } from "./vee/flags";
export { type Reading, type ReadingTable, VALUE_SCALE, prepareReadings } from "./vee/readings";
export { type ValidationResult, validateReadings } from "./vee/rules";
export { type Substitution, type SubstitutionPlan, SUBSTITUTION_RULES, substitute } from "./vee/substitution";
export { type TotaliserCheck, checkTotaliser } from "./vee/totaliser";
export {
  type Materiality,
  type Source,
  type TriangulationResult,
  checkFuelBalance,
  checkJmrInvoice,
  checkMeterReadings,
  materialityFraction,
} from "./triangulation";
