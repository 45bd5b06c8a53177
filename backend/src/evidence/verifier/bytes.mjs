// Byte helpers shared by the verifier's modules (plain JavaScript, Node built-ins only).
import crypto from "node:crypto";

/** 0x-hex (or bare hex) to bytes; throws on odd length or non-hex. */
export function fromHex(hex) {
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new Error(`not hex: ${hex.slice(0, 20)}`);
  return new Uint8Array(Buffer.from(body, "hex"));
}

/** Bytes to lower-case 0x-hex. */
export const toHex = (bytes) => `0x${Buffer.from(bytes).toString("hex")}`;

export const sha256 = (bytes) => new Uint8Array(crypto.createHash("sha256").update(bytes).digest());

export const concatBytes = (...parts) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));

export const sameBytes = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** Big-endian bytes of a non-negative integer, minimal length (0 -> empty), as RLP wants. */
export function bigIntToBytes(value) {
  if (value < 0n) throw new Error("negative integer");
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

export const bytesToBigInt = (bytes) => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`));

/** A 32-byte big-endian word of a non-negative integer (ABI encoding). */
export function word(value) {
  const out = new Uint8Array(32);
  out.set(bigIntToBytes(value), 32 - bigIntToBytes(value).length);
  return out;
}

export const utf8 = (text) => new Uint8Array(Buffer.from(text, "utf8"));
