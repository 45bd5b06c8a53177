import { SimError } from "../core/types";
import { instantOf } from "../core/zoned-time";
import { isVintaged, parseInstrumentKey, vintageAllowed, type Instrument } from "./instruments";
import type { CompliancePeriod } from "./parameters";

/**
 * CITSS compliance arithmetic (COMPLIANCE_REGISTRIES.md §2.5), pure:
 *
 * - annual obligation for a year that is not the last of its compliance period: ⌈percent × emissions⌉, due
 *   1 November of the next year at 17:00 Pacific (§95856(d)(1); rounding up is our choice, not stated [U]);
 * - full-period obligation: the period's emissions less what the annual obligations of the period retired, due
 *   1 November after the period's last year (§95853, the CP4 report);
 * - offset limit: ⌊Σ emissions_y × limit_y⌋ over the obligation's years (annual: the annual share of that year)
 *   less offsets already used in the period, of which at most half from projects without DEBS from 2021 (§95854);
 * - the Executive Officer retires from the compliance account, in this order: offsets (DEBS first) up to the
 *   limit, then non-vintage allowances, then vintaged allowances earliest first, vintages after the obligation
 *   year excluded (§95856(b)(2)). The order is our reading of §95856(f), not checked against its text [U];
 * - untimely surrender: `multiplier` × the shortfall, at most `untimelyOffsetPercent` of it in offsets (§95857).
 */
export function periodOf(year: number, periods: readonly CompliancePeriod[]): CompliancePeriod {
  const period = periods.find((candidate) => candidate.firstYear <= year && year <= candidate.lastYear);
  if (period === undefined) throw new SimError(422, "NO_COMPLIANCE_PERIOD", `year: ${year} is in no configured compliance period`);
  return period;
}

export function annualObligation(emissions: bigint, percent: number): bigint {
  return (emissions * BigInt(percent) + 99n) / 100n;
}

/** The instant of the deadline in `year` (`MM-DDTHH:MM` local time in `zone`). */
export function deadlineOf(year: number, deadline: string, zone: string): Date {
  const match = /^([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})$/.exec(deadline);
  if (match === null) throw new Error(`surrenderDeadline ${JSON.stringify(deadline)} is not MM-DDTHH:MM`);
  return instantOf(zone, { year, month: Number(match[1]), day: Number(match[2]), hour: Number(match[3]), minute: Number(match[4]), second: 0 });
}

export type EligibleHolding = { key: string; quantity: bigint; debs?: boolean | undefined };

export type SurrenderRules = {
  quantity: bigint;
  obligationYear: number;
  /** Most offsets this surrender may use. */
  offsetLimit: bigint;
  /** Most offsets without DEBS it may use (≤ offsetLimit). */
  nonDebsLimit: bigint;
  vintageExceptions?: readonly string[] | undefined;
};

export type SurrenderSelection = { picks: Array<{ key: string; quantity: bigint }>; retired: bigint; shortfall: bigint; offsetsUsed: bigint };

function rank(instrument: Instrument): number {
  if (instrument.type === "ARBOC") return 0;
  return isVintaged(instrument) ? 2 : 1;
}

/** What the Executive Officer retires from `holdings` (the compliance account's unreserved instruments). */
export function selectForSurrender(holdings: readonly EligibleHolding[], rules: SurrenderRules): SurrenderSelection {
  const candidates = holdings
    .map((holding) => ({ ...holding, instrument: parseInstrumentKey(holding.key) }))
    .filter((holding) => holding.quantity > 0n && vintageAllowed(holding.instrument, rules.obligationYear, rules.vintageExceptions))
    .sort((a, b) => rank(a.instrument) - rank(b.instrument) || Number(b.debs === true) - Number(a.debs === true) || (a.instrument.vintage ?? 0) - (b.instrument.vintage ?? 0) || a.key.localeCompare(b.key));
  const picks: Array<{ key: string; quantity: bigint }> = [];
  let remaining = rules.quantity;
  let offsets = 0n;
  let nonDebs = 0n;
  for (const holding of candidates) {
    if (remaining === 0n) break;
    let take = holding.quantity < remaining ? holding.quantity : remaining;
    if (holding.instrument.type === "ARBOC") {
      const room = rules.offsetLimit - offsets;
      const nonDebsRoom = holding.debs === true ? room : min(room, rules.nonDebsLimit - nonDebs);
      take = min(take, nonDebsRoom);
      if (take <= 0n) continue;
      offsets += take;
      if (holding.debs !== true) nonDebs += take;
    }
    picks.push({ key: holding.key, quantity: take });
    remaining -= take;
  }
  return { picks, retired: rules.quantity - remaining, shortfall: remaining, offsetsUsed: offsets };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** ⌊emissions × basisPoints / 10 000⌋. */
export function offsetAllowance(emissions: bigint, basisPoints: number): bigint {
  return (emissions * BigInt(basisPoints)) / 10_000n;
}

/** Offset and non-DEBS limits from an overall offset allowance (half without DEBS when the DEBS rule applies). */
export function offsetLimits(allowance: bigint, debsRuleApplies: boolean): { offsetLimit: bigint; nonDebsLimit: bigint } {
  const limit = allowance < 0n ? 0n : allowance;
  return { offsetLimit: limit, nonDebsLimit: debsRuleApplies ? limit / 2n : limit };
}

/** The untimely surrender obligation for a shortfall and how many offsets it may use. */
export function untimelyObligation(shortfall: bigint, multiplier: number, offsetPercent: number): { quantity: bigint; offsetLimit: bigint } {
  const quantity = shortfall * BigInt(multiplier);
  return { quantity, offsetLimit: (quantity * BigInt(offsetPercent)) / 100n };
}
