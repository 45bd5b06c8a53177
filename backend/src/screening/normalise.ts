import type { EntityKind } from "./model";

/**
 * Name normalisation (docs/screening.md §3). The same function prepares list names when the index is built and
 * query names at screening time, so both sides always agree.
 */

/** Letters NFKD does not decompose into a base letter plus marks. */
const SPECIAL_LETTERS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  ø: "o",
  œ: "oe",
  đ: "d",
  ð: "d",
  ł: "l",
  ı: "i",
  þ: "th",
  ħ: "h",
  ŋ: "n",
};

/** Legal-form words (dropped from names of entities, vessels and aircraft). */
export const LEGAL_FORMS: ReadonlySet<string> = new Set([
  "ltd", "limited", "llc", "pvt", "private", "pte", "pty", "plc", "llp", "lp", "inc", "incorporated", "corp",
  "corporation", "co", "company", "cos", "sa", "sas", "sarl", "sl", "srl", "spa", "sae", "saog", "saoc", "sal",
  "bsc", "nv", "bv", "ag", "gmbh", "kg", "ohg", "ab", "oy", "oyj", "as", "asa", "aps", "ooo", "oao", "zao", "pao",
  "ao", "tov", "jsc", "ojsc", "cjsc", "pjsc", "fze", "fzco", "fzc", "fzllc", "fzlle", "dmcc", "wll", "est", "sdn",
  "bhd", "tbk", "pt", "cv", "kft", "zrt", "doo", "sro", "spzoo", "ltda", "cia", "sac", "saa", "eirl", "lda",
  "holding", "holdings", "companies",
]);

/**
 * Generic business words: they name what a company does, not which company it is, so they weigh a quarter of
 * their rarity in coverage (GENERIC_WORD_WEIGHT, screenIndex.ts): "National Bank of Kuwait" shares "national bank"
 * with "National Bank of Iran", which says little.
 */
export const GENERIC_WORDS: ReadonlySet<string> = new Set([
  "international", "global", "group", "trading", "trade", "traders", "industries", "industrial", "industry", "services",
  "service", "shipping", "bank", "banking", "finance", "financial", "investment", "investments", "enterprises",
  "enterprise", "general", "commercial", "national", "development", "management", "engineering", "technologies",
  "technology", "systems", "solutions", "energy", "oil", "gas", "petroleum", "steel", "power", "marine", "maritime",
  "transport", "transportation", "logistics", "foundation", "institute", "organization", "organisation", "agency",
  "association", "society", "export", "exports", "import", "imports", "construction", "consulting", "consultants",
  "products", "manufacturing", "resources", "ventures", "capital", "partners", "world", "airlines", "airways",
  "insurance", "exchange", "chemicals", "pharmaceutical", "pharmaceuticals", "electronics", "motors", "corporate",
]);

/** Honorifics and titles (dropped from person names). */
export const HONORIFICS: ReadonlySet<string> = new Set([
  "mr", "mrs", "ms", "miss", "mx", "mister", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "sheikh",
  "shaikh", "shaykh", "sheik", "cheikh", "haji", "hajji", "hadji", "alhaji", "mullah", "mulla", "maulana", "maulvi",
  "mawlawi", "shri", "sri", "shree", "smt", "kumari", "hon", "rev", "gen", "general", "col", "colonel", "maj",
  "major", "capt", "captain", "brig", "brigadier", "lt",
]);

/**
 * Particles and connecting words: optional tokens. They count when both names have them and are ignored when only
 * one has them (score.ts), so "Usama bin Laden" and "Usama Laden" agree and "al" alone never makes a match.
 */
export const PARTICLES: ReadonlySet<string> = new Set([
  "al", "el", "ul", "ud", "ad", "ar", "as", "ash", "at", "az", "an", "bin", "ibn", "bint", "binti", "bte", "abu",
  "abou", "de", "da", "das", "do", "dos", "di", "du", "del", "della", "der", "den", "van", "von", "le", "la", "les",
  "y", "e", "of", "the", "and", "for", "und", "et",
]);

/**
 * Tokens also tried glued to the next one: the particles ("al qaida" = "alqaida", "bin laden" = "binladen") and
 * the Arabic "abd" compounds, written apart or together ("Abdul Rahim" = "Abdulrahim" ~ "Abdelrahim").
 */
const GLUED_PARTICLES: ReadonlySet<string> = new Set([
  "al", "el", "ul", "ud", "abu", "abou", "bin", "ibn", "bint", "de", "da", "di", "del", "van", "von", "le", "la",
  "abd", "abdul", "abdel", "abdal", "abdol", "abdur", "abdu",
]);

/** Spellings of one name folded to one token (the commonest transliteration family, and its abbreviations). */
const SPELLING_VARIANTS: Record<string, string> = {
  mohammad: "muhammad",
  mohammed: "muhammad",
  mohamed: "muhammad",
  mohamad: "muhammad",
  muhammed: "muhammad",
  muhamad: "muhammad",
  muhamed: "muhammad",
  mohammod: "muhammad",
  mohd: "muhammad",
  muhd: "muhammad",
  md: "muhammad",
};

/** Unicode NFKD, diacritics stripped, lower case, apostrophes and dots removed, other punctuation a space. */
export function foldName(raw: string): string {
  return raw
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[ßæøœđðłıþħŋ]/g, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .replace(/['’‘ʼʻ`´.]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Runs of single letters joined ("s a" = "sa", "j p morgan" = "jp morgan"). */
function joinInitials(tokens: string[]): string[] {
  const out: string[] = [];
  let run = "";
  for (const token of tokens) {
    if (token.length === 1 && /\p{L}/u.test(token)) {
      run += token;
      continue;
    }
    if (run !== "") out.push(run);
    run = "";
    out.push(token);
  }
  if (run !== "") out.push(run);
  return out;
}

/** One token of a name form; `optional` for particles (see PARTICLES). */
export type NameToken = { text: string; optional: boolean };

export type NormalisedName = {
  /** `foldName` of the input. */
  folded: string;
  /** Token sequences to compare: particles kept as optional tokens, then (if any glue) particles glued on. */
  forms: NameToken[][];
  /** Words dropped as legal forms or honorifics, for the decision record. */
  dropped: string[];
};

function gluedForm(form: NameToken[]): NameToken[] | undefined {
  const out: NameToken[] = [];
  let glued = false;
  for (let i = 0; i < form.length; i++) {
    const token = form[i] as NameToken;
    const next = form[i + 1];
    if (GLUED_PARTICLES.has(token.text) && next !== undefined && !next.optional && !GLUED_PARTICLES.has(next.text)) {
      out.push({ text: token.text + next.text, optional: false });
      glued = true;
      i++;
    } else out.push(token);
  }
  return glued ? out : undefined;
}

/**
 * Normalises a name of a party of `kind` into the token forms compared. Legal forms are dropped from non-person names and
 * honorifics from person names, unless that would leave nothing; spelling variants are folded; particles become optional tokens.
 */
export function normaliseName(raw: string, kind: EntityKind): NormalisedName {
  const plain = normaliseOne(raw, kind);
  // "FOREIGN TRADE BANK (FTB)": the bracketed part (an acronym, a branch, a country) may be left out.
  const unbracketed = raw.replace(/\([^()]*\)/g, " ");
  if (unbracketed === raw || foldName(unbracketed) === "") return plain;
  const without = normaliseOne(unbracketed, kind);
  return { ...plain, forms: [...plain.forms, ...without.forms] };
}

function normaliseOne(raw: string, kind: EntityKind): NormalisedName {
  const folded = foldName(raw);
  const tokens = joinInitials(folded === "" ? [] : folded.split(" ")).map((token) => SPELLING_VARIANTS[token] ?? token);
  const droppable = kind === "person" ? HONORIFICS : LEGAL_FORMS;
  const kept = tokens.filter((token) => !droppable.has(token));
  const useKept = kept.some((token) => !PARTICLES.has(token));
  const dropped = useKept ? tokens.filter((token) => droppable.has(token)) : [];
  const base = (useKept ? kept : tokens).map((text) => ({ text, optional: PARTICLES.has(text) }));
  if (base.length > 0 && base.every((token) => token.optional)) for (const token of base) token.optional = false;
  const forms = base.length === 0 ? [] : [base];
  const glued = gluedForm(base);
  if (glued !== undefined) forms.push(glued);
  return { folded, forms, dropped };
}
