/**
 * The phonetic key used to block candidates (docs/screening.md §6): Soundex, with the first letter replaced by its
 * phonetic class as Watchman's first-character filter groups them (moov-io/watchman internal/stringscore,
 * `getPhoneticClass`), so "Qaddafi", "Gaddafi" and "Kadhafi" share a key (C31) where plain Soundex keeps Q, G and K
 * apart. Tokens that are not Latin letters (digits, other scripts) are their own key.
 */
const FIRST_CLASS: Record<string, string> = {
  a: "A", e: "A", i: "A", o: "A", u: "A", y: "A",
  b: "B", f: "B", p: "B", v: "B",
  c: "C", g: "C", j: "C", k: "C", q: "C", s: "C", x: "C", z: "C",
  d: "D", t: "D",
  l: "L",
  m: "M", n: "M",
  r: "R",
  h: "H", w: "H",
};

const SOUNDEX_DIGIT: Record<string, string> = {
  b: "1", f: "1", p: "1", v: "1",
  c: "2", g: "2", j: "2", k: "2", q: "2", s: "2", x: "2", z: "2",
  d: "3", t: "3",
  l: "4",
  m: "5", n: "5",
  r: "6",
};

/** The first letter's phonetic class (Watchman's grouping); the character itself when not a Latin letter. */
export function phoneticClass(token: string): string {
  const first = token.charAt(0);
  return FIRST_CLASS[first] ?? first;
}

/** Class of the first letter + up to three Soundex digits of the rest. */
export function phoneticKey(token: string): string {
  if (!/^[a-z]+$/.test(token)) return `#${token}`;
  let key = phoneticClass(token);
  let previous = SOUNDEX_DIGIT[token.charAt(0)] ?? "";
  for (let i = 1; i < token.length && key.length < 4; i++) {
    const letter = token.charAt(i);
    const digit = SOUNDEX_DIGIT[letter];
    if (digit === undefined) {
      // Vowels separate equal codes; h and w do not (Soundex rule).
      if (letter !== "h" && letter !== "w") previous = "";
      continue;
    }
    if (digit !== previous) key += digit;
    previous = digit;
  }
  return key;
}
