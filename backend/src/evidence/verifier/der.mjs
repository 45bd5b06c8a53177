// A minimal DER (ITU-T X.690) reader: enough of ASN.1 to walk an RFC 3161 time-stamp response (CMS SignedData,
// TSTInfo). Only single-byte tags and definite lengths, as DER requires.

/** The element starting at `offset`: `{ tag, constructed, start, contentStart, end, bytes }`. */
export function readElement(bytes, offset = 0) {
  const tag = bytes[offset];
  if (tag === undefined) throw new Error("DER: truncated");
  if ((tag & 0x1f) === 0x1f) throw new Error("DER: multi-byte tags are not supported");
  let length = bytes[offset + 1];
  let contentStart = offset + 2;
  if (length === undefined) throw new Error("DER: truncated");
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new Error("DER: indefinite or oversized length");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[offset + 2 + i];
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > bytes.length) throw new Error("DER: element runs past the end");
  return { tag, constructed: (tag & 0x20) !== 0, start: offset, contentStart, end, bytes };
}

/** The children of a constructed element. */
export function children(element) {
  const out = [];
  let at = element.contentStart;
  while (at < element.end) {
    const child = readElement(element.bytes, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

export const content = (element) => element.bytes.subarray(element.contentStart, element.end);
export const whole = (element) => element.bytes.subarray(element.start, element.end);

/** Dotted string of an OBJECT IDENTIFIER element. */
export function oid(element) {
  if (element.tag !== 0x06) throw new Error(`DER: expected an OID, got tag 0x${element.tag.toString(16)}`);
  const b = content(element);
  const parts = [Math.floor(b[0] / 40), b[0] % 40];
  let value = 0;
  for (let i = 1; i < b.length; i++) {
    value = value * 128 + (b[i] & 0x7f);
    if ((b[i] & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

/** An INTEGER element as a BigInt (non-negative values, as serial numbers and nonces are). */
export function integer(element) {
  if (element.tag !== 0x02) throw new Error("DER: expected an INTEGER");
  const hex = Buffer.from(content(element)).toString("hex");
  return hex === "" ? 0n : BigInt(`0x${hex}`);
}

/** A GeneralizedTime element (YYYYMMDDHHMMSS[.fff]Z) as a Date. */
export function generalizedTime(element) {
  if (element.tag !== 0x18) throw new Error("DER: expected a GeneralizedTime");
  const text = Buffer.from(content(element)).toString("latin1");
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(text);
  if (m === null) throw new Error(`DER: unsupported GeneralizedTime ${text}`);
  const [, y, mo, d, h, mi, s, frac] = m;
  return new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, frac === undefined ? 0 : Math.round(Number(frac) * 1000)));
}
