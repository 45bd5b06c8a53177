/**
 * Traffic knobs shared by every simulator: a token-bucket rate limit (429 + Retry-After) and maintenance
 * windows (503 + Retry-After). Both are checked before any native route runs; `/_admin` is exempt.
 */
export type RateLimitKnobs = { capacity: number; refillPerSecond: number };
/** Maintenance from `start` to `end` (epoch ms). */
export type MaintenanceWindow = { start: number; end: number };

export type TrafficDecision = { status: 200 } | { status: 429 | 503; retryAfterSeconds: number; message: string };

export class TrafficGate {
  private rateLimit: RateLimitKnobs | undefined;
  private tokens = 0;
  private refilledAt = 0;
  private windows: MaintenanceWindow[] = [];

  setRateLimit(knobs: RateLimitKnobs | undefined, nowMs = Date.now()): void {
    this.rateLimit = knobs;
    this.tokens = knobs?.capacity ?? 0;
    this.refilledAt = nowMs;
  }

  setMaintenance(windows: MaintenanceWindow[]): void {
    this.windows = windows;
  }

  /** Decides one request; a permitted request spends one token. */
  admit(nowMs = Date.now()): TrafficDecision {
    const window = this.windows.find((candidate) => candidate.start <= nowMs && nowMs < candidate.end);
    if (window !== undefined) {
      return {
        status: 503,
        retryAfterSeconds: Math.max(1, Math.ceil((window.end - nowMs) / 1000)),
        message: "Scheduled maintenance",
      };
    }
    const knobs = this.rateLimit;
    if (knobs === undefined) return { status: 200 };
    this.tokens = Math.min(knobs.capacity, this.tokens + ((nowMs - this.refilledAt) / 1000) * knobs.refillPerSecond);
    this.refilledAt = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { status: 200 };
    }
    const wait = (1 - this.tokens) / knobs.refillPerSecond;
    return { status: 429, retryAfterSeconds: Math.max(1, Math.ceil(wait)), message: "Too Many Requests" };
  }
}
