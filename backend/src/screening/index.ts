/**
 * Sanctions screening (issue 16 "Screening"; the specification is docs/screening.md, the tests in
 * test/backend/screening/ are written against it). Pure domain code: it reads lists and decides, and writes
 * nothing; the onboarding workflow stores the decision records it returns.
 *
 * - Lists: one `ListSource` per publisher (`port.ts`): OFAC SDN (`sources/ofac.ts`, with ALT, ADD and comments) and
 *   the UN Security Council consolidated list (`sources/un.ts`), read from the embedded snapshots
 *   (backend/data/sanctions), SANCTIONS_LISTS_DIR or SANCTIONS_LIST_URLS (`lists.ts`, `fetch.ts`); every list version is
 *   the SHA-256 of its bytes; `createListRefresher` re-fetches on a schedule and `diffLists` says what changed.
 * - Matching: `normalise.ts` (NFKD, diacritics, case, punctuation, legal forms, honorifics, particles),
 *   `jaroWinkler.ts` (Jaro-Winkler with Watchman's penalties), `nameScore.ts` (token pairs to a name score),
 *   `evidence.ts` (date of birth, country, identifiers), `screen.ts` with `screenIndex.ts` (phonetic blocking,
 *   the decision), bands in `settings.ts`, the record in `decision.ts`.
 * - Input: `validate.ts`; the CLI is `carbon kyc` (cli/kyc.ts).
 */
export { type ListDelta, diffLists, isEmptyDelta } from "./delta";
export { type ListLocation, EMBEDDED_LISTS_DIR, fetchListFiles, loadList, parseListFiles, versionHash } from "./fetch";
export {
  type ListRefresher,
  type ListSettings,
  type ListUpdate,
  createListRefresher,
  defaultSources,
  loadLists,
  locationFor,
} from "./lists";
export { type ScreeningConfig, loadScreeningConfig } from "./config";
export type { ListFileSpec, ListSource, ParseListReturnType } from "./port";
export type { EntityKind, IdentifierKind, ListEntry, ListedName, LoadedList, NameType } from "./model";
export { ENTITY_KINDS, IDENTIFIER_KINDS } from "./model";
export {
  type Band,
  type Candidate,
  type NameQuery,
  type QueryIdentifier,
  type ScoreBreakdown,
  type ScreeningDecision,
  bandOf,
} from "./decision";
export { type ScreeningIndex, type ScreeningIndexSettings, buildScreeningIndex } from "./screen";
export { DEFAULT_BANDS, DEFAULT_MATCH_SETTINGS, type DecisionBands, type MatchSettings } from "./settings";
export { ListFetchError, ListParseError, ScreeningInputError } from "./errors";
export { MAX_NAME_LENGTH, validateNameQuery, validateWallet } from "./validate";
