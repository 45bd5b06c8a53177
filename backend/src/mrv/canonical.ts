/**
 * Canonical JSON for calculation results: object keys sorted by UTF-16 code unit, no whitespace, strings as
 * JSON.stringify writes them, integers only (every non-integer figure is a decimal string by the time it gets
 * here), `undefined` members left out. Two runs over the same input give the same bytes, so a result's SHA-256 is
 * its identity and an auditor's recomputation compares by hash.
 *
 * Floats are refused rather than printed: a float in a result is a bug upstream (a figure that escaped decimal.js).
 */
import { createHash } from "node:crypto";

export type CanonicalValue =
  string | boolean | null | number | bigint | CanonicalValue[] | { [key: string]: CanonicalValue | undefined };

export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "number":
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonicalJson: non-integer number ${value} (use a decimal string)`);
      return String(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
  }
}

/** Hex SHA-256 of bytes or of a string's UTF-8. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Hex SHA-256 of a value's canonical JSON. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
