import { instantOf } from "../core/zoned-time";

/**
 * UK ETS compliance status of an operator account (COMPLIANCE_REGISTRIES.md §1.8, after
 * `DynamicComplianceCalculator.java` and `ComplianceStatus.java`). In the calculator's order:
 *
 * - NOT_APPLICABLE: no obligation yet (no year of operation before the current one);
 * - EXCLUDED: every obligation year so far is excluded;
 * - C ("needs to enter emissions"): a non-excluded obligation year has no verified emissions;
 * - B ("needs to surrender"): cumulative emissions of the obligation years (the current year excluded) exceed the
 *   cumulative net surrenders (10-2 minus reversed by 10-82);
 * - A (compliant) otherwise.
 *
 * Obligation years run from the first year of operation to the earlier of the last year of operation and the year
 * before the current one. The static status of year Y is the dynamic status at the surrender deadline of Y + 1.
 */
export type ComplianceStatus = "A" | "B" | "C" | "EXCLUDED" | "NOT_APPLICABLE";

export type ComplianceFacts = {
  firstYear?: number | undefined;
  lastYear?: number | undefined;
  emissions: ReadonlyMap<number, bigint>;
  excludedYears: ReadonlySet<number>;
  surrendered: bigint;
  currentYear: number;
};

export function complianceStatus(facts: ComplianceFacts): ComplianceStatus {
  if (facts.firstYear === undefined) return "NOT_APPLICABLE";
  const last = Math.min(facts.lastYear ?? Number.MAX_SAFE_INTEGER, facts.currentYear - 1);
  const years: number[] = [];
  for (let year = facts.firstYear; year <= last; year++) years.push(year);
  if (years.length === 0) return "NOT_APPLICABLE";
  const counted = years.filter((year) => !facts.excludedYears.has(year));
  if (counted.length === 0) return "EXCLUDED";
  if (counted.some((year) => !facts.emissions.has(year))) return "C";
  const emitted = counted.reduce((sum, year) => sum + (facts.emissions.get(year) ?? 0n), 0n);
  return emitted > facts.surrendered ? "B" : "A";
}

/** The last instant that still counts for the deadline in `year` (the end of the deadline minute, local time). */
export function surrenderDeadlineOf(year: number, deadline: string, zone: string): Date {
  const match = /^([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})$/.exec(deadline);
  if (match === null) throw new Error(`surrenderDeadline ${JSON.stringify(deadline)} is not MM-DDTHH:MM`);
  return instantOf(zone, { year, month: Number(match[1]), day: Number(match[2]), hour: Number(match[3]), minute: Number(match[4]), second: 59, millisecond: 999 });
}
