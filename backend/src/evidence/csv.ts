/** RFC 4180 CSV of flat records: a header row of the given columns, CRLF line ends, fields quoted when needed. */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const field = (value: unknown): string => {
    const text = value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(","), ...rows.map((row) => columns.map((c) => field(row[c])).join(","))]
    .map((line) => `${line}\r\n`)
    .join("");
}
