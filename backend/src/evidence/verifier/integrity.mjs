// Integrity of the package itself: the archive's entries, the manifest in canonical form, every file's SHA-256,
// the RFC 6962 root over them, each file's inclusion proof, and the RFC 3161 time stamp over the root.
import { fromHex, sha256, toHex } from "./bytes.mjs";
import { canonicalize } from "./jcs.mjs";
import { rootOf, verifyInclusion } from "./merkle.mjs";
import { EVIDENCE_FORMAT, INCLUSION_PROOFS, MANIFEST, OUTSIDE_TREE, TIMESTAMP, TIMESTAMP_MISSING, leafNames, manifestLeaves } from "./package.mjs";
import { verifyTimestampResponse } from "./timestamp.mjs";

/** Parses a JSON entry; a check fails naming the file when it is not JSON. */
export function jsonEntry(ctx, name) {
  const entry = ctx.entries.get(name);
  if (entry === undefined || entry.problem !== undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(entry.data).toString("utf8"));
  } catch (error) {
    ctx.check(`json.${name}`, `${name} is JSON`, false, error.message, name);
    return undefined;
  }
}

export function checkArchive(ctx) {
  for (const entry of ctx.entries.values()) {
    if (entry.problem !== undefined) ctx.check(`archive.${entry.name}`, `${entry.name} reads back intact from the ZIP`, false, entry.problem, entry.name);
  }
  const bad = [...ctx.entries.values()].filter((e) => e.problem !== undefined).length;
  ctx.check("archive", `every ZIP entry reads back intact (${ctx.entries.size} entries, CRC-32 and sizes)`, bad === 0, bad > 0 ? `${bad} damaged` : undefined);
}

export function checkManifest(ctx) {
  const entry = ctx.entries.get(MANIFEST);
  if (entry === undefined || entry.problem !== undefined) {
    ctx.check("manifest.present", `${MANIFEST} is in the package`, false, entry?.problem ?? "missing", MANIFEST);
    return undefined;
  }
  const manifest = jsonEntry(ctx, MANIFEST);
  if (manifest === undefined) return undefined;
  const text = Buffer.from(entry.data).toString("utf8");
  let canonical;
  try {
    canonical = canonicalize(manifest);
  } catch (error) {
    canonical = `(${error.message})`;
  }
  ctx.check("manifest.canonical", `${MANIFEST} is RFC 8785 canonical JSON`, canonical === text, canonical === text ? undefined : "its bytes differ from the canonical form of its content", MANIFEST);
  const shapeOk = manifest.format === EVIDENCE_FORMAT && Array.isArray(manifest.files) && manifest.header && manifest.merkle && /^0x[0-9a-f]{64}$/.test(manifest.merkle.root ?? "");
  ctx.check("manifest.format", `${MANIFEST} is a ${EVIDENCE_FORMAT} manifest`, shapeOk, shapeOk ? undefined : `format ${manifest.format}`, MANIFEST);
  return shapeOk ? manifest : undefined;
}

export function checkFiles(ctx, manifest) {
  const listed = new Set();
  let bad = 0;
  for (const file of manifest.files) {
    listed.add(file.path);
    const entry = ctx.entries.get(file.path);
    let problem;
    if (entry === undefined) problem = "listed in the manifest but missing from the package";
    else if (entry.problem !== undefined) problem = entry.problem;
    else if (entry.data.length !== file.size) problem = `size ${entry.data.length}, the manifest says ${file.size}`;
    else if (toHex(sha256(entry.data)) !== file.sha256) problem = `SHA-256 ${toHex(sha256(entry.data))}, the manifest says ${file.sha256}`;
    if (problem !== undefined) {
      bad += 1;
      ctx.check(`file.${file.path}`, `${file.path}: SHA-256 and size as in the manifest`, false, problem, file.path);
    }
  }
  const sorted = manifest.files.map((f) => f.path).join("\n") === [...listed].sort().join("\n") && listed.size === manifest.files.length;
  ctx.check("files.sorted", "manifest lists each file once, sorted by path", sorted, undefined, MANIFEST);
  const extra = [...ctx.entries.keys()].filter((name) => !listed.has(name) && !OUTSIDE_TREE.includes(name));
  ctx.check("files.extra", "no file in the package that the manifest does not list", extra.length === 0, extra.length ? extra.join(", ") : undefined, extra[0]);
  ctx.check("files", `every listed file has the SHA-256 and size the manifest states (${manifest.files.length} files)`, bad === 0, bad ? `${bad} differ` : undefined);
}

export function checkMerkle(ctx, manifest) {
  let leaves;
  try {
    leaves = manifestLeaves(manifest.header, manifest.files);
  } catch (error) {
    ctx.check("merkle.root", "RFC 6962 root over the header and the files", false, error.message, MANIFEST);
    return;
  }
  const root = toHex(rootOf(leaves));
  const ok = root === manifest.merkle.root && manifest.merkle.size === leaves.length;
  ctx.check("merkle.root", `RFC 6962 SHA-256 root over the manifest header and ${manifest.files.length} files = the manifest's root`, ok, ok ? root : `recomputed ${root}, the manifest says ${manifest.merkle.root}`, MANIFEST);
  const proofs = jsonEntry(ctx, INCLUSION_PROOFS);
  if (proofs === undefined) {
    ctx.check("merkle.inclusion", `${INCLUSION_PROOFS} present`, false, ctx.entries.get(INCLUSION_PROOFS)?.problem ?? "missing", INCLUSION_PROOFS);
    return;
  }
  const names = leafNames(manifest.files);
  const failures = [];
  names.forEach((name, index) => {
    const proof = proofs.proofs?.find((p) => p.leaf === name);
    const good =
      proof !== undefined &&
      proof.index === index &&
      proof.leafHash === toHex(leaves[index]) &&
      verifyInclusion(leaves[index], index, leaves.length, proof.auditPath.map(fromHex), fromHex(manifest.merkle.root));
    if (!good) failures.push(name);
  });
  ctx.check(
    "merkle.inclusion",
    `every file's RFC 6962 inclusion proof leads to the root (${names.length} proofs in ${INCLUSION_PROOFS})`,
    failures.length === 0 && proofs.root === manifest.merkle.root,
    failures.length ? `no valid proof for ${failures.slice(0, 3).join(", ")}${failures.length > 3 ? ", ..." : ""}` : undefined,
    INCLUSION_PROOFS,
  );
}

export function checkTimestamp(ctx, manifest, options) {
  const token = ctx.entries.get(TIMESTAMP);
  if (token === undefined) {
    const missing = jsonEntry(ctx, TIMESTAMP_MISSING);
    const why = missing?.reason ?? "no timestamp.tsr and no timestamp-missing.json";
    ctx.timestamp = { missing: why };
    ctx.check("timestamp", "RFC 3161 time stamp over the root", options.requireTimestamp !== true, `MISSING: ${why}`, TIMESTAMP, options.requireTimestamp !== true);
    return;
  }
  if (token.problem !== undefined) {
    ctx.check("timestamp", "RFC 3161 time stamp over the root", false, token.problem, TIMESTAMP);
    return;
  }
  // The stamped datum is the 32-byte root; the token's imprint is its SHA-256 (RFC 3161 section 2.4.1).
  const result = verifyTimestampResponse(token.data, sha256(fromHex(manifest.merkle.root)));
  ctx.timestamp = result;
  ctx.check(
    "timestamp",
    "RFC 3161 time stamp: imprint = SHA-256 of the root, CMS signature valid, TSA certificate chain to its root",
    result.ok,
    result.ok ? `${result.genTime} by ${result.tsa}; TSA root ${result.root.subject} SHA-256 ${result.root.sha256}` : result.problems.join("; "),
    TIMESTAMP,
  );
}
