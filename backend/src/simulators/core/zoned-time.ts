/**
 * Wall-clock time in an IANA time zone (Europe/London, America/Los_Angeles) from and to instants, with the
 * platform's Intl data (Node 20 ships full ICU). Registry rules are written in local time ("10:00 to 16:00 UK
 * time", "5 p.m. Pacific"), so the simulators compute in wall time and convert at the edges.
 */
export type WallTime = { year: number; month: number; day: number; hour: number; minute: number; second: number; millisecond?: number | undefined };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (found === undefined) {
    found = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, found);
  }
  return found;
}

/** The wall time in `zone` at `instant`. */
export function wallTimeIn(zone: string, instant: Date): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    millisecond: instant.getUTCMilliseconds(),
  };
}

function asUtcMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond ?? 0);
}

/**
 * The instant whose wall time in `zone` is `wall`. A wall time skipped by a daylight-saving change (01:30 on the
 * last Sunday of March in London) gives the instant one hour later, as java.time does.
 */
export function instantOf(zone: string, wall: WallTime): Date {
  const target = asUtcMs(wall);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const offset = asUtcMs(wallTimeIn(zone, new Date(guess))) - guess;
    const next = target - offset;
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

/** `YYYY-MM-DD` of a wall time (or of plain date fields). */
export function isoDate(wall: Pick<WallTime, "year" | "month" | "day">): string {
  return `${String(wall.year).padStart(4, "0")}-${String(wall.month).padStart(2, "0")}-${String(wall.day).padStart(2, "0")}`;
}

/** The calendar date `days` after `date` (`YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, day + days));
  return isoDate({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() });
}

/** ISO weekday of a calendar date: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/** Minutes since midnight of a wall time, with seconds as a fraction (16:00:01 is after 16:00). */
export function minuteOfDay(wall: WallTime): number {
  return wall.hour * 60 + wall.minute + wall.second / 60 + (wall.millisecond ?? 0) / 60_000;
}
