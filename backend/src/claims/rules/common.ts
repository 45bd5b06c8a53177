import Decimal from "decimal.js";
import type { BatchRef, ClaimantFacts, Outcome, Rule, RuleResult } from "./types";

/** Small helpers the rule sets share: outcome shorthands, fact lookups and the rules several sets repeat. */

export const pass = (detail?: string, sources?: readonly string[]): RuleResult => ({ outcome: "pass", detail, sources });
export const fail = (detail?: string, sources?: readonly string[]): RuleResult => ({ outcome: "fail", detail, sources });
export const unknown = (detail?: string, sources?: readonly string[]): RuleResult => ({ outcome: "unknown", detail, sources });

/** A claimant flag: true passes, false fails, absent is unknown. */
function flag(value: boolean | undefined, name: string): RuleResult {
  if (value === undefined) return unknown(`${name} not stated`);
  return value ? pass() : fail(`${name}: no`);
}

type FlagName = { [K in keyof ClaimantFacts]-?: NonNullable<ClaimantFacts[K]> extends boolean ? K : never }[keyof ClaimantFacts];

/**
 * A claimant rule that is one yes/no fact: `fact` true passes, false fails, absent is unknown. `wording` reads
 * [pass, fail, unknown].
 */
export function claimantFlagRule(id: string, sources: readonly string[], fact: FlagName, wording: readonly [string, string, string]): Rule {
  const [passWords, failWords, unknownWords] = wording;
  const words: Record<Outcome, string> = { pass: passWords, fail: failWords, unknown: unknownWords };
  return { id, version: "1", scope: "claimant", sources, wording: words, check: ({ claimant }) => flag(claimant[fact], fact) };
}

/** Percent of `part` in `whole` as a Decimal, or undefined when either is missing or whole is zero. */
export function percentOf(part: string | undefined, whole: string | undefined): Decimal | undefined {
  if (part === undefined || whole === undefined) return undefined;
  const w = new Decimal(whole);
  return w.isZero() ? undefined : new Decimal(part).div(w).mul(100);
}

/** The year a batch's vintage ends in (the last year of reductions), or undefined. */
export function vintageEndYear(batch: BatchRef): number | undefined {
  const end = batch.vintageEnd;
  return end === undefined ? undefined : Number(end.slice(0, 4));
}

/** The batch is a carbon credit counted in tCO2e (not an energy attribute certificate such as an I-REC). */
export function carbonUnitRule(prefix: string, version = "1"): Rule {
  return {
    id: `${prefix}-UNIT`,
    version,
    scope: "credit",
    sources: ["S50"],
    wording: {
      pass: "The unit is a carbon credit of one tonne of CO2e",
      fail: "The unit is not a carbon credit: an energy attribute certificate (MWh) supports market-based scope 2 reporting, not an emissions claim",
      unknown: "Whether the unit is a carbon credit is not known",
    },
    check: ({ credit }) => (credit.batch.unitType === "I-REC(E)" ? fail(`unit type ${credit.batch.unitType}`) : pass()),
  };
}

/** No reservation pause: the registry status lets the units move (signals/status.ts). */
export function notPausedRule(prefix: string, version = "1"): Rule {
  return {
    id: `${prefix}-STATUS`,
    version,
    scope: "credit",
    sources: ["S1", "S47"],
    wording: {
      pass: "The registry shows the project in a status that lets its units move",
      fail: "The registry has the project on hold or under review: its credits may not move and no claim should rest on them until that is resolved",
      unknown: "No registry status is on file for the project",
    },
    check: ({ credit }) => {
      if (credit.pause.paused) return fail(credit.pause.reasons.join("; "), credit.pause.sources);
      return credit.pause.statusKnown ? pass(`status ${credit.pause.rawStatus}`) : unknown();
    },
  };
}
