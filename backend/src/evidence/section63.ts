/**
 * The certificate of section 63(4)(c) of the Bharatiya Sakshya Adhiniyam, 2023 (in force 1 July 2024; replaces
 * s.65B of the Indian Evidence Act): Part A for the party producing the records, pre-filled with the systems and
 * their identifiers, the lawful-control statement, the hash algorithm and values with the hash report, the date and
 * time in IST, and blanks for the place and the signatory; Part B as a template for the expert. The particulars
 * follow the Schedule's two-part form as summarised in /work/shared/docs/DOMAIN_NOTES.md section 5.1 (sources: the
 * Act's text at nyaya.cloud, the Schedule at nyayx.com). The statutory wording is the Schedule's; the text here
 * states the same particulars in plain words and must be checked against the Schedule by counsel before filing.
 * Both parts are written as editable text and as PDF (pdfkit, fixed metadata so the bytes are reproducible).
 */
import PDFDocument from "pdfkit";

export type CertificateFacts = {
  scopeLine: string;
  system: {
    software: string;
    commit: string;
    chainId: number;
    contracts: Record<string, string | null>;
    rpc: string;
    database: string;
  };
  blockRange: { from: string; fromHash: string; to: string; toHash: string };
  asOfIst: string;
  /** The hash report: every file the certificate covers, with its SHA-256. */
  hashes: Array<{ path: string; sha256: string }>;
};

const rule = "-".repeat(100);

const heading = (part: string, f: CertificateFacts): string[] => [
  "CERTIFICATE UNDER SECTION 63(4)(c) OF THE BHARATIYA SAKSHYA ADHINIYAM, 2023",
  part,
  rule,
  `Records: ${f.scopeLine}`,
  "",
];

const SIGNATURE_BLOCK = [
  "Signed on (date, DD-MM-YYYY): ____________  at (time, 24 h, IST): ________  Place: ______________________",
  "",
  "Name: ______________________    Signature: ______________________",
  "",
];

function systemLines(f: CertificateFacts): string[] {
  return [
    "Source of the electronic records (type): [x] Server  [x] Cloud  [ ] Computer/storage media  [ ] Mobile  [ ] Other",
    `  Application: ${f.system.software}, software commit ${f.system.commit}`,
    `  Distributed ledger: EVM chain id ${f.system.chainId}, read through the node at ${f.system.rpc}`,
    ...Object.entries(f.system.contracts).map(([name, address]) => `  Contract ${name}: ${address ?? "(none in scope)"}`),
    `  Database: ${f.system.database}`,
    `  Records cover blocks ${f.blockRange.from} (hash ${f.blockRange.fromHash})`,
    `    to ${f.blockRange.to} (hash ${f.blockRange.toHash}), i.e. the chain as of ${f.asOfIst}`,
    "  Make / model / serial / Cloud ID of the servers: ______________________________________________",
  ];
}

function hashReport(f: CertificateFacts): string[] {
  return [
    "Hash algorithm: SHA-256 (FIPS 180-4). [ ] SHA1  [x] SHA256  [ ] MD5  [ ] Other",
    "Hash report (each file of the package and its SHA-256 value):",
    ...f.hashes.map((h) => `  ${h.sha256.slice(2)}  ${h.path}`),
    "The package's manifest.json lists these and the remaining files with their SHA-256 values and an RFC 6962",
    "Merkle root over all of them (this certificate included); timestamp.tsr, where present, is an RFC 3161",
    "time stamp of that root by a time-stamping authority.",
  ];
}

/** Part A, as plain text (the PDF prints the same lines). */
export function partAText(f: CertificateFacts): string {
  return [
    ...heading("PART A (to be filled by the party producing the electronic records)", f),
    "I, ______________________ (name), ______________________ (designation) of ______________________",
    "(organisation), state as follows:",
    "",
    "1. The electronic records described below were produced from the following systems:",
    ...systemLines(f),
    "",
    "2. The systems were, during the period over which the records were created, stored and produced, used",
    "   regularly for the activities regularly carried on over that period by the person having lawful control",
    "   over their use; information of the kind in the records was regularly fed into them in the ordinary course",
    "   of those activities; throughout the material part of that period they were operating properly, or, where",
    "   they were not, the fault was not such as to affect the records or the accuracy of their contents; and the",
    "   records reproduce information so fed in the ordinary course of those activities.",
    "   The systems are:  [ ] owned  [ ] maintained  [ ] managed  [ ] operated  by me / by ____________________.",
    "",
    "3. " + hashReport(f).join("\n   "),
    "",
    `4. The records state the chain as of ${f.asOfIst} (the time of block ${f.blockRange.to}).`,
    "",
    ...SIGNATURE_BLOCK,
  ].join("\n");
}

/** Part B, the expert's template. */
export function partBText(f: CertificateFacts): string {
  return [
    ...heading("PART B (to be filled by the expert)", f),
    "I, ______________________ (name), ______________________ (qualification / designation), state as follows:",
    "",
    "1. I examined the electronic records in this package, produced from (as stated in Part A):",
    ...systemLines(f).map((l) => `   ${l}`),
    "",
    "2. I computed their hash values with the following algorithm and tool:",
    "   [ ] SHA1  [x] SHA256  [ ] MD5  [ ] Other ________   Tool: node verify.mjs <package>.zip (in this package), and",
    "   ______________________________________________ (any independent tool used)",
    "   The values I obtained [ ] match  [ ] do not match  those of the hash report in Part A.",
    "   The verifier's output is enclosed as annexure ____.",
    "",
    "3. Observations (time stamp, signatures, comparison with a node of the chain, anything else):",
    "   ____________________________________________________________________________________________",
    "   ____________________________________________________________________________________________",
    "",
    ...SIGNATURE_BLOCK,
  ].join("\n");
}

/** The text as a PDF: Courier (a standard font, nothing embedded), fixed dates so two builds are identical. */
export function textPdf(title: string, body: string, fixedDate: Date): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 48, bottom: 48, left: 40, right: 40 },
    info: {
      Title: title,
      Author: "carbon-custody",
      Creator: "carbon-custody evidence",
      Producer: "pdfkit",
      CreationDate: fixedDate,
      ModDate: fixedDate,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Uint8Array>((resolve) => doc.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks)))));
  doc.font("Courier").fontSize(7.2);
  doc.text(body, { lineGap: 1.2 });
  doc.end();
  return done;
}
