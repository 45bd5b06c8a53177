// The evidence package verifier: every check, in order, and a verdict. The CLI (`carbon audit verify-evidence`)
// loads this module; the `verify.mjs` inside each package is this code bundled into one file.
import { readZip } from "./unzip.mjs";
import { checkArchive, checkFiles, checkManifest, checkMerkle, checkTimestamp, jsonEntry } from "./integrity.mjs";
import { checkAttestations, checkBlocks, checkCustodyHeads, checkEvents, checkOrders } from "./chain.mjs";
import { checkOnline } from "./online.mjs";

/**
 * Verifies the package in `zipBytes`. Options: `rpc` (a node URL for the online checks), `requireTimestamp`
 * (a missing time stamp fails). Returns `{ checks, verdict, manifest, timestamp }`; `verdict` is VERIFIED,
 * VERIFIED WITHOUT TIME STAMP or FAILED.
 */
export async function verifyEvidence(zipBytes, options = {}) {
  const checks = [];
  const ctx = {
    entries: new Map(),
    manifest: undefined,
    timestamp: undefined,
    check(id, label, ok, detail, file, warning = false) {
      checks.push({ id, label, ok, detail, file, warning: ok && warning });
      return ok;
    },
  };
  try {
    for (const entry of readZip(zipBytes)) ctx.entries.set(entry.name, entry);
  } catch (error) {
    ctx.check("archive", "the package is a readable ZIP", false, error.message);
    return report(checks, ctx);
  }
  checkArchive(ctx);
  const manifest = checkManifest(ctx);
  if (manifest === undefined) return report(checks, ctx);
  ctx.manifest = manifest;
  checkFiles(ctx, manifest);
  checkMerkle(ctx, manifest);
  checkTimestamp(ctx, manifest, options);
  const blocks = checkBlocks(ctx);
  const events = checkEvents(ctx, blocks);
  const fragments = jsonEntry(ctx, "records/events.json")?.fragments ?? {};
  const custody = checkCustodyHeads(ctx, blocks, fragments);
  checkAttestations(ctx, events);
  checkOrders(ctx, events);
  if (options.rpc !== undefined) await checkOnline(ctx, options.rpc, blocks, custody);
  return report(checks, ctx);
}

function report(checks, ctx) {
  const failed = checks.filter((c) => !c.ok);
  const noStamp = ctx.timestamp?.missing !== undefined;
  const verdict = failed.length > 0 ? "FAILED" : noStamp ? "VERIFIED WITHOUT TIME STAMP" : "VERIFIED";
  return { checks, verdict, manifest: ctx.manifest, timestamp: ctx.timestamp };
}

/** The result as text for a person: one line per check (✓, ✗, or ! for a warning) and the verdict. */
export function formatVerification(result, title = "Evidence package") {
  const lines = [title];
  const m = result.manifest?.header;
  if (m !== undefined) {
    const scope = Object.entries(m.scope).map(([k, v]) => `${k} ${v}`).join(", ");
    lines.push(`  scope: ${scope}`, `  chain ${m.system.chain.chainId}, blocks ${m.system.chain.blockRange.from.number}..${m.system.chain.blockRange.to.number}, root ${result.manifest.merkle.root}`);
  }
  lines.push("");
  for (const c of result.checks) {
    const mark = !c.ok ? "✗" : c.warning ? "!" : "✓";
    const where = !c.ok && c.file !== undefined ? ` [${c.file}]` : "";
    lines.push(`  ${mark} ${c.label}${where}${c.detail === undefined ? "" : ` (${c.detail})`}`);
  }
  const failed = result.checks.filter((c) => !c.ok).length;
  lines.push("", `Verdict: ${result.verdict}${failed ? ` (${failed} check${failed > 1 ? "s" : ""} failed)` : ""}`);
  return `${lines.join("\n")}\n`;
}
