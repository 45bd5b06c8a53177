import {
  type Adjustment,
  bandOf,
  type Candidate,
  type ListVersionRef,
  type NameQuery,
  roundScore,
  type ScreeningDecision,
} from "./decision";
import { countryEvidence, dateOfBirthEvidence, identifierEvidence } from "./evidence";
import type { ListEntry, LoadedList } from "./model";
import { type NameScore, type ScoringToken, scoreName } from "./nameScore";
import { normaliseName } from "./normalise";
import {
  buildTables,
  candidateNames,
  entriesByIdentifier,
  type IndexedEntry,
  type IndexedName,
  type IndexTables,
  queryTokens,
} from "./screenIndex";
import { DEFAULT_MATCH_SETTINGS, type MatchSettings, validateBands } from "./settings";
import { validateNameQuery, validateWallet } from "./validate";

/**
 * Screening against an index of loaded lists (docs/screening.md): `screenName` for a person, entity, vessel or
 * aircraft, `screenWallet` for a digital-currency address. Both validate their input and return a full decision
 * record. The index is immutable: a new list version means a new index (the refresher builds one and swaps).
 */
export type ScreeningIndex = {
  readonly lists: ListVersionRef[];
  readonly settings: MatchSettings;
  /** Entries, listed name forms and distinct tokens indexed. */
  readonly size: { entries: number; names: number; tokens: number };
  screenName(query: NameQuery, now?: Date): ScreeningDecision;
  screenWallet(address: string, now?: Date): ScreeningDecision;
};

export type ScreeningIndexSettings = Partial<MatchSettings>;

/**
 * The token similarities blocking found for one screening (query token slot × vocabulary token), read back while
 * the names are scored. A value is valid while its stamp equals the screening's round, so nothing is cleared
 * between screenings; a pair blocking did not find reads 0 (never paired).
 */
function createSimilarityTable(vocabularySize: number) {
  const values: Float32Array[] = [];
  const stamps: Int32Array[] = [];
  let round = 0;
  return {
    next(): void {
      round++;
    },
    remember(query: ScoringToken, listed: ScoringToken, score: number): void {
      const row = (values[query.id] ??= new Float32Array(vocabularySize));
      const stamp = (stamps[query.id] ??= new Int32Array(vocabularySize));
      row[listed.id] = score;
      stamp[listed.id] = round;
    },
    similarity(query: ScoringToken, listed: ScoringToken): number {
      return stamps[query.id]?.[listed.id] === round ? (values[query.id]?.[listed.id] as number) : 0;
    },
  };
}

/** Best name per entry of one screening, in typed arrays indexed by entry position (no allocation per name). */
function createBestNames(entries: number) {
  const score = new Float64Array(entries);
  const name = new Int32Array(entries);
  const form = new Int32Array(entries);
  const stamp = new Int32Array(entries);
  let round = 0;
  let touched: number[] = [];
  return {
    next(): void {
      round++;
      touched = [];
    },
    offer(entry: number, weighted: number, position: number, formIndex: number): void {
      if (stamp[entry] !== round) {
        stamp[entry] = round;
        touched.push(entry);
      } else if (weighted <= (score[entry] as number)) return;
      score[entry] = weighted;
      name[entry] = position;
      form[entry] = formIndex;
    },
    has: (entry: number) => stamp[entry] === round,
    entries: () => touched,
    score: (entry: number) => score[entry] as number,
    name: (entry: number) => name[entry] as number,
    form: (entry: number) => form[entry] as number,
  };
}

function nameWeight(indexed: IndexedName, settings: MatchSettings): number {
  return indexed.type === "weak" ? settings.weakAliasWeight : 1;
}

function evidenceOf(query: NameQuery, entry: ListEntry, settings: MatchSettings): Adjustment[] {
  return [
    dateOfBirthEvidence(query.dob, entry, settings),
    countryEvidence(query.country, entry, settings),
    identifierEvidence(query.identifiers, entry, settings),
  ].filter((adjustment): adjustment is Adjustment => adjustment !== undefined);
}

type Scored = { entry: number; score: number; adjustments: Adjustment[]; forced: boolean };

/**
 * Per query form: the bit mask of its required tokens' slots, and for each slot the most a name can score when
 * that token is the only required one it pairs (the query-side coverage and single-token factors with every other
 * required token unpaired; pairs never score above 1). A name whose pairable slots (candidateNames' mask) leave
 * one required token can be skipped when that bound is below the floor: the result is the same, only faster.
 */
type FormBounds = { required: number; single: Map<number, number> };

function formBounds(form: ScoringToken[], settings: MatchSettings): FormBounds {
  let required = 0;
  let optionalMass = 0;
  let rarity = 0;
  for (const token of form) {
    if (token.optional) optionalMass += token.text.length * token.idf;
    else {
      required |= 1 << token.id;
      rarity += token.text.length * token.idf;
    }
  }
  const single = new Map<number, number>();
  const requiredTokens = form.filter((token) => !token.optional);
  for (const token of requiredTokens) {
    if (requiredTokens.length < 2) {
      single.set(token.id, 1);
      continue;
    }
    const covered = (token.text.length * token.idf + optionalMass) / (rarity + optionalMass);
    const coverage = 1 - settings.unpairedQueryWeight * (1 - covered);
    const alone = 1 - settings.singleTokenWeight * (1 - (token.text.length * token.idf) / rarity);
    single.set(token.id, Math.max(single.get(token.id) ?? 0, coverage * alone));
  }
  return { required, single };
}

/** True when `mask` (the slots a name can pair) cannot reach `floor` through this form. */
function cannotReach(bounds: FormBounds, mask: number, weight: number, floor: number): boolean {
  const pairable = mask & bounds.required;
  if (pairable === 0) return true;
  if ((pairable & (pairable - 1)) !== 0) return false;
  const slot = 31 - Math.clz32(pairable);
  return (bounds.single.get(slot) ?? 1) * weight < floor;
}

function listRefs(lists: LoadedList[]): ListVersionRef[] {
  return lists.map((list) => ({
    id: list.id,
    version: list.version,
    entries: list.entries.length,
    loadedFrom: list.loadedFrom,
    publishedAt: list.publishedAt,
  }));
}

export function buildScreeningIndex(lists: LoadedList[], overrides: ScreeningIndexSettings = {}): ScreeningIndex {
  const settings: MatchSettings = {
    ...DEFAULT_MATCH_SETTINGS,
    ...overrides,
    bands: validateBands(overrides.bands ?? DEFAULT_MATCH_SETTINGS.bands),
  };
  const tables: IndexTables = buildTables(lists);
  const refs = listRefs(lists);
  const blocking = {
    stamp: new Int32Array(tables.names.length),
    masks: new Int32Array(tables.names.length),
    compared: new Int32Array(tables.vocabulary.size),
    round: 0,
  };
  const table = createSimilarityTable(tables.vocabulary.size);
  const best = createBestNames(tables.entries.length);
  const reused: NameScore = { score: 0, pairMean: 0, queryCoverage: 0, listedCoverage: 0, singleToken: 0, pairs: [] };
  const evidenceFloor = settings.reportFloor - settings.dobSupport - settings.countrySupport;

  function scoreNames(forms: ScoringToken[][], positions: Iterable<number>, bounds?: FormBounds[]): void {
    for (const position of positions) {
      const indexed = tables.names[position] as IndexedName;
      const weight = nameWeight(indexed, settings);
      for (let form = 0; form < forms.length; form++) {
        const bound = bounds?.[form];
        if (bound !== undefined && cannotReach(bound, blocking.masks[position] as number, weight, evidenceFloor)) continue;
        const detail = scoreName(forms[form] as ScoringToken[], indexed.tokens, table.similarity, settings, reused, false);
        best.offer(indexed.entry, detail.score * weight, position, form);
      }
    }
  }

  /** The reported candidate of a scored entry: the best name scored again with its token pairs listed. */
  function candidateOf(scored: Scored, forms: ScoringToken[][]): Candidate {
    const { entry } = tables.entries[scored.entry] as IndexedEntry;
    const indexed = tables.names[best.name(scored.entry)] as IndexedName;
    const listed = entry.names[indexed.name];
    const detail = scoreName(forms[best.form(scored.entry)] ?? [], indexed.tokens, table.similarity, settings);
    return {
      list: entry.list,
      id: entry.id,
      kind: entry.kind,
      name: entry.names[0]?.name ?? "",
      programs: entry.programs,
      score: scored.score,
      band: bandOf(scored.score, settings.bands),
      breakdown: {
        matchedName: listed?.name ?? "",
        matchedNameType: listed?.type ?? "primary",
        nameScore: roundScore(detail.score),
        pairMean: roundScore(detail.pairMean),
        queryCoverage: roundScore(detail.queryCoverage),
        listedCoverage: roundScore(detail.listedCoverage),
        singleToken: roundScore(detail.singleToken),
        pairs: detail.pairs.map((pair) => ({ ...pair, score: roundScore(pair.score) })),
        nameWeight: nameWeight(indexed, settings),
        adjustments: scored.adjustments,
        forcedHold: scored.forced ? "identifier" : undefined,
      },
    };
  }

  function report(candidates: Candidate[]): Pick<ScreeningDecision, "decision" | "score" | "candidates"> {
    const top = candidates[0];
    return { decision: top === undefined ? "clear" : top.band, score: top?.score ?? 0, candidates };
  }

  function byRank(a: { score: number; list: string; id: string }, b: { score: number; list: string; id: string }): number {
    return b.score - a.score || a.list.localeCompare(b.list) || a.id.localeCompare(b.id);
  }

  return {
    lists: refs,
    settings,
    size: { entries: tables.entries.length, names: tables.names.length, tokens: tables.vocabulary.size },

    screenName(input, now = new Date()) {
      const query = validateNameQuery(input, now);
      const normalised = normaliseName(query.name, query.type);
      const slots = new Map<string, number>();
      const forms = normalised.forms.map((form) => queryTokens(tables, form, slots));
      const distinct = [...new Map(forms.flat().map((token) => [token.id, token])).values()];
      table.next();
      best.next();
      blocking.round++;
      const candidates = candidateNames(tables, query.type, distinct, settings.minPairScore, table.remember, blocking);
      scoreNames(forms, candidates, distinct.length <= 30 ? forms.map((form) => formBounds(form, settings)) : undefined);
      // An exact identifier makes its entry a candidate whatever the name scored (never an entry of another kind).
      const byIdentifier = new Set(
        entriesByIdentifier(
          tables,
          (query.identifiers ?? []).map((identifier) => identifier.value),
        ),
      );
      for (const position of byIdentifier) {
        const indexed = tables.entries[position] as IndexedEntry;
        if (indexed.entry.kind !== query.type) byIdentifier.delete(position);
        else if (!best.has(position)) best.offer(position, 0, indexed.names[0] ?? 0, 0);
      }
      const scored: Array<Scored & { list: string; id: string }> = [];
      for (const position of best.entries()) {
        if (best.score(position) < evidenceFloor && !byIdentifier.has(position)) continue;
        const { entry } = tables.entries[position] as IndexedEntry;
        const adjustments = evidenceOf(query, entry, settings);
        const forced = adjustments.some((adjustment) => adjustment.effect === "exact");
        const sum = adjustments.reduce((total, adjustment) => total + adjustment.delta, 0);
        const score = forced ? 1 : roundScore(Math.min(1, Math.max(0, best.score(position) + sum)));
        if (score >= settings.reportFloor || forced)
          scored.push({ entry: position, score, adjustments, forced, list: entry.list, id: entry.id });
      }
      scored.sort(byRank);
      const reported = scored.slice(0, settings.maxCandidates).map((entry) => candidateOf(entry, forms));
      return {
        ...report(reported),
        query: { kind: "name", ...query },
        normalised: {
          folded: normalised.folded,
          forms: normalised.forms.map((form) => form.map((token) => (token.optional ? `(${token.text})` : token.text))),
          dropped: normalised.dropped,
        },
        lists: refs,
        bands: settings.bands,
        screenedAt: now.toISOString(),
      };
    },

    screenWallet(input, now = new Date()) {
      const address = validateWallet(input);
      const candidates: Candidate[] = (tables.wallets.get(address) ?? []).map((position) => {
        const { entry } = tables.entries[position] as IndexedEntry;
        const wallet = entry.wallets.find((listed) => listed.address.toLowerCase() === address);
        const adjustment: Adjustment = {
          rule: "wallet",
          effect: "exact",
          delta: 0,
          detail: `Digital Currency Address - ${wallet?.currency ?? "?"} ${wallet?.address ?? address}`,
        };
        const name = entry.names[0]?.name ?? "";
        return {
          list: entry.list,
          id: entry.id,
          kind: entry.kind,
          name,
          programs: entry.programs,
          score: 1,
          band: "hold" as const,
          breakdown: {
            matchedName: name,
            matchedNameType: "primary" as const,
            nameScore: 0,
            pairMean: 0,
            queryCoverage: 0,
            listedCoverage: 0,
            singleToken: 0,
            pairs: [],
            nameWeight: 1,
            adjustments: [adjustment],
            forcedHold: "wallet" as const,
          },
        };
      });
      candidates.sort(byRank);
      return {
        ...report(candidates.slice(0, settings.maxCandidates)),
        query: { kind: "wallet", address: input.trim() },
        normalised: { address },
        lists: refs,
        bands: settings.bands,
        screenedAt: now.toISOString(),
      };
    },
  };
}
