/**
 * Calendar dates as ISO `YYYY-MM-DD` strings (they compare correctly as strings), computed in UTC. Indian
 * financial years are named by their first calendar year: FY 2024 is 1 April 2024 to 31 March 2025 ("2024-25").
 */

function toDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

function toIso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const date = toDate(iso);
  date.setUTCDate(date.getUTCDate() + days);
  return toIso(date);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / 86_400_000);
}

/** `iso` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(iso: string, months: number): string {
  const date = toDate(iso);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, last));
  return toIso(date);
}

/**
 * The last day a partial date can mean: `2024` is 2024-12-31, `2024-10` is 2024-10-31. Used where a source gives
 * only a month ("approved in October 2024"): the platform treats the decision as effective from the end of that
 * month, so it never calls something effective before the source says it was.
 */
export function lastDayOf(partial: string): string {
  if (/^\d{4}$/.test(partial)) return `${partial}-12-31`;
  if (/^\d{4}-\d{2}$/.test(partial)) return addDays(addMonths(`${partial}-01`, 1), -1);
  return partial;
}

export function fyEnd(fy: number): string {
  return `${fy + 1}-03-31`;
}

/** `2024` as `2024-25`. */
export function fyLabel(fy: number): string {
  return `${fy}-${String((fy + 1) % 100).padStart(2, "0")}`;
}

/** The financial year a date falls in. */
export function fyOf(iso: string): number {
  const year = Number(iso.slice(0, 4));
  return iso.slice(5) >= "04-01" ? year : year - 1;
}

