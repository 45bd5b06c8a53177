/**
 * The matcher's parameters, every one named in docs/screening.md with where its value comes from. Decision bands
 * are configuration (SCREENING_REVIEW_THRESHOLD, SCREENING_HOLD_THRESHOLD); the rest are defaults a deployment may
 * override through `buildScreeningIndex`'s settings after its own model validation.
 */
export type DecisionBands = {
  /** Scores at or above are reviewed by an analyst (DOMAIN_NOTES §3.3 proposal: 0.80). */
  review: number;
  /** Scores at or above hold the applicant (0.93, a commercial default's 93/100). */
  hold: number;
};

export type MatchSettings = {
  bands: DecisionBands;
  /** Token pairs scoring below this are left unpaired: such tokens are different words. */
  minPairScore: number;
  /** Weight of the unpaired share of the query's tokens (by length). */
  unpairedQueryWeight: number;
  /** Weight of the unpaired share of the listed name's tokens (by length); Watchman uses 0.15. */
  unpairedListedWeight: number;
  /**
   * When only one token of a multi-token name pairs, the score is scaled by 1 − weight × (1 − share), share being
   * that token's part of the name by rarity-weighted length: a common given name alone is not a match.
   */
  singleTokenWeight: number;
  /** Multiplier for names the publisher marks weak / low quality. */
  weakAliasWeight: number;
  /** Added when a date of birth supports the match; subtracted when every listed date contradicts it. */
  dobSupport: number;
  dobContradiction: number;
  /** Years either side of a listed year that still count as the same year (exact dates; circa dates get 2 more). */
  dobToleranceYears: number;
  countrySupport: number;
  countryContradiction: number;
  /** Subtracted when the query and the entry both carry an identifier of one kind and none is equal. */
  identifierContradiction: number;
  /** Candidates below this score are not reported. */
  reportFloor: number;
  /** At most this many candidates are reported per decision. */
  maxCandidates: number;
};

export const DEFAULT_BANDS: DecisionBands = { review: 0.8, hold: 0.93 };

export const DEFAULT_MATCH_SETTINGS: MatchSettings = {
  bands: DEFAULT_BANDS,
  minPairScore: 0.75,
  unpairedQueryWeight: 0.35,
  unpairedListedWeight: 0.35,
  singleTokenWeight: 0.5,
  weakAliasWeight: 0.85,
  dobSupport: 0.05,
  dobContradiction: 0.15,
  dobToleranceYears: 1,
  countrySupport: 0.02,
  countryContradiction: 0.05,
  identifierContradiction: 0.1,
  reportFloor: 0.7,
  maxCandidates: 10,
};

/** Checks the bands: 0 < review ≤ hold ≤ 1. */
export function validateBands(bands: DecisionBands): DecisionBands {
  if (!(bands.review > 0 && bands.review <= bands.hold && bands.hold <= 1)) {
    throw new RangeError(`decision bands must satisfy 0 < review <= hold <= 1, got review ${bands.review}, hold ${bands.hold}`);
  }
  return bands;
}
