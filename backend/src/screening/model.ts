/**
 * The screening data model: what a sanctions or PEP list says about one listed party, in one shape for every list
 * (OFAC, UN, later EU, UK OFSI, India MHA, a PEP source). A source (`port.ts`) turns a publisher's files into
 * `ListEntry` values; the index (`screenIndex.ts`) and the matcher (`score.ts`) read only these types.
 */

/** What a listed party is. A person never matches a vessel, an aircraft or an entity (docs/screening.md §5). */
export const ENTITY_KINDS = ["person", "entity", "vessel", "aircraft"] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * How a name stands on the list. `primary` is the listed name; `aka`/`fka`/`nka` strong aliases (OFAC alt.csv, UN
 * "Good" and "a.k.a."/"f.k.a." aliases); `weak` the aliases a publisher marks as too broad to identify the party
 * alone (OFAC's a.k.a. in Remarks, UN "Low" quality), scored with a lower weight; `original` the name in its
 * original script (UN NAME_ORIGINAL_SCRIPT).
 */
export type NameType = "primary" | "aka" | "fka" | "nka" | "weak" | "original";

export type ListedName = { name: string; type: NameType };

/**
 * A date of birth as listed: an exact day, a month, a year, or a range of years (OFAC "DOB 1955 to 1958", UN
 * BETWEEN). `approximate` marks "circa" / APPROXIMATELY, compared with a wider tolerance.
 */
export type ListedBirthDate = {
  fromYear: number;
  toYear: number;
  /** 1-12 when the list gives the month (only with fromYear = toYear). */
  month?: number | undefined;
  /** 1-31 when the list gives the day. */
  day?: number | undefined;
  approximate: boolean;
  /** The list's own text, for the decision record. */
  text: string;
};

/**
 * Identifier kinds compared exactly. An equal value of the same kind (or of any kind when the query names none)
 * forces a hold; a different value of a kind both sides have contradicts.
 */
export const IDENTIFIER_KINDS = [
  "passport",
  "national-id",
  "tax-id",
  "registration-number",
  "lei",
  "swift-bic",
  "duns",
  "imo",
  "mmsi",
  "call-sign",
  "aircraft-serial",
  "aircraft-tail",
  "other",
] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export type ListedIdentifier = {
  kind: IdentifierKind;
  /** As listed ("JMB 0105954171511"). */
  value: string;
  /** Upper-case letters and digits only: what the comparison uses. */
  normalised: string;
  /** The list's own label ("National ID No.", "Passport"). */
  label: string;
  /** ISO 3166-1 alpha-2 of the issuing country, when the list names one we recognise. */
  country?: string | undefined;
};

/** A digital-currency address (OFAC "Digital Currency Address - XBT ..."). Compared case-insensitively. */
export type ListedWallet = { currency: string; address: string };

export type ListedAddress = {
  text: string;
  /** ISO 3166-1 alpha-2, when recognised. */
  country?: string | undefined;
};

export type ListEntry = {
  /** The source's id (`ofac-sdn`, `un-consolidated`). */
  list: string;
  /** The publisher's id of the entry (OFAC ent_num, UN reference number). Unique within the list. */
  id: string;
  kind: EntityKind;
  /** The primary name first, then every alias. */
  names: ListedName[];
  programs: string[];
  birthDates: ListedBirthDate[];
  /** ISO alpha-2 codes of nationalities and citizenships (persons). */
  nationalities: string[];
  /** Addresses; their countries count as the party's countries for entities (and as a weaker hint for persons). */
  addresses: ListedAddress[];
  /** Places of birth (persons). */
  birthPlaces: ListedAddress[];
  identifiers: ListedIdentifier[];
  wallets: ListedWallet[];
  /** Free text the list carries (OFAC Remarks, UN COMMENTS1), kept for the analyst. */
  remarks?: string | undefined;
};

/** One file a source read, with the SHA-256 of its bytes. */
export type ListFileVersion = { name: string; bytes: number; sha256: string };

/** A list as loaded: every entry plus what identifies the exact publication screened against. */
export type LoadedList = {
  id: string;
  title: string;
  publisher: string;
  /** SHA-256 (hex) over the source's files in their declared order (`versionHash` in fetch.ts). */
  version: string;
  files: ListFileVersion[];
  /** Where the bytes came from: `embedded`, a folder or a URL. */
  loadedFrom: string;
  /** The publisher's own date when the files carry one (UN dateGenerated). */
  publishedAt?: string | undefined;
  entries: ListEntry[];
};
