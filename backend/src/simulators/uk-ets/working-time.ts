import { addDays, instantOf, isoDate, isoWeekday, wallTimeIn } from "../core/zoned-time";

/**
 * The UK ETS transaction window and delay (COMPLIANCE_REGISTRIES.md §1.7), after the registry's
 * `TransactionDelayService.java`:
 *
 * 1. start clock = the approval time; before the window's start → that day's start; after its end → the next
 *    working day's start; then, on a weekend or bank holiday → the next working day's start.
 * 2. stop clock = start clock + ⌊delay / 1440⌋ working days (same time of day) + (delay mod 1440) minutes.
 * 3. execution = the stop clock moved the same way, except that on a non-working day it keeps its time of day.
 *
 * All in Europe/London wall time. The window is inclusive: 16:00:00 is inside, 16:00:01 is after it. Trusted
 * (TAL) transfers have delay 0, so they only wait for the window: approved Friday 16:01, they execute Monday 10:00.
 */
export type TransactionWindow = {
  zone: string;
  /** Minutes after midnight, local time. */
  startMinute: number;
  endMinute: number;
  holidays: ReadonlySet<string>;
};

type Wall = { date: string; ms: number };
const DAY_MS = 86_400_000;

function toWall(window: TransactionWindow, instant: Date): Wall {
  const wall = wallTimeIn(window.zone, instant);
  return { date: isoDate(wall), ms: ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1000 + (wall.millisecond ?? 0) };
}

function fromWall(window: TransactionWindow, wall: Wall): Date {
  const [year, month, day] = wall.date.split("-").map(Number) as [number, number, number];
  const ms = wall.ms;
  return instantOf(window.zone, {
    year,
    month,
    day,
    hour: Math.floor(ms / 3_600_000),
    minute: Math.floor(ms / 60_000) % 60,
    second: Math.floor(ms / 1000) % 60,
    millisecond: ms % 1000,
  });
}

export function isWorkingDay(date: string, holidays: ReadonlySet<string>): boolean {
  return isoWeekday(date) <= 5 && !holidays.has(date);
}

/** The first working day after `date`. */
export function nextWorkingDay(date: string, holidays: ReadonlySet<string>): string {
  let next = addDays(date, 1);
  while (!isWorkingDay(next, holidays)) next = addDays(next, 1);
  return next;
}

/** `date` plus `days` working days (the registry's `calculateAddQuotient`). */
export function addWorkingDays(date: string, days: number, holidays: ReadonlySet<string>): string {
  let result = date;
  for (let i = 0; i < days; i++) result = nextWorkingDay(result, holidays);
  return result;
}

function shift(window: TransactionWindow, wall: Wall, keepTimeOnNonWorkingDay: boolean): Wall {
  const start = window.startMinute * 60_000;
  const end = window.endMinute * 60_000;
  let result = wall;
  if (result.ms < start) result = { date: result.date, ms: start };
  else if (result.ms > end) result = { date: nextWorkingDay(result.date, window.holidays), ms: start };
  if (!isWorkingDay(result.date, window.holidays)) {
    result = { date: nextWorkingDay(result.date, window.holidays), ms: keepTimeOnNonWorkingDay ? result.ms : start };
  }
  return result;
}

/** True when `instant` is inside the window on a working day. */
export function inTransactionWindow(window: TransactionWindow, instant: Date): boolean {
  const wall = toWall(window, instant);
  return isWorkingDay(wall.date, window.holidays) && wall.ms >= window.startMinute * 60_000 && wall.ms <= window.endMinute * 60_000;
}

export type DelaySchedule = { startClock: Date; stopClock: Date; executeAt: Date };

/** When a transfer approved at `approvedAt` executes, given a delay in minutes (0 for trusted accounts). */
export function scheduleExecution(window: TransactionWindow, approvedAt: Date, delayMinutes: number): DelaySchedule {
  const start = shift(window, toWall(window, approvedAt), false);
  const whole = Math.floor(delayMinutes / 1440);
  const rest = (delayMinutes % 1440) * 60_000;
  let stop: Wall = { date: addWorkingDays(start.date, whole, window.holidays), ms: start.ms + rest };
  while (stop.ms >= DAY_MS) stop = { date: addDays(stop.date, 1), ms: stop.ms - DAY_MS };
  const execute = shift(window, stop, true);
  return { startClock: fromWall(window, start), stopClock: fromWall(window, stop), executeAt: fromWall(window, execute) };
}

/** "HH:MM" → minutes after midnight. */
export function parseClockTime(text: string): number {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(text);
  if (match === null) throw new Error(`${JSON.stringify(text)} is not a time of day HH:MM`);
  return Number(match[1]) * 60 + Number(match[2]);
}
