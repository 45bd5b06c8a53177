/**
 * Interval readings as columns, ready for the VEE rules.
 *
 * A reading is `{meterId, start, end, value, unit, quality}` as a meter, SCADA export or CSV mapping delivers it
 * (any interval: Indian meters use 15-minute blocks, others 1, 30 or 60 minutes). `prepareReadings` turns an
 * array of them into typed columns once:
 *
 * - `start`/`end`: epoch ms (Float64Array) and the UTC offset written in the text (Int16Array minutes, NO_OFFSET
 *   when the text had none);
 * - `value`: **integer fixed-point, micro-units** (10^-6 of the reading's unit), parsed digit by digit from the
 *   decimal text without decimal.js and without float arithmetic on fractions. The integers are held in a
 *   Float64Array, where every integer below 2^53 is exact: no bigint object per reading (allocation dominated
 *   the first version, which stored a BigInt64Array, at 1/3 of the speed). A value with more than 6 fraction
 *   digits, or of 2^52 micro-units (about 4.5e9 units) or more, is not rounded but flagged `unparsable`. Every
 *   rule compares, subtracts or medians these integers, which stays exact; sums and products that could leave
 *   the exact range are done in bigint (totaliser.ts, hampel.ts, substitution.ts);
 * - `ok`: 0 for a reading whose value or timestamps could not be read; the other rules skip those.
 *
 * The reading's index in the input array is its identity in every flag.
 */
import { parseScaledNumber } from "../decimal";
import { type Flag } from "./flags";
import { NO_OFFSET, parseInstantMs, parsedOffset } from "./time";

export const VALUE_SCALE = 6;

export type Reading = {
  meterId: string;
  start: string;
  end: string;
  value: string | number;
  unit: string;
  quality?: string | undefined;
};

export type ReadingTable = {
  readonly count: number;
  readonly meterId: string[];
  readonly unit: string[];
  readonly quality: string[];
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  readonly startOffset: Int16Array;
  readonly endOffset: Int16Array;
  readonly value: Float64Array;
  readonly ok: Uint8Array;
};

/** Builds the columns; returns the `unparsable` flags found on the way. */
export function prepareReadings(readings: readonly Reading[]): { table: ReadingTable; flags: Flag[] } {
  const n = readings.length;
  const table = {
    count: n,
    meterId: new Array<string>(n),
    unit: new Array<string>(n),
    quality: new Array<string>(n),
    startMs: new Float64Array(n),
    endMs: new Float64Array(n),
    startOffset: new Int16Array(n),
    endOffset: new Int16Array(n),
    value: new Float64Array(n),
    ok: new Uint8Array(n),
  };
  const flags: Flag[] = [];
  // A series' end text is usually the next reading's start text: parse each distinct text once.
  let lastText: unknown;
  let lastMs = Number.NaN;
  let lastOffset = NO_OFFSET;
  for (let i = 0; i < n; i++) {
    const r = readings[i] as Reading;
    const meterId = typeof r.meterId === "string" ? r.meterId : String(r.meterId);
    table.meterId[i] = meterId;
    table.unit[i] = typeof r.unit === "string" ? r.unit : "";
    table.quality[i] = typeof r.quality === "string" ? r.quality : "";
    let startMs: number;
    let startOffset: number;
    if (r.start === lastText) {
      startMs = lastMs;
      startOffset = lastOffset;
    } else {
      startMs = parseInstantMs(r.start);
      startOffset = parsedOffset;
    }
    const endMs = parseInstantMs(r.end);
    const endOffset = parsedOffset;
    lastText = r.end;
    lastMs = endMs;
    lastOffset = endOffset;
    const micro = parseScaledNumber(r.value, VALUE_SCALE);
    let problem: string | undefined;
    if (Number.isNaN(startMs)) problem = `start ${JSON.stringify(r.start)} is not an ISO 8601 date-time`;
    else if (Number.isNaN(endMs)) problem = `end ${JSON.stringify(r.end)} is not an ISO 8601 date-time`;
    else if (endMs <= startMs) problem = `end ${r.end} is not after start ${r.start}`;
    else if (Number.isNaN(micro)) {
      problem = `value ${JSON.stringify(r.value)} is not a decimal with at most ${VALUE_SCALE} fraction digits below 4.5e9`;
    }
    if (problem !== undefined) {
      flags.push({ rule: "unparsable", meterId, readings: [i], message: problem ?? "unreadable reading" });
      continue;
    }
    table.startMs[i] = startMs;
    table.endMs[i] = endMs;
    table.startOffset[i] = startOffset;
    table.endOffset[i] = endOffset;
    table.value[i] = micro;
    table.ok[i] = 1;
  }
  return { table, flags };
}

/** Indices of each meter's readable readings, in input (arrival) order. Two passes, no array growth. */
export function readingsByMeter(table: ReadingTable): Map<string, Int32Array> {
  const ordinal = new Map<string, number>();
  const counts: number[] = [];
  const groupOf = new Int32Array(table.count);
  let lastId: string | undefined;
  let last = -1;
  for (let i = 0; i < table.count; i++) {
    if (table.ok[i] === 0) {
      groupOf[i] = -1;
      continue;
    }
    const id = table.meterId[i] as string;
    if (id !== lastId) {
      let o = ordinal.get(id);
      if (o === undefined) {
        o = counts.length;
        ordinal.set(id, o);
        counts.push(0);
      }
      last = o;
      lastId = id;
    }
    groupOf[i] = last;
    counts[last] = (counts[last] as number) + 1;
  }
  const arrays = counts.map((c) => new Int32Array(c));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < table.count; i++) {
    const o = groupOf[i] as number;
    if (o < 0) continue;
    (arrays[o] as Int32Array)[(fill[o] as number)++] = i;
  }
  return new Map([...ordinal].map(([id, o]) => [id, arrays[o] as Int32Array]));
}

/** `indices` ordered by (start, end, input index); returned as is when already ordered (the usual case). */
export function sortedByStart(table: ReadingTable, indices: Int32Array): Int32Array {
  const { startMs, endMs } = table;
  let sorted = true;
  for (let k = 1; k < indices.length; k++) {
    const a = indices[k - 1] as number;
    const b = indices[k] as number;
    if (startMs[a]! > startMs[b]! || (startMs[a] === startMs[b] && endMs[a]! > endMs[b]!)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return indices;
  return Int32Array.from(indices).sort((a, b) => startMs[a]! - startMs[b]! || endMs[a]! - endMs[b]! || a - b);
}

export { NO_OFFSET };
