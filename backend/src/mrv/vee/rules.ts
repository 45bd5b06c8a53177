/**
 * VEE validation rules (after Oracle Smart Grid Gateway's VEE rules and the `metering` crate's V01–V10), as one
 * pass per meter over the column table. Each rule, for meter M with config C (flags.ts):
 *
 * - `unparsable`: timestamps not ISO 8601, end not after start, value not a decimal of ≤ 6 fraction digits.
 * - `unknown_meter`: readings for a meter with no config (one flag: first reading, `detail.count`). Only the
 *   config-free rules run for it.
 * - `unit_unknown` / `unit_mismatch`: the reading's unit is not an accepted unit (units.ts), or differs from C.unit
 *   (`detail.sameDimension` says whether it would convert; it is flagged either way: a meter does not change unit).
 * - `timezone_missing`: start or end written without a UTC offset (a naive local time is ambiguous across DST).
 * - `timezone_offset`: the written offset differs from C.timeZone's offset at that instant (a clock applying DST
 *   where the zone has none, or not applying it where it has; a device set to the wrong zone).
 * - `out_of_order`: in arrival order a reading starts before the previous reading of M.
 * - In time order (start, end): `duplicate` (same interval, same value), `duplicate_conflict` (same interval,
 *   different value), `overlap` (starts before the latest end so far), `gap` (starts after the latest end so far;
 *   `detail.missingMinutes`, and `detail.missingIntervals` with C.intervalMinutes), `interval_size` (length ≠
 *   C.intervalMinutes).
 * - `negative`: value < 0 unless C.allowNegative; `zero`: value = 0 when C.allowZero is false.
 * - `rollover`: with C.registerDigits = d and R = 10^d units: an interval value v < −R/2 is a counter that wrapped
 *   (`detail.corrected` = v + R); for a register meter, a reading below its predecessor with the predecessor
 *   ≥ 0.9 R and the reading ≤ 0.1 R wrapped (`detail.consumption` = R − prev + cur). Any other decrease of a register
 *   is `counter_decrease` (meter reset or replaced).
 * - `spike`: the Hampel filter (hampel.ts) over interval values in time order (a reading already flagged
 *   `negative` or `rollover` is not reported again as a spike).
 * - `totaliser_mismatch`: see totaliser.ts.
 */
import { isKnownUnit, UNITS } from "../units";
import { scaledString } from "../decimal";
import { type Flag, type MeterConfig, sortFlags } from "./flags";
import { hampelSpikes, spikeSettings } from "./hampel";
import {
  type Reading,
  type ReadingTable,
  NO_OFFSET,
  VALUE_SCALE,
  prepareReadings,
  readingsByMeter,
  sortedByStart,
} from "./readings";
import { isTimeZone, zoneOffsetAt } from "./time";

export type ValidationResult = { table: ReadingTable; flags: Flag[] };

/** A meter config's own mistakes are the caller's (RangeError), not flags on the readings. */
function checkMeterConfig(m: MeterConfig): void {
  if (m.timeZone !== undefined && !isTimeZone(m.timeZone)) {
    throw new RangeError(`meter ${m.meterId}: unknown time zone ${m.timeZone}`);
  }
  if (m.registerDigits !== undefined && !(Number.isInteger(m.registerDigits) && m.registerDigits >= 1 && m.registerDigits <= 9)) {
    throw new RangeError(`meter ${m.meterId}: registerDigits must be an integer 1..9`);
  }
}

/** Validates `readings` against the meters' configs. Pure: same input, same flags in the same order. */
export function validateReadings(readings: readonly Reading[], meters: readonly MeterConfig[]): ValidationResult {
  const configs = new Map(meters.map((m) => [m.meterId, m]));
  for (const m of meters) checkMeterConfig(m);
  const { table, flags } = prepareReadings(readings);
  for (const [meterId, indices] of readingsByMeter(table)) {
    const config = configs.get(meterId);
    if (config === undefined) {
      flags.push({
        rule: "unknown_meter",
        meterId,
        readings: [indices[0] as number],
        message: `no meter ${meterId} is registered`,
        detail: { count: indices.length },
      });
    } else {
      checkUnits(table, indices, config, flags);
    }
    checkTimestamps(table, indices, config, flags);
    const order = sortedByStart(table, indices);
    checkSequence(table, order, config, flags);
    if (config !== undefined) {
      checkValues(table, order, config, flags);
      if ((config.kind ?? "interval") === "interval") {
        // one value verdict per reading: a negative or rolled-over value is not also reported as a spike
        const valueFlagged = new Set(
          flags
            .filter((f) => f.meterId === meterId && (f.rule === "negative" || f.rule === "rollover"))
            .map((f) => f.readings[0]),
        );
        for (const s of hampelSpikes(table, order, spikeSettings(`meter ${meterId}.spike`, config.spike))) {
          if (valueFlagged.has(s.index)) continue;
          flags.push({
            rule: "spike",
            meterId,
            readings: [s.index],
            message: `value deviates ${micro(s.deviation)} from the window median ${micro(s.median)}`,
            detail: { median: micro(s.median), deviation: micro(s.deviation), scaledMad: s.scaledMad },
          });
        }
      }
    }
  }
  return { table, flags: sortFlags(flags) };
}

function checkUnits(table: ReadingTable, indices: Int32Array, config: MeterConfig, flags: Flag[]): void {
  const expected = config.unit;
  for (const i of indices) {
    const unit = table.unit[i] as string;
    if (unit === expected) continue;
    if (!isKnownUnit(unit)) {
      flags.push({
        rule: "unit_unknown",
        meterId: config.meterId,
        readings: [i],
        message: `unknown unit ${JSON.stringify(unit)}`,
      });
    } else {
      const same = UNITS[unit] === UNITS[expected];
      flags.push({
        rule: "unit_mismatch",
        meterId: config.meterId,
        readings: [i],
        message: `unit ${unit} differs from the meter's ` +
          `${expected}${same ? "" : ` (${UNITS[unit]} instead of ${UNITS[expected] ?? "?"})`}`,
        detail: { unit, expected, sameDimension: same },
      });
    }
  }
}

function checkTimestamps(table: ReadingTable, indices: Int32Array, config: MeterConfig | undefined, flags: Flag[]): void {
  const meterId = table.meterId[indices[0] as number] as string;
  const zone = config?.timeZone;
  let previousStart = -Infinity;
  let previousIndex = -1;
  for (const i of indices) {
    const so = table.startOffset[i] as number;
    const eo = table.endOffset[i] as number;
    if (so === NO_OFFSET || eo === NO_OFFSET) {
      flags.push({ rule: "timezone_missing", meterId, readings: [i], message: "timestamp without a UTC offset" });
    } else if (zone !== undefined) {
      const expected = zoneOffsetAt(zone, table.startMs[i] as number);
      const expectedEnd = zoneOffsetAt(zone, table.endMs[i] as number);
      if (so !== expected || eo !== expectedEnd) {
        flags.push({
          rule: "timezone_offset",
          meterId,
          readings: [i],
          message: `offset ${offsetText(so)} / ${offsetText(eo)} differs from ${zone} (${offsetText(expected)} / ` +
            `${offsetText(expectedEnd)})`,
          detail: { written: offsetText(so), expected: offsetText(expected) },
        });
      }
    }
    const start = table.startMs[i] as number;
    if (start < previousStart) {
      flags.push({
        rule: "out_of_order",
        meterId,
        readings: [previousIndex, i],
        message: "arrived after a reading that starts later",
      });
    } else {
      previousStart = start;
      previousIndex = i;
    }
  }
}

function checkSequence(table: ReadingTable, order: Int32Array, config: MeterConfig | undefined, flags: Flag[]): void {
  const meterId = table.meterId[order[0] as number] as string;
  const intervalMs = config?.intervalMinutes === undefined ? undefined : config.intervalMinutes * 60_000;
  const { startMs, endMs, value } = table;
  let latestEnd = -Infinity;
  let latestIndex = -1;
  let previous = -1;
  for (const i of order) {
    const start = startMs[i] as number;
    const end = endMs[i] as number;
    if (intervalMs !== undefined && end - start !== intervalMs) {
      flags.push({
        rule: "interval_size",
        meterId,
        readings: [i],
        message: `interval of ${(end - start) / 60_000} min, expected ${config?.intervalMinutes}`,
        detail: { minutes: (end - start) / 60_000 },
      });
    }
    if (previous >= 0 && start === startMs[previous] && end === endMs[previous]) {
      const same = value[i] === value[previous];
      flags.push({
        rule: same ? "duplicate" : "duplicate_conflict",
        meterId,
        readings: [previous, i],
        message: same ? "same interval and value reported twice" : "same interval reported with different values",
      });
    } else if (start < latestEnd) {
      flags.push({
        rule: "overlap",
        meterId,
        readings: [latestIndex, i],
        message: `overlaps the reading ending ${new Date(latestEnd).toISOString()}`,
      });
    } else if (previous >= 0 && start > latestEnd) {
      const minutes = (start - latestEnd) / 60_000;
      flags.push({
        rule: "gap",
        meterId,
        readings: [latestIndex, i],
        message: `no reading for ${minutes} min from ${new Date(latestEnd).toISOString()}`,
        detail: {
          missingMinutes: minutes,
          ...(intervalMs === undefined ? {} : { missingIntervals: Math.floor((start - latestEnd) / intervalMs) }),
        },
      });
    }
    if (end > latestEnd) {
      latestEnd = end;
      latestIndex = i;
    }
    previous = i;
  }
}

function checkValues(table: ReadingTable, order: Int32Array, config: MeterConfig, flags: Flag[]): void {
  const meterId = config.meterId;
  const register = config.kind === "register";
  const modulus = config.registerDigits === undefined ? undefined : 10 ** (config.registerDigits + VALUE_SCALE);
  let previous = -1;
  for (const i of order) {
    const v = table.value[i] as number;
    if (!register && modulus !== undefined && v < -(modulus / 2)) {
      const corrected = micro(v + modulus);
      flags.push({
        rule: "rollover",
        meterId,
        readings: [i],
        message: `counter wrapped: ${corrected} after correction`,
        detail: { corrected },
      });
    } else if (v < 0 && config.allowNegative !== true) {
      flags.push({ rule: "negative", meterId, readings: [i], message: `negative value ${micro(v)}` });
    } else if (v === 0 && config.allowZero === false) {
      flags.push({ rule: "zero", meterId, readings: [i], message: "zero where the meter cannot read zero" });
    }
    if (register && previous >= 0) {
      const prev = table.value[previous] as number;
      if (v < prev) {
        if (modulus !== undefined && prev * 10 >= modulus * 9 && v * 10 <= modulus) {
          const consumption = micro(modulus - prev + v);
          flags.push({
            rule: "rollover",
            meterId,
            readings: [previous, i],
            message: `register wrapped; consumption ${consumption}`,
            detail: { consumption },
          });
        } else {
          flags.push({
            rule: "counter_decrease",
            meterId,
            readings: [previous, i],
            message: `register fell from ${micro(prev)} to ${micro(v)}`,
          });
        }
      }
    }
    previous = i;
  }
}

/** Decimal text of integer micro-units. */
function micro(v: number): string {
  return scaledString(BigInt(v), VALUE_SCALE);
}

function offsetText(minutes: number): string {
  if (minutes === NO_OFFSET) return "none";
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}
