/**
 * VEE flags and meter configuration. A flag names its rule and the reading(s) it concerns (indices into the input
 * array), says what is wrong in words, and carries the numbers in `detail` (decimal strings for quantities).
 * Flags never change or drop a reading; estimation happens only through a named rule (substitution.ts).
 */
export const VEE_RULES = [
  "unparsable",
  "unknown_meter",
  "unit_unknown",
  "unit_mismatch",
  "timezone_missing",
  "timezone_offset",
  "out_of_order",
  "duplicate",
  "duplicate_conflict",
  "overlap",
  "gap",
  "interval_size",
  "negative",
  "zero",
  "spike",
  "rollover",
  "counter_decrease",
  "totaliser_mismatch",
] as const;
export type VeeRule = (typeof VEE_RULES)[number];

export type Flag = {
  rule: VeeRule;
  meterId: string;
  /** Reading indices; for range checks (totaliser) the first and last of the range, with `detail.count`. */
  readings: number[];
  message: string;
  detail?: { [key: string]: string | number | boolean } | undefined;
};

/** Per-meter settings the rules read. Everything but `meterId` and `unit` is optional. */
export type MeterConfig = {
  meterId: string;
  /** The unit the meter is registered with (`kWh`, `MWh`, `m3`, `t`, ...). */
  unit: string;
  /** Nominal interval length in minutes (15 for Indian ABT meters); enables `interval_size` and gap counts. */
  intervalMinutes?: number | undefined;
  /** IANA zone of the meter's clock (`Asia/Kolkata`); enables `timezone_offset`. */
  timeZone?: string | undefined;
  /** `interval` (value = consumption in the interval, default) or `register` (value = cumulative counter). */
  kind?: "interval" | "register" | undefined;
  /** Counter digits before the integer part rolls over (6 → 999999 then 0); enables `rollover`. */
  registerDigits?: number | undefined;
  /** Default false: a negative consumption is flagged. An export/import net meter sets true. */
  allowNegative?: boolean | undefined;
  /** Default true. A meter that can never read zero (a furnace's fuel meter while operating) sets false. */
  allowZero?: boolean | undefined;
  /** Hampel filter (hampel.ts): half window k (default 3, so 7 points), threshold t in scaled MADs (default "3"),
   * an absolute deviation below which nothing is a spike (default "0", in the meter's unit), and the spread floor
   * as a share of the window median (default "0.05"). */
  spike?: { halfWindow?: number; threshold?: string; minDeviation?: string; relativeFloor?: string } | undefined;
};

/** Deterministic order: by first reading index, then rule. */
export function sortFlags(flags: Flag[]): Flag[] {
  return flags.sort((a, b) => (a.readings[0] ?? -1) - (b.readings[0] ?? -1) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}
