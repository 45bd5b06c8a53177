import type { MatchSettings } from "./settings";

/**
 * The name score of one query name form against one listed name form (docs/screening.md §4):
 *
 *   score = S × Cq × Cl × T
 *
 * - pairs: token pairs whose first letters share a phonetic class (Watchman's filter), scored by `tokenSimilarity`
 *   (Jaro-Winkler with Watchman's penalties), kept when ≥ minPairScore, then chosen greedily best first so each
 *   token pairs at most once (Watchman's BestPairsJaroWinkler). Optional tokens (particles) pair only with each
 *   other.
 * - S: the pairs' scores averaged, each weighted by the two tokens' lengths.
 * - Cq = 1 − unpairedQueryWeight × (unpaired share of the query), Cl the same for the listed name, each token
 *   counted by its rarity-weighted length (length × idf), so an unpaired common word ("bank", "muhammad") costs
 *   little and an unpaired distinctive one ("cuba", "kuwait") much; an unpaired optional token counts on neither
 *   side.
 * - T: 1, unless a side has two or more required tokens and only one of them paired: then
 *   1 − singleTokenWeight × (1 − share), share being the paired token's part of that side's rarity-weighted length
 *   (length × idf); the smaller of the two sides' T.
 */
export type ScoringToken = {
  /** The token's number: its vocabulary id for a listed token, its slot in the query for a query token. */
  id: number;
  text: string;
  optional: boolean;
  /** Phonetic class of the first letter (phonetic.ts). */
  cls: string;
  /** Rarity: ln(names / names with the token); the index's largest value for unseen tokens. */
  idf: number;
};

export type TokenPair = { query: string; listed: string; score: number };

export type NameScore = {
  score: number;
  /** Length-weighted mean of the paired tokens' scores. */
  pairMean: number;
  queryCoverage: number;
  listedCoverage: number;
  singleToken: number;
  pairs: TokenPair[];
};

/** Token similarity of a query token and a listed token; the index passes a cached `tokenSimilarity`. */
export type SimilarityFunction = (query: ScoringToken, listed: ScoringToken) => number;

/** Scratch space of one scoring at a time (JavaScript runs one at a time): no allocation per listed name. */
const MAX_PAIRS = 1024;
const pairQuery = new Int32Array(MAX_PAIRS);
const pairListed = new Int32Array(MAX_PAIRS);
const pairScore = new Float64Array(MAX_PAIRS);
const MAX_TOKENS = 256;
const pairedQuery = new Uint8Array(MAX_TOKENS);
const pairedListed = new Uint8Array(MAX_TOKENS);

function coverage(tokens: ScoringToken[], paired: Uint8Array, weight: number): number {
  let total = 0;
  let covered = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as ScoringToken;
    if (token.optional && paired[i] === 0) continue;
    const mass = token.text.length * token.idf;
    total += mass;
    if (paired[i] === 1) covered += mass;
  }
  return total === 0 ? 0 : 1 - weight * (1 - covered / total);
}

function singleTokenFactor(tokens: ScoringToken[], paired: Uint8Array, weight: number): number {
  let required = 0;
  let pairedRequired = -1;
  let count = 0;
  let total = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as ScoringToken;
    if (token.optional) continue;
    required++;
    total += token.text.length * token.idf;
    if (paired[i] === 1) {
      count++;
      pairedRequired = i;
    }
  }
  if (required < 2 || count !== 1 || total === 0) return 1;
  const token = tokens[pairedRequired] as ScoringToken;
  return 1 - weight * (1 - (token.text.length * token.idf) / total);
}

function emptyScore(): NameScore {
  return { score: 0, pairMean: 0, queryCoverage: 0, listedCoverage: 0, singleToken: 0, pairs: [] };
}

/**
 * The token pairs of the same class and optionality that score at least `minPairScore`, into pairQuery, pairListed
 * and pairScore (the first nq and nl tokens, at most MAX_PAIRS, query-major order); returns how many.
 */
function collectPairs(
  query: ScoringToken[],
  listed: ScoringToken[],
  nq: number,
  nl: number,
  similarity: SimilarityFunction,
  settings: MatchSettings,
): number {
  let n = 0;
  for (let q = 0; q < nq; q++) {
    const qt = query[q] as ScoringToken;
    for (let l = 0; l < nl && n < MAX_PAIRS; l++) {
      const lt = listed[l] as ScoringToken;
      if (qt.optional !== lt.optional || qt.cls !== lt.cls) continue;
      const s = similarity(qt, lt);
      if (s < settings.minPairScore) continue;
      pairQuery[n] = q;
      pairListed[n] = l;
      pairScore[n] = s;
      n++;
    }
  }
  return n;
}

/**
 * Scores `query` against `listed`. `out` (reused by the index across names) receives the factors; the token pairs
 * are listed only with `withPairs` (for the reported candidates), so scoring thousands of names allocates nothing.
 */
export function scoreName(
  query: ScoringToken[],
  listed: ScoringToken[],
  similarity: SimilarityFunction,
  settings: MatchSettings,
  out: NameScore = emptyScore(),
  withPairs = true,
): NameScore {
  const nq = Math.min(query.length, MAX_TOKENS);
  const nl = Math.min(listed.length, MAX_TOKENS);
  const n = collectPairs(query, listed, nq, nl, similarity, settings);
  out.pairs = [];
  if (n === 0) {
    out.score = out.pairMean = out.queryCoverage = out.listedCoverage = out.singleToken = 0;
    return out;
  }
  pairedQuery.fill(0, 0, nq);
  pairedListed.fill(0, 0, nl);
  let weighted = 0;
  let weights = 0;
  // Greedy best-first: the highest remaining pair whose tokens are both free (ties: lower query, then listed index).
  for (;;) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (pairedQuery[pairQuery[i] as number] === 1 || pairedListed[pairListed[i] as number] === 1) continue;
      if (best === -1 || (pairScore[i] as number) > (pairScore[best] as number)) best = i;
    }
    if (best === -1) break;
    const q = pairQuery[best] as number;
    const l = pairListed[best] as number;
    const s = pairScore[best] as number;
    pairedQuery[q] = 1;
    pairedListed[l] = 1;
    const qt = query[q] as ScoringToken;
    const lt = listed[l] as ScoringToken;
    const weight = qt.text.length + lt.text.length;
    weighted += s * weight;
    weights += weight;
    if (withPairs) out.pairs.push({ query: qt.text, listed: lt.text, score: s });
  }
  out.pairMean = weighted / weights;
  out.queryCoverage = coverage(query, pairedQuery, settings.unpairedQueryWeight);
  out.listedCoverage = coverage(listed, pairedListed, settings.unpairedListedWeight);
  out.singleToken = Math.min(
    singleTokenFactor(query, pairedQuery, settings.singleTokenWeight),
    singleTokenFactor(listed, pairedListed, settings.singleTokenWeight),
  );
  out.score = out.pairMean * out.queryCoverage * out.listedCoverage * out.singleToken;
  return out;
}
