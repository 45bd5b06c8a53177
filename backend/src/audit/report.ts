/** Human-readable and JSON renderings of the auditor's results. */
import type { ExportVerification } from "./verifyExport";
import type { CertificateReport } from "./verifyCertificate";

const mark = (ok: boolean): string => (ok ? "✓" : "✗");

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** The oracle set and the signers, one line each. */
function signerLines(r: CertificateReport, kv: (k: string, v: string) => string): string[] {
  const out: string[] = [];
  if (r.oracleSet === null) out.push(kv("oracle set", "unknown"));
  else {
    const installed =
      r.oracleSet.installedAtBlock === null ? " (checkpoint)" : ` (installed in block ${r.oracleSet.installedAtBlock})`;
    out.push(
      kv("oracle set", `epoch ${r.oracleSet.epoch}, ${r.oracleSet.threshold} of ${r.oracleSet.oracles.length}${installed}`),
    );
  }
  if (r.signers.length === 0) out.push("  (no signatures read)");
  for (const s of r.signers) {
    out.push(`  ${mark(s.ok)} #${s.index} ${s.signer ?? "(unrecoverable)"}${s.note === undefined ? "" : `  ${s.note}`}`);
  }
  return out;
}

/** The custody head at the confirmation and at latest, and supply and balances when recomputed. */
function custodyLines(r: CertificateReport, kv: (k: string, v: string) => string): string[] {
  const out = [
    kv("scanned from block", `${r.custody.scanFromBlock} (start head ${r.custody.startHead})`),
    kv("movements of batch", String(r.custody.movements)),
  ];
  for (const [name, h] of [
    ["at confirmation", r.custody.atConfirmation],
    ["at latest", r.custody.atLatest],
  ] as const) {
    out.push(kv(name, `${mark(h.ok)} block ${h.blockNumber}`), kv("  recomputed", h.recomputed), kv("  on-chain", h.onChain));
  }
  if (r.custody.holdings !== null) {
    out.push(kv("supply (from logs)", r.custody.holdings.supply));
    for (const [account, balance] of Object.entries(r.custody.holdings.balances))
      out.push(kv("  balance", `${account} ${balance}`));
  }
  return out;
}

const kvLine = (k: string, v: string): string => `  ${k.padEnd(22)} ${v}`;

/** The certificate report as text, for a person. */
export function formatCertificateReport(r: CertificateReport): string {
  const lines: string[] = [];
  const kv = (k: string, v: string) => lines.push(kvLine(k, v));
  lines.push(`Retirement certificate ${r.requestId}`);
  kv("chain id", String(r.chainId));
  kv("registry bridge", r.contracts.registryBridge);
  kv("credit token", r.contracts.creditToken);
  kv("latest block", r.latestBlock);
  lines.push("", "Request");
  kv("holder", r.request.holder);
  kv("batch", r.request.batchId);
  kv("amount", r.request.amount);
  kv("beneficiary", JSON.stringify(r.request.beneficiary));
  kv("reason", JSON.stringify(r.request.reason));
  kv("details hash", r.request.detailsHash);
  kv("idempotency key", r.request.idempotencyKey);
  kv("requested", `block ${r.request.blockNumber}, tx ${r.request.transactionHash}`);
  lines.push("", "Confirmation");
  kv("registry reference", r.confirmation.registryReferenceHash);
  kv("serial range hash", r.confirmation.serialRangeHash);
  kv("confirmed", `block ${r.confirmation.blockNumber} (${r.confirmation.blockHash})`);
  kv("transaction", `${r.confirmation.transactionHash}, log ${r.confirmation.logIndex}`);
  kv(
    "entry point",
    `${r.confirmation.entryPoint}` +
      (r.confirmation.itemCount > 1 ? ` (item ${r.confirmation.itemIndex + 1} of ${r.confirmation.itemCount})` : ""),
  );
  kv("attestation", `${r.confirmation.attestationKind}, digest ${r.confirmation.digest ?? "(not computed)"}`);
  lines.push("", "Oracle signers", ...signerLines(r, kvLine));
  lines.push("", "Custody head", ...custodyLines(r, kvLine));
  lines.push("", "Checks");
  for (const c of r.checks) lines.push(`  ${mark(c.ok)} ${c.label}${c.detail === undefined ? "" : ` (${c.detail})`}`);
  const failed = r.checks.filter((c) => !c.ok).length;
  lines.push("", `Verdict: ${r.verdict}${failed > 0 ? ` (${failed} check${failed > 1 ? "s" : ""} failed)` : ""}`);
  return `${lines.join("\n")}\n`;
}

/** The export verification as text. */
export function formatExportVerification(v: ExportVerification): string {
  const lines = [`Custody export of batch ${v.batchId} (${v.mode})`];
  for (const c of v.checks) lines.push(`  ${mark(c.ok)} ${c.label}${c.detail === undefined ? "" : ` (${c.detail})`}`);
  if (v.firstMismatch !== null) lines.push("", `First mismatch: ${v.firstMismatch}`);
  lines.push("", `Verdict: ${v.verdict}`);
  return `${lines.join("\n")}\n`;
}
