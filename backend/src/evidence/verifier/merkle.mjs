// RFC 6962 (Certificate Transparency) Merkle tree over SHA-256: leaf hash SHA-256(0x00 || data), interior node
// SHA-256(0x01 || left || right), split at the largest power of two below the size (section 2.1). Inclusion
// proofs as in section 2.1.1, verified with the algorithm of RFC 9162 section 2.1.3.2.
import { concatBytes, sameBytes, sha256 } from "./bytes.mjs";

export const leafHash = (data) => sha256(concatBytes(new Uint8Array([0]), data));
export const nodeHash = (left, right) => sha256(concatBytes(new Uint8Array([1]), left, right));

function split(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Merkle Tree Hash of the leaf hashes `leaves` (already leaf-hashed). */
export function rootOf(leaves) {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}

/** The audit path of leaf `index` in the tree of `leaves` (leaf hashes), leaf side first. */
export function inclusionPath(leaves, index) {
  if (index < 0 || index >= leaves.length) throw new Error(`leaf ${index} is not in a tree of ${leaves.length}`);
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionPath(leaves.slice(0, k), index), rootOf(leaves.slice(k))]
    : [...inclusionPath(leaves.slice(k), index - k), rootOf(leaves.slice(0, k))];
}

/** Whether `path` proves leaf hash `leaf` at `index` in a tree of `size` leaves with root `root`. */
export function verifyInclusion(leaf, index, size, path, root) {
  if (index < 0 || index >= size) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && sameBytes(r, root);
}
