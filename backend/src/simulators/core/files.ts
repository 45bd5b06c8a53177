/**
 * The files the compliance-registry simulators publish instead of a query API: CSV (RFC 4180: comma, CRLF,
 * fields with a comma, quote or line break in double quotes, quotes doubled) and xlsx workbooks (exceljs).
 * Cells are text or integers as text, never JS floats: quantities and unit numbers can exceed 2^53.
 */
export type Cell = string | bigint | number | null | undefined;
export type Sheet = { name: string; columns: readonly string[]; rows: readonly (readonly Cell[])[] };

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  return typeof cell === "string" ? cell : cell.toString();
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [columns, ...rows].map((row) => row.map((cell) => csvField(cellText(cell))).join(",")).join("\r\n") + "\r\n";
}

/**
 * A workbook with one worksheet per sheet: a header row, then the rows. Integers within the safe range are
 * written as numbers (so a spreadsheet can sum them, as the registries' own reports allow); larger ones as text.
 */
export async function toXlsx(sheets: readonly Sheet[]): Promise<Buffer> {
  // Loaded on first use: exceljs is large, and most simulator runs never publish a workbook.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name);
    worksheet.addRow([...sheet.columns]);
    worksheet.getRow(1).font = { bold: true };
    for (const row of sheet.rows) worksheet.addRow(row.map(xlsxCell));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function xlsxCell(cell: Cell): string | number | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === "bigint") return cell <= BigInt(Number.MAX_SAFE_INTEGER) && cell >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(cell) : cell.toString();
  return cell;
}

export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";
export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
