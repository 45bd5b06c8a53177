/**
 * The verifier's plain-JavaScript modules (`verifier/*.mjs`, Node built-ins only), loaded here with types for the
 * builder and the CLI, and bundled into the one `verify.mjs` each package carries. There is one copy of the logic:
 * the builder hashes, canonicalizes and builds Merkle trees with the same functions the verifier checks them with.
 */
import fs from "node:fs";
import path from "node:path";
import { VerifierBundleError } from "./errors";

const DIR = path.join(__dirname, "verifier");

/** Bundle order: every module after the ones it imports. */
const MODULES = [
  "bytes.mjs",
  "keccak.mjs",
  "secp256k1.mjs",
  "rlp.mjs",
  "jcs.mjs",
  "merkle.mjs",
  "package.mjs",
  "unzip.mjs",
  "der.mjs",
  "timestamp.mjs",
  "abi.mjs",
  "integrity.mjs",
  "chain.mjs",
  "online.mjs",
  "verifyEvidence.mjs",
  "main.mjs",
] as const;

export type Check = { id: string; label: string; ok: boolean; detail?: string; file?: string; warning: boolean };
export type TimestampResult = {
  ok: boolean;
  problems: string[];
  genTime?: string;
  serialNumber?: string;
  policy?: string;
  nonce?: string;
  tsa?: string;
  root?: { subject: string; sha256: string };
  missing?: string;
};
export type EvidenceVerification = {
  checks: Check[];
  verdict: "VERIFIED" | "VERIFIED WITHOUT TIME STAMP" | "FAILED";
  manifest: unknown;
  timestamp: TimestampResult | undefined;
};
export type VerifyEvidenceOptions = { rpc?: string | undefined; requireTimestamp?: boolean | undefined };
export type ZipEntry = { name: string; data: Uint8Array; problem: string | undefined };

type Modules = {
  jcs: { canonicalize(value: unknown): string; canonicalBytes(value: unknown): Uint8Array };
  merkle: {
    leafHash(data: Uint8Array): Uint8Array;
    rootOf(leaves: Uint8Array[]): Uint8Array;
    inclusionPath(leaves: Uint8Array[], index: number): Uint8Array[];
    verifyInclusion(leaf: Uint8Array, index: number, size: number, path: Uint8Array[], root: Uint8Array): boolean;
  };
  keccak: { keccak256(data: Uint8Array): Uint8Array };
  secp256k1: { recoverAddress(digest: Uint8Array, signature: Uint8Array): string };
  rlp: {
    rlpEncode(item: unknown): Uint8Array;
    rlpDecode(bytes: Uint8Array): unknown;
    trieRoot(entries: Array<[Uint8Array, Uint8Array]>): Uint8Array;
    indexKey(index: number): Uint8Array;
  };
  unzip: { readZip(bytes: Uint8Array): ZipEntry[] };
  timestamp: { verifyTimestampResponse(tsr: Uint8Array, expected: Uint8Array): TimestampResult };
  abi: { typedDataDigest(typed: unknown): Uint8Array; decodeLog(inputs: unknown, log: unknown): Record<string, unknown> };
  packageLayout: {
    EVIDENCE_FORMAT: string;
    MANIFEST: string;
    INCLUSION_PROOFS: string;
    TIMESTAMP: string;
    TIMESTAMP_MISSING: string;
    manifestLeaves(header: unknown, files: Array<{ path: string; sha256: string; size: number }>): Uint8Array[];
    leafNames(files: Array<{ path: string }>): string[];
  };
  verify: {
    verifyEvidence(zip: Uint8Array, options?: VerifyEvidenceOptions): Promise<EvidenceVerification>;
    formatVerification(result: EvidenceVerification, title?: string): string;
  };
};

let loaded: Modules | undefined;

/** The verifier's modules (ES modules loaded with `require`, which Node 20.19+ supports for synchronous ESM). */
export function verifierModules(): Modules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string) => require(path.join(DIR, name));
  loaded ??= {
    jcs: load("jcs.mjs"),
    merkle: load("merkle.mjs"),
    keccak: load("keccak.mjs"),
    secp256k1: load("secp256k1.mjs"),
    rlp: load("rlp.mjs"),
    unzip: load("unzip.mjs"),
    timestamp: load("timestamp.mjs"),
    abi: load("abi.mjs"),
    packageLayout: load("package.mjs"),
    verify: load("verifyEvidence.mjs"),
  };
  return loaded;
}

const RELATIVE_IMPORT = /^import \{[^}]*\} from "\.\/([a-zA-Z0-9]+\.mjs)";\n/gm;
const NODE_IMPORT = /^import [^\n]+ from "node:[a-z]+";\n/gm;
const DECLARATION = /^(?:export )?(?:async )?(?:const|let|function|class) ([A-Za-z_$][\w$]*)/gm;

/**
 * `verify.mjs`: the modules concatenated in dependency order, their relative imports dropped and their `node:`
 * imports hoisted once. Refuses a name declared at top level in two modules (it would break the bundle).
 */
export function bundleVerifier(): string {
  const nodeImports = new Set<string>();
  const seen = new Map<string, string>();
  const bodies: string[] = [];
  for (const name of MODULES) {
    let text = fs.readFileSync(path.join(DIR, name), "utf8");
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      if (!(MODULES as readonly string[]).includes(m[1] as string))
        throw new VerifierBundleError(`${name} imports ${m[1]}, which the bundle lacks`);
    }
    text = text.replace(RELATIVE_IMPORT, "");
    for (const m of text.match(NODE_IMPORT) ?? []) nodeImports.add(m.trim());
    text = text.replace(NODE_IMPORT, "");
    for (const m of text.matchAll(DECLARATION)) {
      const other = seen.get(m[1] as string);
      if (other !== undefined) throw new VerifierBundleError(`${m[1]} is declared in both ${other} and ${name}`);
      seen.set(m[1] as string, name);
    }
    bodies.push(`// ---- ${name}\n${text.trim()}\n`);
  }
  const header = [
    "// verify.mjs: checks this evidence package offline with Node.js 18+ alone (no npm install, no network unless",
    "// --rpc is given). Usage: node verify.mjs <package.zip> [--rpc <url>] [--require-timestamp] [--json]",
    "// Generated from backend/src/evidence/verifier/*.mjs of carbon-custody; read it: it is the whole verifier.",
  ].join("\n");
  return `${header}\n${[...nodeImports].sort().join("\n")}\n\n${bodies.join("\n")}`;
}
