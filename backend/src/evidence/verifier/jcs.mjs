// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value, so that its hash is
// reproducible. Numbers are serialized as ECMAScript does (RFC 8785 section 3.2.2.3 is defined by it), strings
// with JSON.stringify's escapes (section 3.2.2.2), object members sorted by their UTF-16 code units (section
// 3.2.3). Values outside I-JSON (RFC 7493) are refused: non-finite numbers, lone surrogates, undefined, BigInt.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function serializeString(text) {
  if (LONE_SURROGATE.test(text)) throw new Error("JCS: string with a lone UTF-16 surrogate");
  return JSON.stringify(text);
}

function serialize(value, path) {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new Error(`JCS: ${path} is ${value}, not a finite number`);
      return String(value);
    case "string":
      return serializeString(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v, i) => serialize(v, `${path}[${i}]`)).join(",")}]`;
      const keys = Object.keys(value).sort();
      const members = [];
      for (const key of keys) {
        if (value[key] === undefined) throw new Error(`JCS: ${path}.${key} is undefined`);
        members.push(`${serializeString(key)}:${serialize(value[key], `${path}.${key}`)}`);
      }
      return `{${members.join(",")}}`;
    }
    default:
      throw new Error(`JCS: ${path} is a ${typeof value}, which JSON cannot hold (write big integers as strings)`);
  }
}

/** The canonical JSON text of `value`. */
export function canonicalize(value) {
  return serialize(value, "$");
}

/** The canonical JSON of `value` as UTF-8 bytes (what gets hashed). */
export function canonicalBytes(value) {
  return new Uint8Array(Buffer.from(canonicalize(value), "utf8"));
}
