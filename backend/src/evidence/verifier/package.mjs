// The layout of an evidence package, shared by the builder (TypeScript) and the verifier: which entries the
// manifest lists, how the Merkle leaves are made, and the entries that cannot be in the tree because they
// depend on its root.
import { canonicalBytes } from "./jcs.mjs";
import { leafHash } from "./merkle.mjs";

export const EVIDENCE_FORMAT = "carbon-custody-evidence/1";
export const MANIFEST = "manifest.json";
export const INCLUSION_PROOFS = "proofs/inclusion.json";
export const TIMESTAMP = "timestamp.tsr";
export const TIMESTAMP_MISSING = "timestamp-missing.json";
/** Entries outside the Merkle tree: the manifest holds the root, the proofs and the time stamp are made from it. */
export const OUTSIDE_TREE = [MANIFEST, INCLUSION_PROOFS, TIMESTAMP, TIMESTAMP_MISSING];

/**
 * The tree's leaves, in order: leaf 0 is the manifest's header (scope, query, system identity, sources) as JCS,
 * leaf i + 1 is the JCS of `files[i]` (`{ path, sha256, size }`, files sorted by path). Leaf hashes per RFC 6962.
 */
export function manifestLeaves(header, files) {
  return [leafHash(canonicalBytes(header)), ...files.map((f) => leafHash(canonicalBytes({ path: f.path, sha256: f.sha256, size: f.size })))];
}

/** Names of the leaves in the same order (for messages and inclusion proofs). */
export const leafNames = (files) => ["manifest.json#header", ...files.map((f) => f.path)];
