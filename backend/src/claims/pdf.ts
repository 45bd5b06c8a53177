import PDFDocument from "pdfkit";

/**
 * The few PDF helpers the claim statement and the CSR report share (pdfkit, built-in Helvetica). The built-in
 * fonts cover WinAnsi only, so text passes through `pdfText` (the rupee sign and relations become ASCII);
 * the creation date is the document's own date, so the same input gives the same bytes.
 */

const REPLACEMENTS: Array<[RegExp, string]> = [
  [/₹/g, "Rs "],
  [/≥/g, ">="],
  [/≤/g, "<="],
  [/₂/g, "2"],
  [/→/g, "->"],
  [/[^\x20-\x7e\xa0-\xff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\n]/g, "?"],
];

export function pdfText(text: string): string {
  return REPLACEMENTS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

export type Pdf = InstanceType<typeof PDFDocument>;

export type PdfWriter = {
  doc: Pdf;
  heading(text: string): void;
  subheading(text: string): void;
  paragraph(text: string, options?: { size?: number; mono?: boolean }): void;
  fields(rows: ReadonlyArray<readonly [string, string]>): void;
};

/** Renders with `draw` into a Buffer. `createdAt` (ISO) becomes the PDF's creation and modification date. */
export function renderPdf(meta: { title: string; createdAt: string }, draw: (writer: PdfWriter) => void): Promise<Buffer> {
  const created = new Date(meta.createdAt);
  const doc = new PDFDocument({ size: "A4", margin: 50, info: { Title: pdfText(meta.title), CreationDate: created, ModDate: created, Producer: "carbon-custody", Creator: "carbon-custody" } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const writer: PdfWriter = {
    doc,
    heading: (text) => void doc.font("Helvetica-Bold").fontSize(16).text(pdfText(text)).moveDown(0.5),
    subheading: (text) => void doc.moveDown(0.5).font("Helvetica-Bold").fontSize(11).text(pdfText(text)).moveDown(0.2),
    paragraph: (text, options = {}) =>
      void doc.font(options.mono ? "Courier" : "Helvetica").fontSize(options.size ?? 9).text(pdfText(text)).moveDown(0.3),
    fields: (rows) => {
      for (const [label, value] of rows) {
        doc.font("Helvetica-Bold").fontSize(9).text(`${pdfText(label)}: `, { continued: true }).font("Helvetica").text(pdfText(value));
      }
      doc.moveDown(0.3);
    },
  };
  draw(writer);
  doc.end();
  return done;
}
