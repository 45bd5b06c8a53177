import type { EntityKind, IdentifierKind, NameType } from "./model";
import type { TokenPair } from "./nameScore";
import type { DecisionBands } from "./settings";

/**
 * The decision record (docs/screening.md §7). It carries everything needed to explain and to re-check a decision
 * later without the index: the input as given, its normalised form, every reported candidate with its score
 * breakdown, the exact list versions screened against, the bands in force, the band and the decision. The later
 * case workflow stores it as it is (a "no hit" record too) and re-screens on list deltas.
 */
export type Band = "clear" | "review" | "hold";

/** clear below `review`, review from `review` up to below `hold`, hold from `hold`. Edges belong to the higher band. */
export function bandOf(score: number, bands: DecisionBands): Band {
  if (score >= bands.hold) return "hold";
  if (score >= bands.review) return "review";
  return "clear";
}

/** Four decimals: what is reported and what the band is decided on, so a record re-checks to the same band. */
export function roundScore(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

export type QueryIdentifier = { kind?: IdentifierKind | undefined; value: string };

export type NameQuery = {
  name: string;
  type: EntityKind;
  /** YYYY-MM-DD or YYYY. */
  dob?: string | undefined;
  /** ISO 3166-1 alpha-2: nationality of a person, country of registration of an entity. */
  country?: string | undefined;
  identifiers?: QueryIdentifier[] | undefined;
};

export type Adjustment = {
  rule: "date-of-birth" | "country" | "identifier" | "wallet";
  effect: "supports" | "contradicts" | "exact" | "neutral";
  /** Added to the score (0 for exact matches, which force the hold instead). */
  delta: number;
  detail: string;
};

export type ScoreBreakdown = {
  /** The listed name that scored best, and its type. */
  matchedName: string;
  matchedNameType: NameType;
  /** nameScore.ts's factors for that name. */
  nameScore: number;
  pairMean: number;
  queryCoverage: number;
  listedCoverage: number;
  singleToken: number;
  pairs: TokenPair[];
  /** weakAliasWeight for weak names, else 1. */
  nameWeight: number;
  adjustments: Adjustment[];
  /** Set when an exact identifier or wallet forced the hold. */
  forcedHold?: "identifier" | "wallet" | undefined;
};

export type Candidate = {
  list: string;
  id: string;
  kind: EntityKind;
  /** The entry's primary name. */
  name: string;
  programs: string[];
  score: number;
  band: Band;
  breakdown: ScoreBreakdown;
};

export type ListVersionRef = {
  id: string;
  version: string;
  entries: number;
  loadedFrom: string;
  publishedAt?: string | undefined;
};

export type ScreeningDecision = {
  decision: Band;
  /** The best candidate's score, 0 with no candidate. */
  score: number;
  query: ({ kind: "name" } & NameQuery) | { kind: "wallet"; address: string };
  normalised: { folded: string; forms: string[][]; dropped: string[] } | { address: string };
  candidates: Candidate[];
  lists: ListVersionRef[];
  bands: DecisionBands;
  screenedAt: string;
};
