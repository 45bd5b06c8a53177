import { countryCode } from "../countries";
import type { IdentifierKind, ListedAddress, ListedBirthDate, ListedIdentifier, ListedName, ListedWallet } from "../model";

/**
 * OFAC's Remarks column: `;`-separated facts ("DOB 31 Aug 1960; alt. DOB 1958; POB Beirut, Lebanon; nationality
 * Lebanon; Passport 042833 (Lebanon); Digital Currency Address - XBT 1Kuf...; a.k.a. 'BNC'."). Each recognised
 * fact becomes structured data; the rest stays in the remarks text for the analyst. Labels are OFAC's own, as they
 * appear in the SDN file (counted over the 2021 snapshot); an unknown label is not guessed at.
 */
const IDENTIFIER_LABELS: Array<[string, IdentifierKind]> = [
  ["Vessel Registration Identification", "imo"],
  ["Identification Number IMO", "imo"],
  ["Company Number IMO", "imo"],
  ["MMSI", "mmsi"],
  ["Aircraft Manufacturer's Serial Number (MSN)", "aircraft-serial"],
  ["Aircraft Construction Number (also called L/N or S/N or F/N)", "aircraft-serial"],
  ["Aircraft Serial Identification", "aircraft-serial"],
  ["Aircraft Tail Number", "aircraft-tail"],
  ["Aircraft Mode S Transponder Code", "other"],
  ["Diplomatic Passport", "passport"],
  ["Passport", "passport"],
  ["Travel Document Number", "passport"],
  ["National ID No.", "national-id"],
  ["Cedula No.", "national-id"],
  ["C.U.R.P.", "national-id"],
  ["D.N.I.", "national-id"],
  ["Personal ID Card", "national-id"],
  ["Turkish Identification Number", "national-id"],
  ["National Foreign ID Number", "national-id"],
  ["Kenyan ID No.", "national-id"],
  ["Citizen's Card Number", "national-id"],
  ["Numero de Identidad", "national-id"],
  ["SSN", "national-id"],
  ["I.F.E.", "national-id"],
  ["Credencial electoral", "national-id"],
  ["Electoral Registry No.", "national-id"],
  ["Residency Number", "national-id"],
  ["Birth Certificate Number", "national-id"],
  ["Driver's License No.", "national-id"],
  ["Italian Fiscal Code", "national-id"],
  ["C.U.I.P.", "national-id"],
  ["Identification Number", "national-id"],
  ["Tax ID No.", "tax-id"],
  ["NIT #", "tax-id"],
  ["R.F.C.", "tax-id"],
  ["RFC", "tax-id"],
  ["RUC #", "tax-id"],
  ["RIF #", "tax-id"],
  ["US FEIN", "tax-id"],
  ["C.U.I.T.", "tax-id"],
  ["C.U.I.", "tax-id"],
  ["V.A.T. Number", "tax-id"],
  ["RTN", "tax-id"],
  ["Legal Entity Number", "lei"],
  ["SWIFT/BIC", "swift-bic"],
  ["D-U-N-S Number", "duns"],
  ["Registration Number", "registration-number"],
  ["Registration ID", "registration-number"],
  ["UK Company Number", "registration-number"],
  ["Company Number", "registration-number"],
  ["Commercial Registry Number", "registration-number"],
  ["Business Registration Number", "registration-number"],
  ["Business Registration Document #", "registration-number"],
  ["Folio Mercantil No.", "registration-number"],
  ["Matricula Mercantil No", "registration-number"],
  ["Trade License No.", "registration-number"],
  ["C.R. No.", "registration-number"],
  ["Chamber of Commerce Number", "registration-number"],
  ["Public Registration Number", "registration-number"],
  ["Certificate of Incorporation Number", "registration-number"],
  ["Registered Charity No.", "registration-number"],
  ["Unified Social Credit Code (USCC)", "registration-number"],
  ["United Social Credit Code Certificate (USCCC)", "registration-number"],
  ["Enterprise Number", "registration-number"],
  ["Business Number", "registration-number"],
  ["Government Gazette Number", "registration-number"],
  ["Dubai Chamber of Commerce Membership No.", "registration-number"],
  ["Branch Unit Number", "registration-number"],
];
// Longest label first, so "Identification Number IMO" wins over "Identification Number".
IDENTIFIER_LABELS.sort((a, b) => b[0].length - a[0].length);

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Upper-case letters and digits only: the form identifiers are compared in. */
export function normaliseIdentifier(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

type DatePart = { year: number; month?: number | undefined; day?: number | undefined };

/** "31 Aug 1960", "Aug 1960" or "1960". */
export function parseOfacDate(text: string): DatePart | undefined {
  const match = /^(?:(\d{1,2}) )?(?:([A-Za-z]{3})[a-z]* )?(\d{4})$/.exec(text.trim());
  if (match === null) return undefined;
  const month = match[2] === undefined ? undefined : MONTHS.indexOf(match[2].toLowerCase()) + 1;
  if (month === 0) return undefined;
  return { year: Number(match[3]), month, day: match[1] === undefined ? undefined : Number(match[1]) };
}

/** "DOB 31 Aug 1960", "DOB circa 1955", "DOB 1955 to 1958", "DOB 01 Jan 1955 to 31 Dec 1958". */
export function parseOfacBirthDate(text: string): ListedBirthDate | undefined {
  let rest = text.trim();
  const approximate = /^circa /i.test(rest);
  if (approximate) rest = rest.slice(6);
  const [fromText, toText] = rest.split(/ to /);
  const from = fromText === undefined ? undefined : parseOfacDate(fromText);
  if (from === undefined) return undefined;
  if (toText !== undefined) {
    const to = parseOfacDate(toText);
    if (to === undefined) return undefined;
    return { fromYear: from.year, toYear: to.year, approximate, text };
  }
  return { fromYear: from.year, toYear: from.year, month: from.month, day: from.day, approximate, text };
}

function parseIdentifier(fact: string): ListedIdentifier | undefined {
  for (const [label, kind] of IDENTIFIER_LABELS) {
    if (!fact.startsWith(`${label} `)) continue;
    const rest = fact.slice(label.length + 1).replace(/\s+(?:issued|expires|valid|Expiration|Issue Date)\b.*$/i, "");
    const match = /^(.*?)(?:\s+\(([^()]+)\))?$/.exec(rest.trim());
    let value = (match?.[1] ?? rest).trim();
    if (kind === "imo") value = value.replace(/^IMO\s*/i, "");
    const normalised = normaliseIdentifier(value);
    if (normalised === "") return undefined;
    return { kind, value, normalised, label, country: countryCode(match?.[2]) };
  }
  return undefined;
}

export type OfacRemarks = {
  birthDates: ListedBirthDate[];
  nationalities: string[];
  birthPlaces: ListedAddress[];
  identifiers: ListedIdentifier[];
  wallets: ListedWallet[];
  weakAliases: ListedName[];
};

function parseFact(fact: string, out: OfacRemarks): void {
  const alt = fact.replace(/^alt\.\s+/i, "");
  const alias = /^[afn]\.k\.a\.,?\s+'(.+)'$/.exec(alt);
  if (alias !== null) {
    out.weakAliases.push({ name: alias[1] as string, type: "weak" });
    return;
  }
  if (alt.startsWith("DOB ")) {
    const date = parseOfacBirthDate(alt.slice(4));
    if (date !== undefined) out.birthDates.push(date);
    return;
  }
  if (alt.startsWith("POB ")) {
    const text = alt.slice(4);
    out.birthPlaces.push({ text, country: countryCode(text) });
    return;
  }
  const nationality = /^(?:nationality|citizen) (.+)$/.exec(alt);
  if (nationality !== null) {
    const code = countryCode(nationality[1]);
    if (code !== undefined && !out.nationalities.includes(code)) out.nationalities.push(code);
    return;
  }
  const wallet = /^Digital Currency Address - ([A-Za-z0-9]+) (\S+)$/.exec(alt);
  if (wallet !== null) {
    out.wallets.push({ currency: wallet[1] as string, address: wallet[2] as string });
    return;
  }
  const identifier = parseIdentifier(alt);
  if (identifier !== undefined) out.identifiers.push(identifier);
}

/** The structured facts of one Remarks text (OFAC's trailing period dropped). */
export function parseOfacRemarks(remarks: string | undefined): OfacRemarks {
  const out: OfacRemarks = { birthDates: [], nationalities: [], birthPlaces: [], identifiers: [], wallets: [], weakAliases: [] };
  if (remarks === undefined) return out;
  for (const raw of remarks.split(";")) {
    const fact = raw.trim().replace(/\.$/, "");
    if (fact !== "") parseFact(fact, out);
  }
  return out;
}
