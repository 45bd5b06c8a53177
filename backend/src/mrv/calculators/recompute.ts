/**
 * Recompute a stored record under other factor versions (a newer CEA database, another GWP set, a corrected IPCC
 * row) and show what changed. The record's own `inputs` are rerun through the same calculator with `changes`
 * merged over them; nothing else is read, so a recompute from an anchored record needs only that record and the
 * factor library.
 *
 * The diff lists every factor role whose row (id, version or value) differs and every output whose value differs,
 * with `delta = new − old` as a decimal string. An unchanged recompute has empty lists and the same resultHash.
 */
import { ValidationError } from "../../errors";
import { Decimal, decimalString } from "../decimal";
import { type FactorLibrary, FACTORS } from "../factors/library";
import { purchasedElectricity, renewableEmissionReductions } from "./electricity";
import { type CalculationRecord, type FactorUse, type InputValue, recordHash } from "./lineage";
import { processEmissions } from "./plantYear";
import { stationaryCombustion } from "./stationaryCombustion";

type Rerun = (inputs: never, library: FactorLibrary) => CalculationRecord;
const CALCULATORS: { [name: string]: Rerun } = {
  stationary_combustion: stationaryCombustion as Rerun,
  purchased_electricity: purchasedElectricity as Rerun,
  renewable_emission_reductions: renewableEmissionReductions as Rerun,
  process_emissions: processEmissions as Rerun,
};

export type FactorChange = { role: string; from: FactorUse | null; to: FactorUse | null };
export type OutputChange = { name: string; unit: string; from: string | null; to: string | null; delta: string | null };
export type RecomputeDiff = { factors: FactorChange[]; outputs: OutputChange[]; resultHash: { from: string; to: string } };
export type RecomputeResult = { previous: CalculationRecord; current: CalculationRecord; diff: RecomputeDiff };

export function recompute(
  previous: CalculationRecord,
  changes: { [key: string]: InputValue | undefined },
  library: FactorLibrary = FACTORS,
): RecomputeResult {
  const calculator = CALCULATORS[previous.calculation];
  if (calculator === undefined) throw new ValidationError("calculation", `cannot recompute ${previous.calculation} records`);
  const inputs = { ...previous.inputs, ...changes };
  // The version in force was resolved into `gridVersion` on the first run; clearing it lets the period decide again.
  if ("gridVersion" in changes && changes.gridVersion === undefined) delete inputs.gridVersion;
  const rerun = calculator(inputs as never, library);
  // Source hashes are not calculator inputs; they carry over unchanged, and the record is sealed again.
  const withHashes = { ...rerun, inputHashes: previous.inputHashes };
  const current = { ...withHashes, resultHash: recordHash(withHashes) };
  return { previous, current, diff: diffRecords(previous, current) };
}

export function diffRecords(a: CalculationRecord, b: CalculationRecord): RecomputeDiff {
  const factors: FactorChange[] = [];
  for (const role of [...new Set([...Object.keys(a.factors), ...Object.keys(b.factors)])].sort()) {
    const x = a.factors[role];
    const y = b.factors[role];
    if (x?.id !== y?.id || x?.version !== y?.version || x?.value !== y?.value)
      factors.push({ role, from: x ?? null, to: y ?? null });
  }
  const outputs: OutputChange[] = [];
  for (const name of [...new Set([...Object.keys(a.outputs), ...Object.keys(b.outputs)])].sort()) {
    const x = a.outputs[name];
    const y = b.outputs[name];
    if (x?.value === y?.value) continue;
    const delta = x !== undefined && y !== undefined ? decimalString(new Decimal(y.value).minus(x.value)) : null;
    outputs.push({ name, unit: (y ?? x)?.unit ?? "", from: x?.value ?? null, to: y?.value ?? null, delta });
  }
  return { factors, outputs, resultHash: { from: a.resultHash, to: b.resultHash } };
}
