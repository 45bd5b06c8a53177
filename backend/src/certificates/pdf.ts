/**
 * The certificate as a one-page PDF (pdfkit, the Carbonmark pattern): every statement of the certificate in words,
 * a QR code to the public verification page, and the SHA-256 of the on-chain record. The rendering is
 * deterministic (creation date = the on-chain confirmation time, an embedded font, the QR drawn as vector squares)
 * so the same certificate always gives the same bytes, and the SHA-256 of the PDF identifies it on the
 * verification page. A PDF cannot contain its own hash: the page and the API show it beside the download.
 *
 * Font: DejaVu Sans (backend/assets/fonts, Bitstream Vera licence), embedded so names outside Latin-1 print.
 */
import path from "node:path";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { Certificate } from "./certificate";

const FONTS = path.resolve(__dirname, "..", "..", "assets", "fonts");
const REGULAR = path.join(FONTS, "DejaVuSans.ttf");
const BOLD = path.join(FONTS, "DejaVuSans-Bold.ttf");

export type RenderCertificateParameters = { certificate: Certificate; verificationUrl: string };

function rows(c: Certificate): Array<[string, string]> {
  const na = "not stated by the registry";
  return [
    ["Registry", c.registry.name],
    ["Project", `${c.project.registryProjectId ?? na}${c.project.name === null ? "" : ` - ${c.project.name}`}`],
    ["Project type / methodology", [c.project.type, c.project.methodology].filter(Boolean).join(" / ") || na],
    ["Country", c.project.country ?? na],
    ["Vintage", c.vintage.start === null ? na : `${c.vintage.start} to ${c.vintage.end ?? "?"}`],
    ["Serial range", c.serialRange.serial ?? "not yet reported by the registry"],
    ["Quantity", `${c.quantity} ${c.unit.name ?? "units"}${c.unit.metric === null ? "" : ` (${c.quantity} ${c.unit.metric})`}`],
    ["Beneficiary", c.beneficiary || "(none given)"],
    ["Reason", c.reason || "(none given)"],
    ["Registry retirement reference", c.registryRetirementReference.reference ?? "not yet reported"],
    ["Requested", c.dates.requestedAt ?? "-"],
    ["Retired at the registry", c.dates.retiredAtRegistry ?? "-"],
    ["Confirmed on chain", c.dates.confirmedOnChainAt ?? "-"],
    ["Holder wallet", c.holder],
  ];
}

function proofRows(c: Certificate): Array<[string, string]> {
  const p = c.onChainProof;
  return [
    ["Chain id / bridge", `${p.chainId} / ${p.registryBridge}`],
    ["Retirement request", p.requestId],
    [
      "Confirmation transaction",
      `${p.transactionHash} (block ${p.blockNumber}, log ` +
        `${p.logIndex}${p.blockTimestamp === null ? "" : `, block time ${p.blockTimestamp}`})`,
    ],
    [
      "Attested by",
      `${p.attestedBy.signers.length} of ${p.attestedBy.oracleSetSize ?? "?"} oracles (quorum ${p.attestedBy.threshold ?? "?"})`,
    ],
    [
      "Registry reference hash",
      `${p.retirementIdHash}${c.registryRetirementReference.matchesOnChainHash === true ? " (matches the reference)" : ""}`,
    ],
    [
      "Serial range hash",
      `${p.serialRangeHash}${c.serialRange.matchesOnChainHash === true ? " (matches the serial range)" : ""}`,
    ],
    ["SHA-256 of the on-chain record", c.onChainRecordSha256],
  ];
}

/** Draws the QR code of `text` as filled squares at (x, y), `size` points wide. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const count = qr.modules.size;
  const quiet = 2;
  const cell = size / (count + 2 * quiet);
  doc.save().rect(x, y, size, size).fill("#ffffff");
  doc.fillColor("#000000");
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.modules.get(row, col)) doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell, cell);
    }
  }
  doc.fill().restore();
}

export async function renderCertificatePdf({ certificate, verificationUrl }: RenderCertificateParameters): Promise<Buffer> {
  const created = new Date(certificate.dates.confirmedOnChainAt ?? 0);
  const doc = new PDFDocument({
    size: "A4",
    margin: 48,
    info: {
      Title: `${certificate.title} ${certificate.certificateId}`,
      Author: "Carbon custody platform",
      Subject: certificate.statement,
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.registerFont("regular", REGULAR);
  doc.registerFont("bold", BOLD);
  const width = doc.page.width - 96;

  doc
    .font("bold")
    .fontSize(20)
    .fillColor("#123b2a")
    .text(certificate.title, { width: width - 120 });
  doc
    .font("regular")
    .fontSize(9)
    .fillColor("#333333")
    .text(`Certificate id ${certificate.certificateId}`, { width: width - 120 });
  drawQr(doc, verificationUrl, 48 + width - 124, 36, 124);
  doc.moveDown(0.8);
  doc
    .font("regular")
    .fontSize(11)
    .fillColor("#000000")
    .text(certificate.statement, { width: width - 140 });
  doc.y = Math.max(doc.y, 172);
  doc.moveDown(0.8);

  const table = (title: string, entries: Array<[string, string]>) => {
    doc.font("bold").fontSize(12).fillColor("#123b2a").text(title, 48, doc.y, { width });
    doc.moveDown(0.3);
    for (const [label, value] of entries) {
      const y = doc.y;
      doc.font("bold").fontSize(9).fillColor("#333333").text(label, 48, y, { width: 150 });
      const labelBottom = doc.y;
      doc
        .font("regular")
        .fontSize(9)
        .fillColor("#000000")
        .text(value, 206, y, { width: width - 158 });
      doc.y = Math.max(doc.y, labelBottom) + 3;
    }
    doc.moveDown(0.6);
  };
  table("What was retired", rows(certificate));
  table("On-chain proof", proofRows(certificate));

  doc.font("bold").fontSize(10).fillColor("#123b2a").text("Verify this certificate", 48);
  doc
    .font("regular")
    .fontSize(9)
    .fillColor("#000000")
    .text(
      "Scan the QR code or open the address below. The public verification page re-reads the chain and the registry's " +
        "status and shows each check; compare the SHA-256 of this PDF file with the one the page shows.",
      { width },
    );
  doc.fillColor("#0b4f9c").text(verificationUrl, { width, link: verificationUrl, underline: true });
  doc.end();
  return done;
}
