import { countryCode } from "../countries";
import { ListParseError } from "../errors";
import type { EntityKind, ListedAddress, ListEntry, NameType } from "../model";
import type { ListFileSpec, ListSource, ParseListReturnType } from "../port";
import { normaliseIdentifier, parseOfacRemarks } from "./ofacRemarks";
import { nullable, readCsv, requireFile } from "./text";

/**
 * US Treasury OFAC Specially Designated Nationals list, from its headerless CSV exports (DOMAIN_NOTES §3.2,
 * moov-io/watchman pkg/sources/ofac):
 *
 * - `sdn.csv`, 12 columns: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
 *   Vess_flag, Vess_owner, Remarks;
 * - `alt.csv`, 5: ent_num, alt_num, alt_type (aka / fka / nka), alt_name, remarks;
 * - `add.csv`, 6: ent_num, add_num, address, city/state/postal, country, remarks;
 * - `sdn_comments.csv`, 2 (optional): ent_num, remarks overflow, appended to the entry's Remarks.
 *
 * Null is `-0-`; SDN_Type null means an entity; Program lists come as `SDGT] [IFSR` (brackets of a list whose outer
 * pair was cut), split into programs; the file ends with a DOS end-of-file byte.
 */
const SDN = "ofac-sdn.csv";
const ALT = "ofac-alt.csv";
const ADD = "ofac-add.csv";
const COMMENTS = "ofac-sdn-comments.csv";

const FILES: readonly ListFileSpec[] = [
  { name: SDN, remoteName: "sdn.csv", required: true },
  { name: ALT, remoteName: "alt.csv", required: true },
  { name: ADD, remoteName: "add.csv", required: true },
  { name: COMMENTS, remoteName: "sdn_comments.csv", required: false },
];

const KINDS: Record<string, EntityKind> = { individual: "person", vessel: "vessel", aircraft: "aircraft" };
const ALT_TYPES: Record<string, NameType> = { aka: "aka", fka: "fka", nka: "nka" };

/** "SDGT] [IFSR" → ["SDGT", "IFSR"]; "[SDGT]" → ["SDGT"]. */
export function parsePrograms(field: string | undefined): string[] {
  if (field === undefined) return [];
  return field
    .split(/\]\s*\[/)
    .map((part) => part.replace(/[[\]]/g, "").trim())
    .filter((part) => part !== "");
}

type Draft = ListEntry & { line: number };

function parseSdnRows(list: string, bytes: Buffer): Map<string, Draft> {
  const entries = new Map<string, Draft>();
  for (const { line, fields } of readCsv(list, SDN, bytes, 12)) {
    const id = nullable(fields[0]);
    const name = nullable(fields[1]);
    if (id === undefined || !/^\d+$/.test(id)) throw new ListParseError(list, SDN, `ent_num must be a number, got ${JSON.stringify(fields[0])}`, line);
    if (name === undefined) throw new ListParseError(list, SDN, `entry ${id} has no name`, line);
    if (entries.has(id)) throw new ListParseError(list, SDN, `entry ${id} appears twice`, line);
    const type = nullable(fields[2])?.toLowerCase();
    const kind = type === undefined ? "entity" : KINDS[type];
    if (kind === undefined) throw new ListParseError(list, SDN, `entry ${id} has unknown SDN_Type ${JSON.stringify(type)}`, line);
    const callSign = nullable(fields[5]);
    const flag = nullable(fields[9]);
    entries.set(id, {
      line,
      list,
      id,
      kind,
      names: [{ name, type: "primary" }],
      programs: parsePrograms(nullable(fields[3])),
      birthDates: [],
      nationalities: [],
      addresses: flag === undefined ? [] : [{ text: `flag ${flag}`, country: countryCode(flag) }],
      birthPlaces: [],
      identifiers:
        callSign === undefined
          ? []
          : [{ kind: "call-sign", value: callSign, normalised: normaliseIdentifier(callSign), label: "Call Sign" }],
      wallets: [],
      remarks: nullable(fields[11]),
    });
  }
  return entries;
}

function owner(list: string, file: string, entries: Map<string, Draft>, id: string | undefined, line: number): Draft {
  const entry = id === undefined ? undefined : entries.get(id);
  if (entry === undefined) throw new ListParseError(list, file, `ent_num ${JSON.stringify(id)} is not in ${SDN}`, line);
  return entry;
}

function applyAlternateNames(list: string, bytes: Buffer, entries: Map<string, Draft>): void {
  for (const { line, fields } of readCsv(list, ALT, bytes, 5)) {
    const entry = owner(list, ALT, entries, nullable(fields[0]), line);
    const name = nullable(fields[3]);
    if (name === undefined) continue;
    entry.names.push({ name, type: ALT_TYPES[nullable(fields[2])?.toLowerCase() ?? "aka"] ?? "aka" });
  }
}

function applyAddresses(list: string, bytes: Buffer, entries: Map<string, Draft>): void {
  for (const { line, fields } of readCsv(list, ADD, bytes, 6)) {
    const entry = owner(list, ADD, entries, nullable(fields[0]), line);
    const parts = [fields[2], fields[3], fields[4]].map(nullable).filter((part): part is string => part !== undefined);
    if (parts.length === 0) continue;
    const address: ListedAddress = { text: parts.join(", "), country: countryCode(nullable(fields[4])) };
    entry.addresses.push(address);
  }
}

function applyComments(list: string, bytes: Buffer, entries: Map<string, Draft>): void {
  for (const { line, fields } of readCsv(list, COMMENTS, bytes, 2)) {
    const entry = owner(list, COMMENTS, entries, nullable(fields[0]), line);
    const more = nullable(fields[1]);
    if (more !== undefined) entry.remarks = entry.remarks === undefined ? more : `${entry.remarks} ${more}`;
  }
}

function finish(draft: Draft): ListEntry {
  const { line: _line, ...entry } = draft;
  const facts = parseOfacRemarks(entry.remarks);
  return {
    ...entry,
    names: [...entry.names, ...facts.weakAliases],
    birthDates: facts.birthDates,
    nationalities: facts.nationalities,
    birthPlaces: facts.birthPlaces,
    identifiers: [...entry.identifiers, ...facts.identifiers],
    wallets: facts.wallets,
  };
}

export function createOfacSdnSource(id = "ofac-sdn"): ListSource {
  return {
    id,
    title: "OFAC Specially Designated Nationals (SDN) List",
    publisher: "US Department of the Treasury, Office of Foreign Assets Control",
    files: FILES,
    parse(files): ParseListReturnType {
      const entries = parseSdnRows(id, requireFile(id, files, SDN));
      applyAlternateNames(id, requireFile(id, files, ALT), entries);
      applyAddresses(id, requireFile(id, files, ADD), entries);
      const comments = files.get(COMMENTS);
      if (comments !== undefined) applyComments(id, comments, entries);
      return { entries: [...entries.values()].map(finish) };
    },
  };
}
