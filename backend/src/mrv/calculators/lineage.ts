/**
 * The lineage record every calculator returns: enough for an auditor to recompute the figure by hand or by code.
 *
 * ```
 * {
 *   calculation: "stationary_combustion",     // which calculator
 *   calculatorVersion: "1",                   // bumped when a formula or a selection rule changes
 *   codeVersion: "carbon-custody@0.1.0",      // the package that ran it
 *   formula: "E = Q × NCV; m_g = E × EF_g; CO2e = Σ m_g × GWP_g",
 *   inputs: { ... },                          // the normalised inputs (decimal strings), rerunnable as they are
 *   inputHashes: { "activity": "ab12…" },     // SHA-256 of the source documents/readings, when the caller has them
 *   factors: { "ncv": { id, version, value, unit, status }, ... },   // every library row used, by role
 *   steps: [ { name, formula, value, unit } ],                       // intermediate figures, in order
 *   outputs: { "totalCo2eT": { value, unit } },                      // the results, decimal strings
 *   resultHash: "…"                           // SHA-256 of the canonical JSON of everything above
 * }
 * ```
 *
 * The record holds no timestamps, no floats and no machine-specific data, so the same inputs and library give
 * byte-identical canonical JSON (canonical.ts) and the same `resultHash`.
 */
import packageJson from "../../../../package.json";
import { canonicalHash } from "../canonical";
import { type Decimal, decimalString } from "../decimal";
import type { FactorRow } from "../factors/library";

export const CODE_VERSION = `${packageJson.name}@${packageJson.version}`;

export type FactorUse = { id: string; version: string; value: string; unit: string; status: FactorRow["check"]["status"] };
export type Figure = { value: string; unit: string };
export type Step = { name: string; formula: string; value: string; unit: string };
export type InputValue = string | boolean | null | InputValue[] | { [key: string]: InputValue };

export type CalculationRecord = {
  calculation: string;
  calculatorVersion: string;
  codeVersion: string;
  formula: string;
  inputs: { [key: string]: InputValue };
  inputHashes: { [key: string]: string };
  factors: { [role: string]: FactorUse };
  steps: Step[];
  outputs: { [name: string]: Figure };
  resultHash: string;
};

/** What a factor row contributes to a record. */
export function factorUse(row: FactorRow): FactorUse {
  return { id: row.id, version: row.version, value: row.value, unit: row.unit, status: row.check.status };
}

/** Collects steps while a calculator runs, then seals the record with its hash. */
export class RecordBuilder {
  private readonly steps: Step[] = [];
  private readonly factors: { [role: string]: FactorUse } = {};

  constructor(
    private readonly calculation: string,
    private readonly calculatorVersion: string,
    private readonly formula: string,
    private readonly inputs: { [key: string]: InputValue },
    private readonly inputHashes: { [key: string]: string } = {},
  ) {}

  factor(role: string, row: FactorRow | FactorUse): void {
    this.factors[role] = "check" in row ? factorUse(row) : row;
  }

  step(name: string, formula: string, value: Decimal, unit: string): Decimal {
    this.steps.push({ name, formula, value: decimalString(value), unit });
    return value;
  }

  seal(outputs: { [name: string]: { value: Decimal; unit: string } }): CalculationRecord {
    const body = {
      calculation: this.calculation,
      calculatorVersion: this.calculatorVersion,
      codeVersion: CODE_VERSION,
      formula: this.formula,
      inputs: this.inputs,
      inputHashes: this.inputHashes,
      factors: this.factors,
      steps: this.steps,
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: decimalString(v.value), unit: v.unit }])),
    };
    return { ...body, resultHash: canonicalHash(body) };
  }
}

/** Recomputes the hash of a record (everything but `resultHash`): an auditor's integrity check. */
export function recordHash(record: CalculationRecord): string {
  const { resultHash: _ignored, ...body } = record;
  return canonicalHash(body);
}
