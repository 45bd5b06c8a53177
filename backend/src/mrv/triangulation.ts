/**
 * Triangulation: every monitored parameter against independent sources, before a verifier does it.
 *
 * Materiality (the threshold a difference must exceed to be a finding) is a parameter:
 * - CDM (decision 9/CMP.7, carried into the CDM validation and verification standard), as a share of the
 *   project's annual emission reductions ER: 0.5 % when ER > 500,000 t; 1 % when 300,000 ≤ ER ≤ 500,000 t; 2 % for
 *   other large-scale activities (ER < 300,000 t); 5 % for small-scale; 10 % for micro-scale. The text says
 *   "300,000 to 500,000" and "up to 300,000": exactly 300,000 t is given the stricter 1 %.
 * - ISO 14064-3: the verification engagement sets its own threshold (`{ scheme: "iso14064-3", fraction }`).
 *
 * A comparison of a primary value P with a reference value R (each source's value converted to one unit):
 *
 *   Δ = P − R;  relative = |Δ| / |R|
 *   finding ⇔ |Δ| × effect > fraction × basis      when an emission effect is given (tCO2e per unit of the
 *                                                   parameter) and a basis (the annual ER or emissions, tCO2e):
 *                                                   CDM's test, materiality measured on the result
 *   finding ⇔ relative > fraction                  otherwise (the difference measured on the parameter itself)
 *
 * Checks: meter vs check meter vs the utility's joint meter reading (JMR), JMR vs invoice, fuel invoices vs
 * (consumption + closing stock − opening stock). A parameter with one source, or whose sources are all
 * self-reported, is `uncorroborated` (it must not enter an issuance request, a Form A or a claim) whatever its
 * values. Decimal arithmetic throughout (a handful of figures per parameter: no hot path).
 */
import { ValidationError } from "../errors";
import { type DecimalInput, Decimal, decimalString, parseDecimal, parseNonNegative } from "./decimal";
import { convert } from "./units";

export type Materiality =
  | { scheme: "cdm"; scale: "large" | "small" | "micro"; annualReductionsT: DecimalInput }
  | { scheme: "iso14064-3"; fraction: DecimalInput };

/** The materiality fraction for a scheme (CDM table above, or the engagement's own). */
export function materialityFraction(m: Materiality): Decimal {
  if (m.scheme === "iso14064-3") {
    const f = parseNonNegative("materiality.fraction", m.fraction, { allowZero: false });
    if (f.greaterThan(1)) throw new ValidationError("materiality.fraction", "must be at most 1 (a share, e.g. 0.05)");
    return f;
  }
  if (m.scale === "micro") return new Decimal("0.10");
  if (m.scale === "small") return new Decimal("0.05");
  if (m.scale !== "large") throw new ValidationError("materiality.scale", "must be large, small or micro");
  const er = parseNonNegative("materiality.annualReductionsT", m.annualReductionsT);
  if (er.greaterThan(500_000)) return new Decimal("0.005");
  if (er.greaterThanOrEqualTo(300_000)) return new Decimal("0.01");
  return new Decimal("0.02");
}

export type SourceKind = "meter" | "check_meter" | "jmr" | "invoice" | "stock" | "lab" | "self_declared" | "other";
export type Source = {
  id: string;
  kind: SourceKind;
  /** False when the figure comes from the reporting entity itself (its own meter read, its own register). */
  independent: boolean;
  value: DecimalInput;
  unit: string;
  sha256?: string | undefined;
};

export type Comparison = {
  check: string;
  primary: string;
  reference: string;
  primaryValue: string;
  referenceValue: string;
  unit: string;
  difference: string;
  relative: string | null;
  threshold: string;
  finding: boolean;
};

export type TriangulationResult = {
  parameter: string;
  status: "corroborated" | "finding" | "uncorroborated";
  comparisons: Comparison[];
  message: string;
};

export type CompareOptions = {
  fraction: Decimal;
  /** tCO2e per unit of `unit` and the basis (annual ER or emissions): judge materiality on the result. */
  effect?: { tco2ePerUnit: DecimalInput; basisT: DecimalInput } | undefined;
};

function compare(check: string, p: Source, r: Source, unit: string, options: CompareOptions): Comparison {
  const pv = convert(`${p.id}.unit`, parseDecimal(`${p.id}.value`, p.value), p.unit, unit);
  const rv = convert(`${r.id}.unit`, parseDecimal(`${r.id}.value`, r.value), r.unit, unit);
  const diff = pv.minus(rv);
  const relative = rv.isZero() ? null : diff.abs().dividedBy(rv.abs());
  let finding: boolean;
  let threshold: Decimal;
  if (options.effect !== undefined) {
    const effect = parseNonNegative("effect.tco2ePerUnit", options.effect.tco2ePerUnit);
    const basis = parseNonNegative("effect.basisT", options.effect.basisT);
    threshold = options.fraction.times(basis);
    finding = diff.abs().times(effect).greaterThan(threshold);
  } else {
    threshold = options.fraction;
    finding = relative === null ? !diff.isZero() : relative.greaterThan(threshold);
  }
  return {
    check,
    primary: p.id,
    reference: r.id,
    primaryValue: decimalString(pv),
    referenceValue: decimalString(rv),
    unit,
    difference: decimalString(diff),
    relative: relative === null ? null : decimalString(relative.toDecimalPlaces(6)),
    threshold: decimalString(threshold),
    finding,
  };
}

function result(parameter: string, sources: readonly Source[], comparisons: Comparison[]): TriangulationResult {
  if (sources.length < 2 || sources.every((s) => !s.independent)) {
    const why = sources.length < 2 ? "only one source" : "no independent source";
    return {
      parameter,
      status: "uncorroborated",
      comparisons,
      message: `${parameter}: ${why}; cannot enter an issuance request, Form A or claim`,
    };
  }
  const findings = comparisons.filter((c) => c.finding);
  if (findings.length === 0)
    return { parameter, status: "corroborated", comparisons, message: `${parameter}: sources agree within materiality` };
  const list = findings.map((f) => `${f.primary} vs ${f.reference}: ${f.difference} ${f.unit}`).join("; ");
  return {
    parameter,
    status: "finding",
    comparisons,
    message: `${parameter}: above materiality (${list}); the verifier must close it`,
  };
}

/** Primary meter against the check meter and the JMR (each that is given). */
export function checkMeterReadings(
  parameter: string,
  sources: { meter: Source; checkMeter?: Source | undefined; jmr?: Source | undefined },
  unit: string,
  options: CompareOptions,
): TriangulationResult {
  const all = [sources.meter, sources.checkMeter, sources.jmr].filter((s): s is Source => s !== undefined);
  const comparisons: Comparison[] = [];
  if (sources.checkMeter) comparisons.push(compare("meter_vs_check_meter", sources.meter, sources.checkMeter, unit, options));
  if (sources.jmr) comparisons.push(compare("meter_vs_jmr", sources.meter, sources.jmr, unit, options));
  return result(parameter, all, comparisons);
}

/** The JMR against the invoice billed on it. */
export function checkJmrInvoice(
  parameter: string,
  jmr: Source,
  invoice: Source,
  unit: string,
  options: CompareOptions,
): TriangulationResult {
  return result(parameter, [jmr, invoice], [compare("jmr_vs_invoice", jmr, invoice, unit, options)]);
}

/**
 * Fuel balance: purchases on invoices against what the plant says it burnt plus its stock change.
 *   implied consumption = Σ invoices − (closing stock − opening stock); compared with the reported consumption.
 */
export function checkFuelBalance(
  parameter: string,
  inputs: { invoices: readonly Source[]; openingStock: Source; closingStock: Source; consumption: Source },
  unit: string,
  options: CompareOptions,
): TriangulationResult {
  if (inputs.invoices.length === 0) {
    return result(parameter, [inputs.consumption], []);
  }
  const inUnit = (s: Source) => convert(`${s.id}.unit`, parseDecimal(`${s.id}.value`, s.value), s.unit, unit);
  const purchased = inputs.invoices.reduce((sum, s) => sum.plus(inUnit(s)), new Decimal(0));
  const implied = purchased.minus(inUnit(inputs.closingStock).minus(inUnit(inputs.openingStock)));
  const balance: Source = {
    id: "invoices_minus_stock_change",
    kind: "invoice",
    independent: inputs.invoices.some((s) => s.independent),
    value: decimalString(implied),
    unit,
  };
  const sources = [inputs.consumption, ...inputs.invoices, inputs.openingStock, inputs.closingStock];
  return result(parameter, sources, [compare("consumption_vs_fuel_balance", inputs.consumption, balance, unit, options)]);
}
