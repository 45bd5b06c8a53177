import { parse } from "csv-parse/sync";
import { ListParseError } from "../errors";

/**
 * Reading publishers' files: text decoding and headerless CSV. OFAC's exports are ASCII today but have been
 * Windows-1252 before, so bytes that are not valid UTF-8 are read as Latin-1 rather than refused or mangled.
 */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}

/** OFAC's null: `-0-`, in the files as `-0- ` (with a trailing blank) outside quotes. */
export function nullable(field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const value = field.trim();
  return value === "" || value === "-0-" ? undefined : value;
}

/**
 * Rows of a headerless CSV with exactly `columns` fields each (a real CSV parser: quoted commas, doubled quotes
 * and quoted line breaks are data). The DOS end-of-file byte (0x1A) OFAC appends, blank lines and a byte-order
 * mark are skipped; any other row of the wrong width is a ListParseError naming its line.
 */
export function readCsv(list: string, file: string, bytes: Buffer, columns: number): Array<{ line: number; fields: string[] }> {
  // eslint-disable-next-line no-control-regex -- strips the DOS end-of-file marker (SUB, 0x1A) some published files end with
  const text = decodeText(bytes).replace(/\u001a+\s*$/, "");
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new ListParseError(list, file, (error as Error).message, line);
  }
  const rows: Array<{ line: number; fields: string[] }> = [];
  for (const { record, info } of records) {
    if (record.length === 1 && (record[0] ?? "").trim() === "") continue;
    if (record.length !== columns)
      throw new ListParseError(list, file, `expected ${columns} fields, found ${record.length}`, info.lines);
    rows.push({ line: info.lines, fields: record });
  }
  return rows;
}

/** The bytes of a file the source cannot do without (fetchListFiles checks first; a direct `parse` call may not). */
export function requireFile(list: string, files: ReadonlyMap<string, Buffer>, name: string): Buffer {
  const bytes = files.get(name);
  if (bytes === undefined) throw new ListParseError(list, name, "file missing");
  return bytes;
}
