/**
 * Estimation and substitution, only by a recorded, named rule. Nothing here edits a reading: each substitution is
 * a new record saying which rule (and rule version) produced which value for which interval, which reading it
 * replaces (null when it fills a gap) and which readings it was computed from, so the verifier sees the original,
 * the flag and the estimate side by side.
 *
 * Rules (choose per flag kind; a flag kind with no rule chosen gets no estimate):
 * - `linear_interpolation` (gaps; needs the meter's intervalMinutes): the m whole missing intervals between
 *   readings a and b get v_j = v_a + (v_b − v_a) × j / (m + 1), j = 1..m, in integer micro-units, the division
 *   truncated toward zero. A partial interval left over is not estimated (`detail` of the gap flag says so).
 * - `rollover_correction` (interval-meter rollover): v + 10^digits, the value the counter would have given.
 * - `window_median` (spikes): the Hampel window median the spike was measured against.
 */
import { parseScaled, scaledString } from "../decimal";
import type { Flag, MeterConfig } from "./flags";
import { type ReadingTable, VALUE_SCALE } from "./readings";

export const SUBSTITUTION_RULES = ["linear_interpolation", "rollover_correction", "window_median"] as const;
export type SubstitutionRule = (typeof SUBSTITUTION_RULES)[number];
export const SUBSTITUTION_RULE_VERSION = "1";

export type Substitution = {
  rule: SubstitutionRule;
  ruleVersion: string;
  flagRule: Flag["rule"];
  meterId: string;
  replaces: number | null;
  basis: number[];
  start: string;
  end: string;
  value: string;
  unit: string;
};

export type SubstitutionPlan = { gap?: "linear_interpolation"; rollover?: "rollover_correction"; spike?: "window_median" };

export function substitute(
  table: ReadingTable,
  flags: readonly Flag[],
  meters: readonly MeterConfig[],
  plan: SubstitutionPlan,
): Substitution[] {
  const configs = new Map(meters.map((m) => [m.meterId, m]));
  const out: Substitution[] = [];
  for (const flag of flags) {
    const config = configs.get(flag.meterId);
    if (config === undefined) continue;
    if (flag.rule === "gap" && plan.gap === "linear_interpolation" && config.intervalMinutes !== undefined) {
      for (const s of interpolateGap(table, flag, config, config.intervalMinutes)) out.push(s);
    } else if (flag.rule === "rollover" && plan.rollover === "rollover_correction" && flag.readings.length === 1) {
      const i = flag.readings[0] as number;
      out.push({
        ...base(flag, "rollover_correction"),
        replaces: i,
        basis: [i],
        ...interval(table, i),
        value: String(flag.detail?.corrected),
        unit: config.unit,
      });
    } else if (flag.rule === "spike" && plan.spike === "window_median") {
      const i = flag.readings[0] as number;
      const median = parseScaled(String(flag.detail?.median ?? ""), VALUE_SCALE);
      if (median === undefined) continue;
      out.push({
        ...base(flag, "window_median"),
        replaces: i,
        basis: [i],
        ...interval(table, i),
        value: scaledString(median, VALUE_SCALE),
        unit: config.unit,
      });
    }
  }
  return out;
}

function base(flag: Flag, rule: SubstitutionRule) {
  return { rule, ruleVersion: SUBSTITUTION_RULE_VERSION, flagRule: flag.rule, meterId: flag.meterId };
}

/** The missing intervals between the gap's two readings, their values on the straight line between them. */
function interpolateGap(table: ReadingTable, flag: Flag, config: MeterConfig, intervalMinutes: number): Substitution[] {
  const out: Substitution[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  const [a, b] = flag.readings as [number, number];
  const intervalMs = intervalMinutes * 60_000;
  const from = table.endMs[a] as number;
  const m = Math.floor(((table.startMs[b] as number) - from) / intervalMs);
  const va = BigInt(table.value[a] as number);
  const vb = BigInt(table.value[b] as number);
  for (let j = 1; j <= m; j++) {
    const v = va + ((vb - va) * BigInt(j)) / BigInt(m + 1);
    out.push({
      ...base(flag, "linear_interpolation"),
      replaces: null,
      basis: [a, b],
      start: iso(from + (j - 1) * intervalMs),
      end: iso(from + j * intervalMs),
      value: scaledString(v, VALUE_SCALE),
      unit: config.unit,
    });
  }
  return out;
}

function interval(table: ReadingTable, i: number): { start: string; end: string } {
  return { start: new Date(table.startMs[i] as number).toISOString(), end: new Date(table.endMs[i] as number).toISOString() };
}
