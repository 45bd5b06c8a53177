import type { EntityKind, ListEntry, LoadedList, NameType } from "./model";
import type { ScoringToken } from "./nameScore";
import { GENERIC_WORDS, type NameToken, normaliseName } from "./normalise";
import { tokenSimilarity } from "./jaroWinkler";
import { phoneticClass, phoneticKey } from "./phonetic";
import { normaliseIdentifier } from "./sources/ofacRemarks";

/**
 * The screening index, built once per set of list versions (docs/screening.md §6). Every listed name is
 * normalised once into its token forms over one vocabulary of distinct tokens. Blocking is by phonetic key, at the
 * token level: a query token is compared only with the vocabulary tokens in its block (the first three characters
 * of its phonetic key: first-letter class and two Soundex digits), so one screening computes a few hundred
 * Jaro-Winkler scores instead of one per listed token; the names holding a token that scored at least
 * minPairScore are the candidates, and only they are scored as names. Identifiers and wallet addresses have
 * exact-match maps.
 */
export type IndexedName = {
  entry: number;
  /** Position in the entry's `names`. */
  name: number;
  type: NameType;
  tokens: ScoringToken[];
};

export type IndexedEntry = { entry: ListEntry; names: number[] };

export type IndexTables = {
  entries: IndexedEntry[];
  names: IndexedName[];
  vocabulary: Map<string, ScoringToken>;
  /** Block key → the vocabulary tokens in the block. */
  blocks: Map<string, ScoringToken[]>;
  /** Vocabulary id → positions of the names holding the token. */
  tokenNames: Int32Array[];
  /** Name position → its entry's kind (KIND_CODES). */
  nameKinds: Uint8Array;
  /** Normalised identifier value → entry positions. */
  identifiers: Map<string, number[]>;
  /** Lower-cased wallet address → entry positions. */
  wallets: Map<string, number[]>;
  /** idf of a token the lists never use. */
  unseenIdf: number;
};

const KIND_CODES: Record<EntityKind, number> = { person: 1, entity: 2, vessel: 3, aircraft: 4 };

function vocabularyKey(token: NameToken): string {
  return `${token.optional ? "?" : "="}${token.text}`;
}

/** The vocabulary token for `token`, created on first use. */
function internToken(vocabulary: Map<string, ScoringToken>, token: NameToken): ScoringToken {
  const key = vocabularyKey(token);
  let scoring = vocabulary.get(key);
  if (scoring === undefined) {
    scoring = { id: vocabulary.size, text: token.text, optional: token.optional, cls: phoneticClass(token.text), idf: 0 };
    vocabulary.set(key, scoring);
  }
  return scoring;
}

/** Weight of a generic business word's rarity (normalise.ts GENERIC_WORDS). */
export const GENERIC_WORD_WEIGHT = 0.25;

function rarity(text: string, idf: number): number {
  return GENERIC_WORDS.has(text) ? idf * GENERIC_WORD_WEIGHT : idf;
}

/**
 * A token's blocks: optional tokens apart from required ones; then the phonetic key's class and first two digits,
 * and its class with the first and third digits, so a consonant changed, added or dropped second ("xhemajli" and
 * "xhemaili") still meets: tokens are compared when any of their blocks agree.
 */
export function blockKeys(token: { text: string; optional: boolean }): string[] {
  const key = phoneticKey(token.text);
  const side = token.optional ? "?" : "=";
  if (key.startsWith("#") || key.length < 3) return [`${side}${key}`];
  // Class + first two digits, and (with three digits) class + first and third digits: "C524" is in C52 and C54,
  // "C54" in C54, so the two meet.
  const keys = [`${side}${key.slice(0, 3)}`];
  if (key.length === 4) keys.push(`${side}${key.charAt(0)}${key.charAt(1)}${key.charAt(3)}`);
  return keys;
}

function addToMap(map: Map<string, number[]>, key: string, entry: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else if (!list.includes(entry)) list.push(entry);
}

export function buildTables(lists: LoadedList[]): IndexTables {
  const entries: IndexedEntry[] = [];
  const names: IndexedName[] = [];
  const vocabulary = new Map<string, ScoringToken>();
  const documentFrequency = new Map<ScoringToken, number>();
  const holders: number[][] = [];
  const identifiers = new Map<string, number[]>();
  const wallets = new Map<string, number[]>();
  let listedNames = 0;
  for (const list of lists) {
    for (const entry of list.entries) {
      const position = entries.length;
      const indexed: IndexedEntry = { entry, names: [] };
      entries.push(indexed);
      entry.names.forEach((listed, nameIndex) => {
        const normalised = normaliseName(listed.name, entry.kind);
        const seen = new Set<ScoringToken>();
        for (const form of normalised.forms) {
          const tokens = form.map((token) => internToken(vocabulary, token));
          const at = names.length;
          names.push({ entry: position, name: nameIndex, type: listed.type, tokens });
          indexed.names.push(at);
          for (const token of tokens) {
            seen.add(token);
            const list = (holders[token.id] ??= []);
            if (list[list.length - 1] !== at) list.push(at);
          }
        }
        if (normalised.forms.length > 0) listedNames++;
        for (const token of seen) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
      });
      for (const identifier of entry.identifiers) addToMap(identifiers, identifier.normalised, position);
      for (const wallet of entry.wallets) addToMap(wallets, wallet.address.toLowerCase(), position);
    }
  }
  const total = Math.max(1, listedNames);
  for (const [token, count] of documentFrequency) token.idf = rarity(token.text, Math.log(total / count) + 1);
  const blocks = new Map<string, ScoringToken[]>();
  for (const token of vocabulary.values()) {
    for (const key of blockKeys(token)) {
      const block = blocks.get(key);
      if (block === undefined) blocks.set(key, [token]);
      else block.push(token);
    }
  }
  const tokenNames = [...vocabulary.values()].map((token) => Int32Array.from(holders[token.id] ?? []));
  const nameKinds = Uint8Array.from(names.map((name) => KIND_CODES[(entries[name.entry] as IndexedEntry).entry.kind]));
  return { entries, names, vocabulary, blocks, tokenNames, nameKinds, identifiers, wallets, unseenIdf: Math.log(total) + 1 };
}

/** Scoring tokens of a query form: vocabulary idf where the lists know the token; `id` is the query slot. */
export function queryTokens(tables: IndexTables, form: NameToken[], slots: Map<string, number>): ScoringToken[] {
  return form.map((token) => {
    let slot = slots.get(token.text);
    if (slot === undefined) slots.set(token.text, (slot = slots.size));
    const known = tables.vocabulary.get(vocabularyKey(token));
    return {
      id: slot,
      text: token.text,
      optional: token.optional,
      cls: phoneticClass(token.text),
      idf: known?.idf ?? rarity(token.text, tables.unseenIdf),
    };
  });
}

/**
 * The candidate names for the query's distinct tokens `slots`: every name of `kind` holding a vocabulary token of a
 * query token's block whose similarity reaches `minPairScore`. `remember` receives each such (query token,
 * vocabulary token, score), so name scoring reads them instead of computing them again; `masks[name]` gets bit
 * `slot` for each query token that can pair in the name, which is exactly the set of query tokens the name can
 * pair (a pair needs a remembered similarity), so the caller can bound a name's score before scoring it.
 */
export function candidateNames(
  tables: IndexTables,
  kind: EntityKind,
  slots: ScoringToken[],
  minPairScore: number,
  remember: (query: ScoringToken, listed: ScoringToken, score: number) => void,
  scratch: { stamp: Int32Array; masks: Int32Array; round: number; compared: Int32Array },
): number[] {
  const out: number[] = [];
  const { stamp, masks, round, compared } = scratch;
  const wanted = KIND_CODES[kind];
  for (const query of slots) {
    const bit = 1 << Math.min(query.id, 30);
    const mark = round * 32 + Math.min(query.id, 31);
    for (const key of blockKeys(query)) {
      for (const listed of tables.blocks.get(key) ?? []) {
        if (compared[listed.id] === mark) continue;
        compared[listed.id] = mark;
        if (minPairScore >= 0.75 && !canReach(query.text.length, listed.text.length)) continue;
        const score = tokenSimilarity(query.text, listed.text);
        if (score < minPairScore) continue;
        remember(query, listed, score);
        if (query.optional) continue;
        const holders = tables.tokenNames[listed.id] as Int32Array;
        for (let i = 0; i < holders.length; i++) {
          const name = holders[i] as number;
          if (stamp[name] === round) {
            masks[name] = (masks[name] as number) | bit;
            continue;
          }
          stamp[name] = round;
          if (tables.nameKinds[name] !== wanted) continue;
          masks[name] = bit;
          out.push(name);
        }
      }
    }
  }
  return out;
}

/**
 * False when two tokens' lengths alone keep their similarity below 0.75: with r = shorter/longer, Jaro ≤ (2 + r)/3,
 * the Winkler boost adds at most 0.4 of the rest, and the length penalty takes (1 − r) × 0.3; below r = 0.46 the
 * product is under 0.75, so with minPairScore ≥ 0.75 the pair is not computed.
 */
function canReach(a: number, b: number): boolean {
  return Math.min(a, b) / Math.max(a, b) >= 0.46;
}

/** Entries whose identifiers equal one of `values` (normalised). */
export function entriesByIdentifier(tables: IndexTables, values: string[]): number[] {
  const out = new Set<number>();
  for (const value of values) for (const entry of tables.identifiers.get(normaliseIdentifier(value)) ?? []) out.add(entry);
  return [...out];
}
