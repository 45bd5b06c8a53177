/**
 * Jaro-Winkler string similarity and Moov Watchman's token-level adjustments (docs/screening.md §4). Written here
 * rather than taken from a package so the exact formula is ours to test and document (DOMAIN_NOTES §3.5).
 *
 * Jaro: m matching characters (equal and no further apart than floor(max(|a|,|b|)/2) − 1), t half the number of
 * matched characters out of order: J = (m/|a| + m/|b| + (m − t)/m) / 3, 0 when m = 0.
 * Winkler: when J > boostThreshold (0.7), JW = J + l·p·(1 − J) with l the common prefix (at most 4) and p = 0.1.
 */
export const JW_BOOST_THRESHOLD = 0.7;
export const JW_PREFIX_SIZE = 4;
export const JW_PREFIX_SCALE = 0.1;

const flagsA = new Uint8Array(256);
const flagsB = new Uint8Array(256);

export function jaro(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const fa = la <= 256 ? flagsA : new Uint8Array(la);
  const fb = lb <= 256 ? flagsB : new Uint8Array(lb);
  fa.fill(0, 0, la);
  fb.fill(0, 0, lb);
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const start = Math.max(0, i - window);
    const end = Math.min(lb - 1, i + window);
    const code = a.charCodeAt(i);
    for (let j = start; j <= end; j++) {
      if (fb[j] === 0 && b.charCodeAt(j) === code) {
        fa[i] = 1;
        fb[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (fa[i] === 0) continue;
    while (fb[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) outOfOrder++;
    k++;
  }
  const t = outOfOrder / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= JW_BOOST_THRESHOLD) return j;
  const limit = Math.min(JW_PREFIX_SIZE, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * JW_PREFIX_SCALE * (1 - j);
}

/**
 * Watchman's penalties on one token pair (moov-io/watchman internal/stringscore, `customJaroWinkler`): when the
 * shorter token is under `LENGTH_CUTOFF` (0.9) of the longer, JW × (1 − (1 − ratio) × LENGTH_WEIGHT (0.3)); when the
 * first letters differ, × DIFFERENT_FIRST_LETTER (0.9). Jaro-Winkler alone is too lenient on both.
 */
export const LENGTH_CUTOFF = 0.9;
export const LENGTH_WEIGHT = 0.3;
export const DIFFERENT_FIRST_LETTER = 0.9;

export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  let score = jaroWinkler(a, b);
  const ratio = Math.min(a.length, b.length) / Math.max(a.length, b.length);
  if (ratio < LENGTH_CUTOFF) score *= 1 - (1 - ratio) * LENGTH_WEIGHT;
  if (a.charCodeAt(0) !== b.charCodeAt(0)) score *= DIFFERENT_FIRST_LETTER;
  return score;
}
