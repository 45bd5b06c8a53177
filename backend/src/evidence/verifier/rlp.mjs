// RLP (Ethereum's Recursive Length Prefix encoding) and the root of a Merkle Patricia Trie built from a full list
// of key/value pairs: enough to check that a block header hashes to its block hash and that a block's receipts
// hash to the header's receiptsRoot.
import { bigIntToBytes, bytesToBigInt, concatBytes } from "./bytes.mjs";
import { keccak256 } from "./keccak.mjs";

function lengthPrefix(length, offset) {
  if (length < 56) return new Uint8Array([offset + length]);
  const lengthBytes = bigIntToBytes(BigInt(length));
  return concatBytes(new Uint8Array([offset + 55 + lengthBytes.length]), lengthBytes);
}

/** RLP of a byte string (Uint8Array) or a (nested) array of them. */
export function rlpEncode(item) {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0] < 0x80) return item;
    return concatBytes(lengthPrefix(item.length, 0x80), item);
  }
  if (!Array.isArray(item)) throw new Error("rlpEncode: expected bytes or an array");
  const body = concatBytes(...item.map(rlpEncode));
  return concatBytes(lengthPrefix(body.length, 0xc0), body);
}

function decodeAt(bytes, offset) {
  const first = bytes[offset];
  if (first === undefined) throw new Error("rlp: truncated");
  const take = (start, length) => {
    if (start + length > bytes.length) throw new Error("rlp: truncated");
    return start + length;
  };
  const longLength = (lengthOfLength) => {
    const end = take(offset + 1, lengthOfLength);
    return Number(bytesToBigInt(bytes.subarray(offset + 1, end)));
  };
  if (first < 0x80) return [bytes.subarray(offset, offset + 1), offset + 1];
  if (first < 0xb8) {
    const end = take(offset + 1, first - 0x80);
    return [bytes.subarray(offset + 1, end), end];
  }
  if (first < 0xc0) {
    const n = first - 0xb7;
    const length = longLength(n);
    const end = take(offset + 1 + n, length);
    return [bytes.subarray(offset + 1 + n, end), end];
  }
  let start;
  let end;
  if (first < 0xf8) {
    start = offset + 1;
    end = take(start, first - 0xc0);
  } else {
    const n = first - 0xf7;
    start = offset + 1 + n;
    end = take(start, longLength(n));
  }
  const items = [];
  let at = start;
  while (at < end) {
    const [item, next] = decodeAt(bytes, at);
    items.push(item);
    at = next;
  }
  if (at !== end) throw new Error("rlp: list length mismatch");
  return [items, end];
}

/** Decodes one RLP item that must span all of `bytes`. */
export function rlpDecode(bytes) {
  const [item, end] = decodeAt(bytes, 0);
  if (end !== bytes.length) throw new Error("rlp: trailing bytes");
  return item;
}

const toNibbles = (key) => {
  const out = [];
  for (const b of key) out.push(b >> 4, b & 15);
  return out;
};

/** Hex-prefix encoding of a nibble path (Yellow Paper appendix C). */
function hexPrefix(nibbles, leaf) {
  const odd = nibbles.length % 2;
  const flag = (leaf ? 2 : 0) + odd;
  const all = odd ? [flag, ...nibbles] : [flag, 0, ...nibbles];
  const out = new Uint8Array(all.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (all[2 * i] << 4) | all[2 * i + 1];
  return out;
}

/** A child reference: the node itself when its encoding is under 32 bytes, else the hash of its encoding. */
function reference(node) {
  const encoded = rlpEncode(node);
  return encoded.length < 32 ? node : keccak256(encoded);
}

function buildNode(items, depth) {
  if (items.length === 1) {
    const [only] = items;
    return [hexPrefix(only.path.slice(depth), true), only.value];
  }
  // longest common prefix beyond depth
  let common = 0;
  for (;;) {
    const nibble = items[0].path[depth + common];
    if (nibble === undefined || !items.every((i) => i.path[depth + common] === nibble)) break;
    common += 1;
  }
  if (common > 0) {
    return [hexPrefix(items[0].path.slice(depth, depth + common), false), reference(buildNode(items, depth + common))];
  }
  const branch = Array.from({ length: 17 }, () => new Uint8Array(0));
  for (let nibble = 0; nibble < 16; nibble++) {
    const group = items.filter((i) => i.path[depth] === nibble);
    if (group.length > 0) branch[nibble] = reference(buildNode(group, depth + 1));
  }
  const here = items.find((i) => i.path.length === depth);
  if (here !== undefined) branch[16] = here.value;
  return branch;
}

/** Root hash of the trie holding `entries` ([key bytes, value bytes] pairs, keys distinct). */
export function trieRoot(entries) {
  if (entries.length === 0) return keccak256(rlpEncode(new Uint8Array(0)));
  const items = entries.map(([key, value]) => ({ path: toNibbles(key), value }));
  return keccak256(rlpEncode(buildNode(items, 0)));
}

/** The trie key of the i-th transaction or receipt of a block: RLP of the index. */
export const indexKey = (index) => rlpEncode(bigIntToBytes(BigInt(index)));
