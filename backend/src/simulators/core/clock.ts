import { SimError } from "./types";

/**
 * The time a simulator believes it is. The registry simulators whose rules depend on the calendar (UK ETS
 * transaction window and delays, CITSS confirmation deadlines and compliance dates) read the time only from here,
 * so a test can set it to a Friday 16:01 in London or jump three days ahead. By default the clock runs with real
 * time from its start; `frozen` stops it between moves (what tests want: nothing happens unless they move it).
 * The clock never moves backwards: scheduled executions and expiries would otherwise have to be undone.
 */
export type SimClockOptions = {
  /** ISO 8601 instant (or Date) the clock shows at start; the real time when absent. */
  start?: string | Date | undefined;
  /** When true the clock stands still until `set` or `advance`; when false it runs with real time. */
  frozen?: boolean | undefined;
};

export class SimClock {
  private frozenAtMs: number | undefined;
  private offsetMs = 0;

  constructor(options: SimClockOptions = {}) {
    const startMs = options.start === undefined ? Date.now() : new Date(options.start).getTime();
    if (Number.isNaN(startMs)) throw new SimError(400, "BAD_CLOCK", `clock start ${String(options.start)} is not an ISO 8601 instant`);
    if (options.frozen === true) this.frozenAtMs = startMs;
    else this.offsetMs = startMs - Date.now();
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  get frozen(): boolean {
    return this.frozenAtMs !== undefined;
  }

  /** Moves the clock to `at` (not earlier than now). */
  set(at: string | Date): Date {
    const targetMs = new Date(at).getTime();
    if (Number.isNaN(targetMs)) throw new SimError(400, "BAD_CLOCK", `${String(at)} is not an ISO 8601 instant`);
    const currentMs = this.nowMs();
    if (targetMs < currentMs) {
      throw new SimError(400, "CLOCK_BACKWARDS", `the clock can only move forward: ${new Date(targetMs).toISOString()} is before ${new Date(currentMs).toISOString()}`);
    }
    if (this.frozenAtMs !== undefined) this.frozenAtMs = targetMs;
    else this.offsetMs = targetMs - Date.now();
    return this.now();
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new SimError(400, "CLOCK_BACKWARDS", `advance takes a non-negative number of milliseconds, not ${ms}`);
    return this.set(new Date(this.nowMs() + ms));
  }
}
