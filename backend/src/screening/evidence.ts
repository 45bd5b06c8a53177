import type { Adjustment, QueryIdentifier } from "./decision";
import type { ListedBirthDate, ListEntry } from "./model";
import { normaliseIdentifier } from "./sources/ofacRemarks";
import type { MatchSettings } from "./settings";

/**
 * Secondary evidence (docs/screening.md §5): what a query's date of birth, country and identifiers say about one
 * candidate entry. Each rule returns one adjustment or none; an entry that lists nothing for a rule is neutral.
 */
export type QueryDate = { year: number; month?: number | undefined; day?: number | undefined };

/** "1960-08-31" or "1960". Validated by validate.ts first. */
export function parseQueryDate(text: string): QueryDate {
  const [year, month, day] = text.split("-").map(Number);
  return { year: year as number, month, day };
}

type DateVerdict = "supports" | "neutral" | "contradicts";

function compareDate(query: QueryDate, listed: ListedBirthDate, settings: MatchSettings): DateVerdict {
  const tolerance = settings.dobToleranceYears + (listed.approximate ? 2 : 0);
  if (query.year < listed.fromYear - tolerance || query.year > listed.toYear + tolerance) return "contradicts";
  if (query.year < listed.fromYear || query.year > listed.toYear) return "neutral";
  return compareDayAndMonth(query, listed);
}

/** Within the listed years: day and month agree (or are swapped, or one side has only a month, or neither). */
function compareDayAndMonth(query: QueryDate, listed: ListedBirthDate): DateVerdict {
  if (listed.day === undefined || listed.month === undefined || query.day === undefined || query.month === undefined) {
    return listed.month === undefined || query.month === undefined || listed.month === query.month ? "supports" : "neutral";
  }
  const same = listed.day === query.day && listed.month === query.month;
  const swapped = listed.day === query.month && listed.month === query.day;
  return same || swapped ? "supports" : "neutral";
}

/**
 * Supports when any listed date agrees (same day, day and month swapped, or the year inside a year-only or ranged
 * date); contradicts when every listed date is more than the tolerance away; otherwise neutral (same year, another
 * day: clerks' typos and the lists' own uncertainty).
 */
export function dateOfBirthEvidence(dob: string | undefined, entry: ListEntry, settings: MatchSettings): Adjustment | undefined {
  if (dob === undefined || entry.kind !== "person" || entry.birthDates.length === 0) return undefined;
  const query = parseQueryDate(dob);
  const verdicts = entry.birthDates.map((listed) => compareDate(query, listed, settings));
  const listedText = entry.birthDates.map((listed) => listed.text).join("; ");
  if (verdicts.includes("supports"))
    return { rule: "date-of-birth", effect: "supports", delta: settings.dobSupport, detail: `${dob} agrees with ${listedText}` };
  if (verdicts.every((verdict) => verdict === "contradicts")) {
    return {
      rule: "date-of-birth",
      effect: "contradicts",
      delta: -settings.dobContradiction,
      detail: `${dob} against ${listedText}`,
    };
  }
  return { rule: "date-of-birth", effect: "neutral", delta: 0, detail: `${dob} near ${listedText}` };
}

/** Every country the entry names: nationalities, addresses, places of birth, identifier issuers. */
export function entryCountries(entry: ListEntry): Set<string> {
  const codes = new Set<string>(entry.nationalities);
  for (const place of [...entry.addresses, ...entry.birthPlaces, ...entry.identifiers])
    if (place.country !== undefined) codes.add(place.country);
  return codes;
}

export function countryEvidence(country: string | undefined, entry: ListEntry, settings: MatchSettings): Adjustment | undefined {
  if (country === undefined) return undefined;
  const codes = entryCountries(entry);
  if (codes.size === 0) return undefined;
  const listed = [...codes].sort().join(", ");
  if (codes.has(country))
    return { rule: "country", effect: "supports", delta: settings.countrySupport, detail: `${country} among ${listed}` };
  return {
    rule: "country",
    effect: "contradicts",
    delta: -settings.countryContradiction,
    detail: `${country} not among ${listed}`,
  };
}

/** Identifier values shorter than this are never matched on their own (too many chance collisions). */
export const MIN_IDENTIFIER_LENGTH = 5;

/**
 * Exact when a query identifier equals (letters and digits, case folded) one of the entry's, of the same kind when
 * the query names one; contradicts when the query names a kind the entry also lists and no value is equal.
 */
export function identifierEvidence(
  identifiers: QueryIdentifier[] | undefined,
  entry: ListEntry,
  settings: MatchSettings,
): Adjustment | undefined {
  if (identifiers === undefined || identifiers.length === 0) return undefined;
  for (const query of identifiers) {
    const value = normaliseIdentifier(query.value);
    if (value.length < MIN_IDENTIFIER_LENGTH) continue;
    const equal = entry.identifiers.find(
      (listed) => listed.normalised === value && (query.kind === undefined || query.kind === listed.kind),
    );
    if (equal !== undefined) return { rule: "identifier", effect: "exact", delta: 0, detail: `${equal.label} ${equal.value}` };
  }
  const contradicted = identifiers.find(
    (query) => query.kind !== undefined && entry.identifiers.some((listed) => listed.kind === query.kind),
  );
  if (contradicted === undefined) return undefined;
  return {
    rule: "identifier",
    effect: "contradicts",
    delta: -settings.identifierContradiction,
    detail: `${contradicted.kind} ${contradicted.value} differs from the listed one`,
  };
}
