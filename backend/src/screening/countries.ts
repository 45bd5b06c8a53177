/**
 * Country names as the lists write them ("Iran (Islamic Republic of)", "Korea, North", "Burma", "Türkiye") to ISO
 * 3166-1 alpha-2 codes, so a query's `--country IR` can be compared with any list. The English names come from the
 * runtime's ICU data (Intl.DisplayNames, every assigned code), the list spellings ICU does not know from the table
 * below; a name neither knows resolves to undefined and is then not used as evidence (never guessed).
 */
const LIST_SPELLINGS: Record<string, string> = {
  "iran islamic republic of": "IR",
  "korea north": "KP",
  "north korea": "KP",
  "democratic peoples republic of korea": "KP",
  "korea south": "KR",
  "south korea": "KR",
  "republic of korea": "KR",
  burma: "MM",
  russia: "RU",
  "russian federation": "RU",
  syria: "SY",
  "syrian arab republic": "SY",
  "united kingdom of great britain and northern ireland": "GB",
  "united states of america": "US",
  usa: "US",
  "united republic of tanzania": "TZ",
  "democratic republic of the congo": "CD",
  "congo democratic republic of the": "CD",
  "congo kinshasa": "CD",
  "congo republic of the": "CG",
  "congo brazzaville": "CG",
  "republic of the congo": "CG",
  "state of palestine": "PS",
  palestinian: "PS",
  "west bank": "PS",
  gaza: "PS",
  "venezuela bolivarian republic of": "VE",
  "bolivia plurinational state of": "BO",
  "lao peoples democratic republic": "LA",
  laos: "LA",
  "viet nam": "VN",
  vietnam: "VN",
  "republic of moldova": "MD",
  "the former yugoslav republic of macedonia": "MK",
  macedonia: "MK",
  "bosnia herzegovina": "BA",
  "serbia and montenegro": "RS",
  yugoslavia: "RS",
  kosovo: "XK",
  "cote d ivoire": "CI",
  "ivory coast": "CI",
  turkey: "TR",
  turkiye: "TR",
  "czech republic": "CZ",
  "the gambia": "GM",
  "the bahamas": "BS",
  "brunei darussalam": "BN",
  "cabo verde": "CV",
  "cape verde": "CV",
  swaziland: "SZ",
  "east timor": "TL",
  "timor leste": "TL",
  "holy see": "VA",
  "micronesia federated states of": "FM",
  "saint kitts and nevis": "KN",
  "saint vincent and the grenadines": "VC",
  "netherlands antilles": "CW",
  "region crimea": "UA",
  "taiwan province of china": "TW",
  "hong kong sar": "HK",
  "macao sar": "MO",
  macau: "MO",
  "hong kong special administrative region": "HK",
  "united arab emirates": "AE",
  uae: "AE",
  "kyrgyz republic": "KG",
  "slovak republic": "SK",
};

/** Letters and digits only, lower case, diacritics stripped, "&" as "and", "St." as "saint", no "the". */
export function foldCountryName(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/['’`]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter((word) => word !== "" && word !== "the")
    .map((word) => (word === "st" ? "saint" : word))
    .join(" ");
}

/** Withdrawn codes ICU still names (Burma, East Germany, Metropolitan France, ...): their names belong to the current codes. */
const WITHDRAWN: ReadonlySet<string> = new Set([
  "AN", "BU", "CS", "DD", "DY", "FX", "HV", "NT", "QO", "RH", "SU", "TP",
  "UK", "VD", "YD", "YU", "ZR", "EU", "EZ", "UN", "XA", "XB", "ZZ",
]);

let byName: Map<string, string> | undefined;
let assigned: Set<string> | undefined;

function nameTable(): Map<string, string> {
  if (byName !== undefined) return byName;
  const table = new Map<string, string>();
  const display = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = display.of(code);
      if (name === undefined || name === code || WITHDRAWN.has(code)) continue;
      const names = [name];
      // "Myanmar (Burma)": both names; "Hong Kong SAR China": "Hong Kong".
      const bracket = /^(.*?) \((.*)\)$/.exec(name);
      if (bracket !== null) names.push(bracket[1] as string, bracket[2] as string);
      if (name.endsWith(" SAR China")) names.push(name.slice(0, -" SAR China".length));
      for (const each of names) if (!table.has(foldCountryName(each))) table.set(foldCountryName(each), code);
    }
  }
  for (const [name, code] of Object.entries(LIST_SPELLINGS)) table.set(foldCountryName(name), code);
  byName = table;
  return table;
}

/** The ISO alpha-2 code of a country as a list names it, or undefined when not recognised. */
export function countryCode(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const folded = foldCountryName(name);
  if (folded === "") return undefined;
  const table = nameTable();
  const direct = table.get(folded);
  if (direct !== undefined) return direct;
  // "Tehran, Iran" / "Pakistan; Phone 4979263" / "Egypt (previous address)": the last comma part before any ";" or
  // bracket names the country.
  const parts = (name.split(";")[0] as string).replace(/\([^)]*\)/g, "").split(",");
  return parts.length > 1 || parts[0] !== name ? table.get(foldCountryName(parts[parts.length - 1] as string)) : undefined;
}

/** True when `code` is an assigned ISO 3166-1 alpha-2 code (or XK, Kosovo, which the lists use). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  assigned ??= new Set(nameTable().values());
  return code === "XK" || assigned.has(code);
}
