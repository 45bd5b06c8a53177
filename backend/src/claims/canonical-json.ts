import { createHash } from "node:crypto";
import { ValidationError } from "../errors";

/**
 * Canonical JSON after RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units, no
 * whitespace, strings escaped as ECMAScript `JSON.stringify` does (which is what JCS specifies), numbers in their
 * shortest ECMAScript form. Stricter than JCS in two places, both to keep hashes meaningful:
 *
 * - only JSON values are accepted: `bigint`, `Date`, functions, class instances, non-finite numbers and lone
 *   surrogates are refused (amounts travel as decimal strings, dates as ISO strings);
 * - an `undefined` object member is left out (as `JSON.stringify` does); `undefined` in an array is refused.
 *
 * NOTE for deduplication: written here because `backend/src/evidence` did not exist on main when the claims
 * module was built; once the evidence module ships its own canonical JSON, one of the two should go.
 */
export function canonicalJson(value: unknown, path = "$"): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new ValidationError(path, `${value} is not a finite number`);
      return JSON.stringify(value);
    case "string":
      // With the u flag a well-formed pair reads as one code point, so only lone surrogates match.
      if (/\p{Surrogate}/u.test(value)) {
        throw new ValidationError(path, "string holds a lone surrogate (not I-JSON)");
      }
      return JSON.stringify(value);
    case "object":
      return Array.isArray(value) ? canonicalArray(value, path) : canonicalObject(value as object, path);
    default:
      throw new ValidationError(path, `a ${typeof value} is not a JSON value (use a decimal string for amounts)`);
  }
}

function canonicalArray(items: unknown[], path: string): string {
  const parts = items.map((item, index) => {
    if (item === undefined) throw new ValidationError(`${path}[${index}]`, "undefined is not a JSON value");
    return canonicalJson(item, `${path}[${index}]`);
  });
  return `[${parts.join(",")}]`;
}

function canonicalObject(object: object, path: string): string {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new ValidationError(path, `a ${object.constructor?.name ?? "class"} instance is not a plain JSON object`);
  }
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${canonicalJson(key, path)}:${canonicalJson(record[key], `${path}.${key}`)}`).join(",")}}`;
}

/** SHA-256 of UTF-8 text, lowercase hex. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** SHA-256 (hex) of the canonical JSON of `value`: the one hash the claims module puts on snapshots. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
