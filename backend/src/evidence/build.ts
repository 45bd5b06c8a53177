/**
 * Builds an evidence package: collects the scope's records, fetches and checks the blocks that hold them,
 * writes the records and proofs, the section 63 certificate and the README, bundles the verifier, makes the
 * manifest (RFC 8785) with its RFC 6962 root and the inclusion proofs, asks the TSA for an RFC 3161 time stamp of
 * the root, and returns one deterministic ZIP. Everything in the package is a function of the chain (up to the
 * latest block at build time), the database rows read and the arguments, except `timestamp.tsr`, which the TSA
 * makes anew each time (its time and serial): a package built twice from the same state is byte-identical when no
 * TSA answers, and identical in every other entry when one does.
 */
import crypto from "node:crypto";
import type { Address, Hex, PublicClient } from "viem";
import type { Pool } from "pg";
import { redactUrl } from "../config";
import { type BlockProof, type RawLog, fetchBlockProof } from "./blocks";
import { COLLECTORS, type EvidenceScope } from "./collectors";
import { softwareIdentity } from "./identity";
import { readmeText } from "./readme";
import { type PackageFile, eventRecords, recordFiles } from "./records";
import { type CertificateFacts, partAText, partBText, textPdf } from "./section63";
import { istDateTime, utcDateTime } from "./time";
import { TimestampError } from "./errors";
import { requestTimestamp } from "./tsa";
import { bundleVerifier, verifierModules } from "./verifier";
import { buildZip } from "./zip";

export type BuildEvidenceParameters = {
  scope: EvidenceScope;
  client: PublicClient;
  /** The node's URL as given (recorded in the manifest's query, credentials removed). */
  rpcUrl: string;
  bridge: Address;
  settlement?: Address | undefined;
  database?: Pool | undefined;
  tsaUrl?: string | undefined;
  tsaTimeoutMs?: number | undefined;
  /** Used when the checkout has no git (EVIDENCE_SOFTWARE_COMMIT). */
  configuredCommit?: string | undefined;
  /** The output file's name, for the README's commands. */
  fileName: string;
  chunk?: bigint | undefined;
};

export type BuildEvidenceReturnType = {
  zip: Buffer;
  root: Hex;
  manifest: Record<string, unknown>;
  files: number;
  timestamp: { stamped: true; genTime: string; tsa: string } | { stamped: false; reason: string };
};

const encode = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, "utf8"));
const hexOf = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString("hex")}`;
const sha256Hex = (data: Uint8Array): Hex => `0x${crypto.createHash("sha256").update(data).digest("hex")}`;

function scopeLine(scope: EvidenceScope): string {
  if (scope.kind === "retirement") return `retirement request ${scope.requestId}`;
  if (scope.kind === "batch") return `credit batch ${scope.batchId}`;
  return scope.kind === "entity" ? `entity ${scope.entityId}, year ${scope.year}` : `case ${scope.caseId}`;
}

async function fetchBlocks(
  client: PublicClient,
  numbers: bigint[],
): Promise<{ proofs: BlockProof[]; logs: Map<string, RawLog[]> }> {
  const proofs: BlockProof[] = [];
  const logs = new Map<string, RawLog[]>();
  for (const number of numbers) {
    const block = await fetchBlockProof(client, number);
    proofs.push(block.proof);
    logs.set(block.proof.number, block.logs);
  }
  return { proofs, logs };
}

async function timestampOf(
  p: BuildEvidenceParameters,
  root: Uint8Array,
): Promise<{ entry: PackageFile; outcome: BuildEvidenceReturnType["timestamp"] }> {
  const { TIMESTAMP, TIMESTAMP_MISSING } = verifierModules().packageLayout;
  const missing = (reason: string) => ({
    entry: {
      path: TIMESTAMP_MISSING,
      data: encode(
        `${JSON.stringify({ reason, tsa: p.tsaUrl === undefined ? null : redactUrl(p.tsaUrl), root: hexOf(root) }, null, 2)}\n`,
      ),
    },
    outcome: { stamped: false as const, reason },
  });
  if (p.tsaUrl === undefined) return missing("no time-stamping authority configured (EVIDENCE_TSA_URL or --tsa)");
  try {
    const stamp = await requestTimestamp({ url: p.tsaUrl, data: root, timeoutMs: p.tsaTimeoutMs });
    return {
      entry: { path: TIMESTAMP, data: stamp.response },
      outcome: { stamped: true, genTime: stamp.genTime, tsa: stamp.tsa },
    };
  } catch (error) {
    if (error instanceof TimestampError) return missing(error.message);
    throw error;
  }
}

export async function buildEvidence(p: BuildEvidenceParameters): Promise<BuildEvidenceReturnType> {
  const { jcs, merkle, packageLayout } = verifierModules();
  const records = await COLLECTORS[p.scope.kind].collect(p.scope, {
    client: p.client,
    bridge: p.bridge,
    settlement: p.settlement,
    database: p.database,
    chunk: p.chunk,
  });
  const exp = records.export;
  const numbers = [
    ...new Set([exp.fromBlock, exp.toBlock, ...exp.events.map((e) => e.blockNumber), ...records.fills.map((f) => f.blockNumber)]),
  ]
    .map(BigInt)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const blocks = await fetchBlocks(p.client, numbers);
  const events = eventRecords(records, blocks.logs);
  const files = recordFiles(p.scope.kind, records, blocks.proofs, events);
  const first = blocks.proofs[0] as BlockProof;
  const last = blocks.proofs[blocks.proofs.length - 1] as BlockProof;
  const software = softwareIdentity(p.configuredCommit);
  const oracleSet = events.filter((e) => e.event === "OracleSetUpdated").at(-1);
  const contracts = {
    registryBridge: exp.contracts.registryBridge,
    creditToken: exp.contracts.creditToken,
    settlement: records.settlement ?? null,
  };
  const rpc = redactUrl(p.rpcUrl);
  const databaseSource =
    p.database === undefined
      ? "not used (chain only)"
      : "the platform database: orders, fills, requests, jobs (registry instructions), registry_events (registry answers)";
  const header = {
    scope: p.scope,
    query: {
      command: "carbon audit evidence",
      rpc,
      bridge: p.bridge,
      settlement: p.settlement ?? null,
      database: p.database !== undefined,
    },
    system: {
      software,
      chain: {
        chainId: exp.chainId,
        contracts,
        blockRange: {
          from: { number: first.number, hash: first.hash },
          to: { number: last.number, hash: last.hash, timestamp: last.timestamp },
        },
      },
      oracleSet: oracleSet === undefined ? null : { ...oracleSet.args, installedAtBlock: oracleSet.blockNumber },
    },
    sources: { chain: `JSON-RPC node at ${rpc}: logs, blocks, receipts, transactions, eth_call`, database: databaseSource },
    asOf: { utc: utcDateTime(BigInt(last.timestamp)), ist: istDateTime(BigInt(last.timestamp)) },
    custody: { batchId: exp.batchId, startHead: exp.startHead, recomputedHead: exp.finalHead, onChainHead: exp.onChainHead },
  };
  const facts: CertificateFacts = {
    scopeLine: scopeLine(p.scope),
    system: {
      software: `${software.name} ${software.version}`,
      commit: software.commit,
      chainId: exp.chainId,
      contracts,
      rpc,
      database: databaseSource,
    },
    blockRange: { from: first.number, fromHash: first.hash, to: last.number, toHash: last.hash },
    asOfIst: header.asOf.ist,
    hashes: files.map((f) => ({ path: f.path, sha256: sha256Hex(f.data) })),
  };
  const fixedDate = new Date(Number(last.timestamp) * 1000);
  const partA = partAText(facts);
  const partB = partBText(facts);
  files.push(
    { path: "section63-partA.txt", data: encode(partA) },
    { path: "section63-partA.pdf", data: await textPdf("Section 63 certificate, Part A", partA, fixedDate) },
    { path: "section63-partB-template.txt", data: encode(partB) },
    { path: "section63-partB-template.pdf", data: await textPdf("Section 63 certificate, Part B (template)", partB, fixedDate) },
    {
      path: "README.txt",
      data: encode(
        readmeText({ scopeLine: facts.scopeLine, asOfIst: facts.asOfIst, chainId: exp.chainId, fileName: p.fileName }),
      ),
    },
    { path: "verify.mjs", data: encode(bundleVerifier()) },
  );
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const listed = files.map((f) => ({ path: f.path, sha256: sha256Hex(f.data), size: f.data.length }));
  const leaves = packageLayout.manifestLeaves(header, listed);
  const root = merkle.rootOf(leaves);
  const manifest = {
    format: packageLayout.EVIDENCE_FORMAT,
    header,
    files: listed,
    merkle: {
      algorithm: "RFC 6962 Merkle tree, SHA-256",
      leaves: "leaf 0: JCS(header); leaf i+1: JCS(files[i])",
      size: leaves.length,
      root: hexOf(root),
    },
  };
  const names = packageLayout.leafNames(listed);
  const inclusion = {
    root: hexOf(root),
    size: leaves.length,
    proofs: names.map((leaf, index) => ({
      leaf,
      index,
      leafHash: hexOf(leaves[index] as Uint8Array),
      auditPath: merkle.inclusionPath(leaves, index).map(hexOf),
    })),
  };
  const stamp = await timestampOf(p, root);
  const entries = [
    ...files,
    { path: packageLayout.MANIFEST, data: jcs.canonicalBytes(manifest) },
    { path: packageLayout.INCLUSION_PROOFS, data: encode(`${JSON.stringify(inclusion, null, 2)}\n`) },
    stamp.entry,
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const zip = await buildZip(entries.map((e) => ({ name: e.path, data: e.data })));
  return { zip, root: hexOf(root), manifest, files: entries.length, timestamp: stamp.outcome };
}
