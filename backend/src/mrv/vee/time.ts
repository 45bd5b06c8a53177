/**
 * Time for the VEE hot path: a hand-written ISO 8601 parser (no Date.parse, no regex: millions per second) and the
 * UTC offset of an IANA time zone at an instant, cached per zone and day.
 *
 * Instants are epoch milliseconds as JavaScript numbers: they are integers far below 2^53, never quantities.
 */

/** Marks "no offset in the text" in an offset array. */
export const NO_OFFSET = -32768;

export type ParsedInstant = { ms: number; offsetMinutes: number };

const DAY_MS = 86_400_000;

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The offset written in the text last parsed by parseInstantMs (NO_OFFSET when it had none). */
export let parsedOffset = NO_OFFSET;
let memoY = -1;
let memoM = -1;
let memoD = -1;
let memoDays = 0;

/**
 * Parses `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]` (a space may stand for `T`) to epoch ms, NaN for anything
 * else or an impossible date, and leaves the written offset in `parsedOffset` (no object per call: this runs
 * twice per reading). Without an offset the instant is read as UTC and `parsedOffset` is NO_OFFSET, so the caller
 * can flag the missing zone instead of guessing one.
 */
export function parseInstantMs(s: unknown): number {
  if (typeof s !== "string" || s.length < 16) return Number.NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sep = s.charCodeAt(10);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59) return Number.NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || s.charCodeAt(13) !== 58)
    return Number.NaN;
  if (y !== memoY || mo !== memoM || d !== memoD) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (d > (DAYS_IN_MONTH[mo - 1] as number) || (mo === 2 && d === 29 && !leap)) return Number.NaN;
    memoDays = daysFromCivil(y, mo, d);
    memoY = y;
    memoM = mo;
    memoD = d;
  }
  let i = 16;
  let sec = 0;
  let ms = 0;
  if (s.charCodeAt(i) === 58) {
    sec = digits(s, i + 1, 2);
    if (sec < 0 || sec > 59) return Number.NaN;
    i += 3;
    if (s.charCodeAt(i) === 46) {
      i++;
      let scale = 100;
      const from = i;
      while (i < s.length) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        i++;
      }
      if (i === from || i - from > 3) return Number.NaN; // millisecond precision at most
    }
  }
  let offset = NO_OFFSET;
  if (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 90 /* Z */ && i + 1 === s.length) {
      offset = 0;
    } else if (c === 43 || c === 45) {
      const oh = digits(s, i + 1, 2);
      const hasColon = s.charCodeAt(i + 3) === 58;
      const om = digits(s, i + (hasColon ? 4 : 3), 2);
      if (oh < 0 || oh > 18 || om < 0 || om > 59 || i + (hasColon ? 6 : 5) !== s.length) return Number.NaN;
      offset = (c === 45 ? -1 : 1) * (oh * 60 + om);
    } else {
      return Number.NaN;
    }
  }
  parsedOffset = offset;
  const local = memoDays * DAY_MS + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
  return offset === NO_OFFSET ? local : local - offset * 60_000;
}

/** parseInstantMs as an object, for callers off the hot path. */
export function parseInstant(s: unknown): ParsedInstant | undefined {
  const ms = parseInstantMs(s);
  return Number.isNaN(ms) ? undefined : { ms, offsetMinutes: parsedOffset };
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const dayOffsets = new Map<string, Map<number, number>>();
const quarterOffsets = new Map<string, Map<number, number>>();

function intlOffset(zone: string, ms: number): number {
  let fmt = offsetFormats.get(zone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    offsetFormats.set(zone, fmt);
  }
  const name = fmt.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (m === null || m[1] === undefined) return 0;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** True when `zone` is an IANA zone this runtime knows. */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== "string") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The UTC offset (minutes) of `zone` at instant `ms`. The offset at the start and the end of each UTC day is
 * looked up once; when they agree the whole day has it (real zones change offset at most once a day), otherwise
 * that day is resolved to the quarter hour.
 */
export function zoneOffsetAt(zone: string, ms: number): number {
  let days = dayOffsets.get(zone);
  if (days === undefined) {
    days = new Map();
    dayOffsets.set(zone, days);
  }
  const day = Math.floor(ms / DAY_MS);
  let cached = days.get(day);
  if (cached === undefined) {
    const a = intlOffset(zone, day * DAY_MS);
    const b = intlOffset(zone, day * DAY_MS + DAY_MS - 1);
    cached = a === b ? a : Number.NaN;
    days.set(day, cached);
  }
  if (!Number.isNaN(cached)) return cached;
  let quarters = quarterOffsets.get(zone);
  if (quarters === undefined) {
    quarters = new Map();
    quarterOffsets.set(zone, quarters);
  }
  const quarter = Math.floor(ms / 900_000);
  let q = quarters.get(quarter);
  if (q === undefined) {
    q = intlOffset(zone, quarter * 900_000);
    quarters.set(quarter, q);
  }
  return q;
}
