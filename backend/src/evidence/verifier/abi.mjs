// Solidity ABI decoding of event logs and EIP-712 hashing, for the types the platform's contracts use (address,
// bool, uintN, intN, bytesN, bytes, string, arrays and tuples). Values come out the way the package records them:
// integers as decimal strings, bytes and addresses as lower-case 0x-hex.
import { bytesToBigInt, concatBytes, fromHex, toHex, utf8, word } from "./bytes.mjs";
import { keccak256 } from "./keccak.mjs";

/** Canonical type of an ABI parameter (`(string,string)` for a tuple). */
export function canonicalType(p) {
  if (p.type.startsWith("tuple")) return `(${p.components.map(canonicalType).join(",")})${p.type.slice(5)}`;
  return p.type;
}

/** `Name(type1,type2,...)`, whose keccak-256 is an event's topic 0. */
export const eventSignature = (name, inputs) => `${name}(${inputs.map(canonicalType).join(",")})`;
export const topicOf = (name, inputs) => toHex(keccak256(utf8(eventSignature(name, inputs))));

const isDynamic = (p) =>
  p.type === "string" || p.type === "bytes" || p.type.endsWith("[]") || (p.type.startsWith("tuple") && p.components.some(isDynamic));

function decodeValue(p, data, at) {
  const readWord = (o) => {
    if (o + 32 > data.length) throw new Error("ABI data too short");
    return data.subarray(o, o + 32);
  };
  if (p.type.endsWith("[]")) {
    const inner = { ...p, type: p.type.slice(0, -2) };
    const start = Number(bytesToBigInt(readWord(at)));
    const length = Number(bytesToBigInt(readWord(start)));
    return decodeList(new Array(length).fill(inner), data.subarray(start + 32));
  }
  if (p.type.startsWith("tuple")) {
    if (isDynamic(p)) return decodeTuple(p.components, data.subarray(Number(bytesToBigInt(readWord(at)))));
    return decodeTuple(p.components, data.subarray(at));
  }
  if (p.type === "string" || p.type === "bytes") {
    const start = Number(bytesToBigInt(readWord(at)));
    const length = Number(bytesToBigInt(readWord(start)));
    const raw = data.subarray(start + 32, start + 32 + length);
    if (raw.length !== length) throw new Error("ABI data too short");
    return p.type === "string" ? Buffer.from(raw).toString("utf8") : toHex(raw);
  }
  return decodeStatic(p.type, readWord(at));
}

function decodeStatic(type, w) {
  if (type === "address") return toHex(w.subarray(12));
  if (type === "bool") return w[31] === 1;
  if (/^bytes\d+$/.test(type)) return toHex(w.subarray(0, Number(type.slice(5))));
  if (type.startsWith("uint")) return bytesToBigInt(w).toString();
  if (type.startsWith("int")) {
    const v = bytesToBigInt(w);
    return (v >= 1n << 255n ? v - (1n << 256n) : v).toString();
  }
  throw new Error(`unsupported ABI type ${type}`);
}

/** Head size in words of a parameter that is not dynamic (a static tuple is inlined). */
const headWords = (p) => (!isDynamic(p) && p.type.startsWith("tuple") && !p.type.endsWith("]") ? p.components.reduce((n, c) => n + headWords(c), 0) : 1);

function decodeList(params, data) {
  const out = [];
  let at = 0;
  for (const p of params) {
    out.push(decodeValue(p, data, at));
    at += 32 * headWords(p);
  }
  return out;
}

function decodeTuple(components, data) {
  const values = decodeList(components, data);
  return Object.fromEntries(components.map((c, i) => [c.name, values[i]]));
}

/** The arguments of a log (`{ topics, data }` as hex) of the event `inputs`, keyed by parameter name. */
export function decodeLog(inputs, log) {
  const args = {};
  const indexed = inputs.filter((p) => p.indexed);
  indexed.forEach((p, i) => {
    const topic = log.topics[i + 1];
    if (topic === undefined) throw new Error("log has fewer topics than the event has indexed parameters");
    args[p.name] = isDynamic(p) ? topic.toLowerCase() : decodeStatic(p.type, fromHex(topic));
  });
  const rest = inputs.filter((p) => !p.indexed);
  const values = decodeList(rest, fromHex(log.data));
  rest.forEach((p, i) => {
    args[p.name] = values[i];
  });
  return args;
}

/** `abi.encode(string a, string b)`, as RetirementDetails are hashed (`detailsHash`). */
export function encodeTwoStrings(a, b) {
  const part = (text) => {
    const bytes = utf8(text);
    const padded = new Uint8Array(Math.ceil(bytes.length / 32) * 32);
    padded.set(bytes);
    return concatBytes(word(BigInt(bytes.length)), padded);
  };
  const first = part(a);
  return concatBytes(word(64n), word(BigInt(64 + first.length)), first, part(b));
}

// ---- EIP-712

function typeDependencies(primary, types, found = new Set()) {
  if (found.has(primary) || types[primary] === undefined) return found;
  found.add(primary);
  for (const field of types[primary]) typeDependencies(field.type.replace(/\[\d*\]$/, ""), types, found);
  return found;
}

/** `encodeType` of EIP-712: the primary type, then its dependencies sorted by name. */
export function encodeType(primary, types) {
  const deps = [...typeDependencies(primary, types)].filter((t) => t !== primary).sort();
  return [primary, ...deps].map((t) => `${t}(${types[t].map((f) => `${f.type} ${f.name}`).join(",")})`).join("");
}

function encodeField(type, value, types) {
  if (types[type] !== undefined) return hashStruct(type, value, types);
  if (type.endsWith("]")) {
    const inner = type.replace(/\[\d*\]$/, "");
    return keccak256(concatBytes(...value.map((v) => encodeField(inner, v, types))));
  }
  if (type === "string") return keccak256(utf8(value));
  if (type === "bytes") return keccak256(fromHex(value));
  if (type === "bool") return word(value === true || value === "true" ? 1n : 0n);
  if (type === "address") return word(BigInt(value));
  if (/^bytes\d+$/.test(type)) {
    const out = new Uint8Array(32);
    out.set(fromHex(value));
    return out;
  }
  if (type.startsWith("uint")) return word(BigInt(value));
  if (type.startsWith("int")) {
    const v = BigInt(value);
    return word(v < 0n ? (1n << 256n) + v : v);
  }
  throw new Error(`EIP-712: unsupported type ${type}`);
}

export function hashStruct(primary, value, types) {
  const typeHash = keccak256(utf8(encodeType(primary, types)));
  return keccak256(concatBytes(typeHash, ...types[primary].map((f) => encodeField(f.type, value[f.name], types))));
}

const DOMAIN_FIELDS = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
];

/** The EIP-712 digest of `{ domain, types, primaryType, message }` (domain: name, version, chainId, verifyingContract). */
export function typedDataDigest({ domain, types, primaryType, message }) {
  const separator = hashStruct("EIP712Domain", domain, { ...types, EIP712Domain: DOMAIN_FIELDS });
  return keccak256(concatBytes(new Uint8Array([0x19, 0x01]), separator, hashStruct(primaryType, message, types)));
}
