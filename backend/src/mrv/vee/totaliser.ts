/**
 * Sum check against a totaliser (Oracle SGG "sum check"): the interval readings of a meter over [from, to] must
 * add up to what its cumulative register (the totaliser) advanced over the same span.
 *
 *   Σ = Σ v_i over readable readings of meter M with start ≥ from.at and end ≤ to.at
 *   Δ = to.register − from.register            (+ 10^digits when the register wrapped once: Δ < 0 and digits given)
 *   totaliser_mismatch ⇔ |Σ − Δ| > tolerance   (absolute, in the meter's unit)
 *
 * All in integer micro-units. The flag names the first and last reading of the span and their count.
 */
import { ValidationError } from "../../errors";
import { parseScaled, scaledString } from "../decimal";
import type { Flag } from "./flags";
import { type ReadingTable, VALUE_SCALE } from "./readings";
import { parseInstant } from "./time";

export type TotaliserCheck = {
  meterId: string;
  from: { at: string; register: string | number };
  to: { at: string; register: string | number };
  tolerance: string | number;
  registerDigits?: number | undefined;
};

export function checkTotaliser(table: ReadingTable, check: TotaliserCheck): Flag | undefined {
  const from = parseInstant(check.from.at);
  const to = parseInstant(check.to.at);
  if (from === undefined) throw new ValidationError("from.at", "must be an ISO 8601 date-time");
  if (to === undefined || to.ms <= from.ms) throw new ValidationError("to.at", "must be an ISO 8601 date-time after from.at");
  const r0 = parseScaled(check.from.register, VALUE_SCALE);
  const r1 = parseScaled(check.to.register, VALUE_SCALE);
  const tolerance = parseScaled(check.tolerance, VALUE_SCALE);
  if (r0 === undefined) throw new ValidationError("from.register", "must be a decimal");
  if (r1 === undefined) throw new ValidationError("to.register", "must be a decimal");
  if (tolerance === undefined || tolerance < 0n) throw new ValidationError("tolerance", "must be a non-negative decimal");
  let sum = 0n;
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 0; i < table.count; i++) {
    if (table.ok[i] === 0 || table.meterId[i] !== check.meterId) continue;
    if ((table.startMs[i] as number) < from.ms || (table.endMs[i] as number) > to.ms) continue;
    sum += BigInt(table.value[i] as number);
    if (first < 0) first = i;
    last = i;
    count++;
  }
  let delta = r1 - r0;
  if (delta < 0n && check.registerDigits !== undefined) delta += 10n ** BigInt(check.registerDigits + VALUE_SCALE);
  const diff = sum > delta ? sum - delta : delta - sum;
  if (diff <= tolerance) return undefined;
  return {
    rule: "totaliser_mismatch",
    meterId: check.meterId,
    readings: first < 0 ? [] : [first, last],
    message: `readings sum to ${scaledString(sum, VALUE_SCALE)}, the totaliser advanced ${scaledString(delta, VALUE_SCALE)}`,
    detail: {
      sum: scaledString(sum, VALUE_SCALE),
      totaliser: scaledString(delta, VALUE_SCALE),
      difference: scaledString(diff, VALUE_SCALE),
      count,
    },
  };
}
