import { XMLParser, XMLValidator } from "fast-xml-parser";
import { countryCode } from "../countries";
import { ListParseError } from "../errors";
import type { IdentifierKind, ListedAddress, ListedBirthDate, ListedIdentifier, ListedName, ListEntry, NameType } from "../model";
import type { ListFileSpec, ListSource, ParseListReturnType } from "../port";
import { normaliseIdentifier } from "./ofacRemarks";
import { decodeText, requireFile } from "./text";

/**
 * The UN Security Council consolidated list, from its XML (https://scsanctions.un.org/resources/xml/en/
 * consolidated.xml; schema https://www.un.org/sc/resources/sc-sanctions.xsd): CONSOLIDATED_LIST with INDIVIDUALS
 * and ENTITIES. Per party: DATAID, REFERENCE_NUMBER (the id used here, e.g. "QDi.001"), FIRST_NAME to FOURTH_NAME
 * (an entity's name is its FIRST_NAME), NAME_ORIGINAL_SCRIPT, UN_LIST_TYPE (the sanctions regime), aliases with
 * QUALITY "Good" / "Low" (or "a.k.a." / "f.k.a."), dates of birth (TYPE_OF_DATE EXACT / APPROXIMATELY / BETWEEN with
 * DATE, YEAR or FROM_YEAR/TO_YEAR), NATIONALITY values, addresses, places of birth and documents (TYPE_OF_DOCUMENT,
 * NUMBER, ISSUING_COUNTRY / COUNTRY_OF_ISSUE).
 */
const FILE = "un-consolidated.xml";
const FILES: readonly ListFileSpec[] = [{ name: FILE, remoteName: "consolidated.xml", required: true }];

type XmlNode = Record<string, unknown>;

/** Every element is an array (isArray below), so each field is read through these two helpers. */
function nodes(node: XmlNode | undefined, key: string): XmlNode[] {
  const value = node?.[key];
  return Array.isArray(value) ? value.filter((item): item is XmlNode => typeof item === "object" && item !== null) : [];
}

function text(node: XmlNode | undefined, key: string): string | undefined {
  const value = node?.[key];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  const string = typeof first === "string" || typeof first === "number" ? String(first) : undefined;
  const trimmed = string?.replace(/\s+/g, " ").trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/** Every VALUE of every `key` element (NATIONALITY holds one VALUE per nationality). */
function values(node: XmlNode, key: string): string[] {
  return nodes(node, key).flatMap((item) => {
    const list = item.VALUE;
    return (Array.isArray(list) ? list : []).flatMap((value: unknown) => {
      const trimmed = typeof value === "string" ? value.trim() : "";
      return trimmed === "" ? [] : [trimmed];
    });
  });
}

const ALIAS_TYPES: Record<string, NameType> = { good: "aka", low: "weak", "a.k.a.": "aka", "f.k.a.": "fka" };

function aliases(node: XmlNode, key: string): ListedName[] {
  return nodes(node, key).flatMap((alias) => {
    const name = text(alias, "ALIAS_NAME");
    if (name === undefined) return [];
    return [{ name, type: ALIAS_TYPES[text(alias, "QUALITY")?.toLowerCase() ?? ""] ?? "aka" }];
  });
}

/** A UN date of birth; a NOTE-only date ("Nov. 1973") is read for its year and month when it has them. */
export function parseUnBirthDate(node: XmlNode): ListedBirthDate | undefined {
  const type = text(node, "TYPE_OF_DATE")?.toUpperCase();
  const approximate = type === "APPROXIMATELY";
  const from = text(node, "FROM_YEAR");
  const to = text(node, "TO_YEAR");
  if (from !== undefined && to !== undefined && /^\d{4}$/.test(from) && /^\d{4}$/.test(to)) {
    return { fromYear: Number(from), toYear: Number(to), approximate, text: `${from} to ${to}` };
  }
  const date = text(node, "DATE");
  const exact = date === undefined ? undefined : /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (exact !== null && exact !== undefined) {
    const [year, month, day] = [Number(exact[1]), Number(exact[2]), Number(exact[3])];
    return { fromYear: year, toYear: year, month, day, approximate, text: date as string };
  }
  const year = text(node, "YEAR") ?? date;
  if (year !== undefined && /^\d{4}$/.test(year))
    return { fromYear: Number(year), toYear: Number(year), approximate, text: year };
  const note = text(node, "NOTE");
  const noted = note === undefined ? null : /\b(\d{4})\b/.exec(note);
  if (noted !== null) return { fromYear: Number(noted[1]), toYear: Number(noted[1]), approximate: true, text: note as string };
  return undefined;
}

function addresses(node: XmlNode, key: string): ListedAddress[] {
  return nodes(node, key).flatMap((address) => {
    const parts = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE"].map((field) => text(address, field));
    const present = parts.filter((part): part is string => part !== undefined);
    if (present.length === 0) return [];
    return [{ text: present.join(", "), country: countryCode(text(address, "COUNTRY")) }];
  });
}

function documentKind(type: string): IdentifierKind {
  const folded = type.toLowerCase();
  if (folded.includes("passport") || folded.includes("passeport") || folded.includes("pasaporte")) return "passport";
  if (folded.includes("national identification") || folded.includes("identity")) return "national-id";
  return "other";
}

function documents(node: XmlNode): ListedIdentifier[] {
  return nodes(node, "INDIVIDUAL_DOCUMENT").flatMap((doc) => {
    const value = text(doc, "NUMBER");
    const label = text(doc, "TYPE_OF_DOCUMENT") ?? "Document";
    if (value === undefined || normaliseIdentifier(value) === "") return [];
    const country = countryCode(text(doc, "ISSUING_COUNTRY") ?? text(doc, "COUNTRY_OF_ISSUE"));
    return [{ kind: documentKind(label), value, normalised: normaliseIdentifier(value), label, country }];
  });
}

function unique(codes: Array<string | undefined>): string[] {
  return [...new Set(codes.filter((code): code is string => code !== undefined))];
}

/**
 * One INDIVIDUAL or ENTITY: the parts both have (reference number, names, regime, addresses, comments), then the
 * person-only ones (dates and places of birth, nationalities, documents). An individual's name is FIRST_NAME to
 * FOURTH_NAME, an entity's its FIRST_NAME.
 */
function party(list: string, node: XmlNode, kind: "person" | "entity"): ListEntry | undefined {
  const person = kind === "person";
  const id = text(node, "REFERENCE_NUMBER") ?? text(node, "DATAID");
  const name = (person ? ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"] : ["FIRST_NAME"])
    .map((key) => text(node, key))
    .filter(Boolean)
    .join(" ");
  if (id === undefined || name === "") return undefined;
  const original = text(node, "NAME_ORIGINAL_SCRIPT");
  const prefix = person ? "INDIVIDUAL" : "ENTITY";
  return {
    list,
    id,
    kind,
    names: [
      { name, type: "primary" },
      ...aliases(node, `${prefix}_ALIAS`),
      ...(original === undefined ? [] : [{ name: original, type: "original" as const }]),
    ],
    programs: unique([text(node, "UN_LIST_TYPE")]),
    birthDates: person
      ? nodes(node, "INDIVIDUAL_DATE_OF_BIRTH")
          .map(parseUnBirthDate)
          .filter((date): date is ListedBirthDate => date !== undefined)
      : [],
    nationalities: person ? unique(values(node, "NATIONALITY").map(countryCode)) : [],
    addresses: addresses(node, `${prefix}_ADDRESS`),
    birthPlaces: person ? addresses(node, "INDIVIDUAL_PLACE_OF_BIRTH") : [],
    identifiers: person ? documents(node) : [],
    wallets: [],
    remarks: text(node, "COMMENTS1"),
  };
}

export function createUnConsolidatedSource(id = "un-consolidated"): ListSource {
  return {
    id,
    title: "United Nations Security Council Consolidated List",
    publisher: "United Nations Security Council",
    files: FILES,
    parse(files): ParseListReturnType {
      const xml = decodeText(requireFile(id, files, FILE));
      const valid = XMLValidator.validate(xml);
      if (valid !== true) throw new ListParseError(id, FILE, valid.err.msg, valid.err.line);
      const parser = new XMLParser({
        ignoreAttributes: false,
        parseTagValue: false,
        trimValues: true,
        isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
      });
      const root = nodes(parser.parse(xml) as XmlNode, "CONSOLIDATED_LIST")[0];
      if (root === undefined) throw new ListParseError(id, FILE, "no CONSOLIDATED_LIST element");
      const people = nodes(nodes(root, "INDIVIDUALS")[0], "INDIVIDUAL").map((node) => party(id, node, "person"));
      const parties = nodes(nodes(root, "ENTITIES")[0], "ENTITY").map((node) => party(id, node, "entity"));
      const entries = [...people, ...parties].filter((entry): entry is ListEntry => entry !== undefined);
      const ids = new Set<string>();
      for (const entry of entries) {
        if (ids.has(entry.id)) throw new ListParseError(id, FILE, `reference number ${entry.id} appears twice`);
        ids.add(entry.id);
      }
      const generated = root["@_dateGenerated"];
      return { entries, publishedAt: typeof generated === "string" ? generated : undefined };
    },
  };
}
