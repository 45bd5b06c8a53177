/**
 * Strings from the chain are untrusted input: a contract stores any bytes a caller sends, and PostgreSQL refuses
 * some of what a JavaScript string can hold. This is the one place that makes such a string storable, used for
 * every string argument the decoder turns into JSON (so `chain_events.args` and every projection read from it
 * hold the same, storable text, live and during a reorg replay alike).
 *
 * What PostgreSQL refuses (PostgreSQL 17 documentation, "8.3 Character Types": "the character with code zero
 * (sometimes called NUL) cannot be stored"; "8.14 JSON Types": jsonb rejects `\u0000`; a server in UTF8 encoding
 * rejects byte sequences that are not UTF-8, and a lone UTF-16 surrogate has no UTF-8 form, so node-postgres would
 * silently write U+FFFD instead):
 *
 * - U+0000 (NUL),
 * - lone surrogates (U+D800–U+DFFF not part of a high-low pair).
 *
 * The escape, reversible by `unescapeStorableText`:
 *
 * - `\` becomes `\\` (two characters), so an escaped form can never be confused with text that already holds a
 *   backslash sequence;
 * - each refused code unit becomes `\uXXXX` (six characters, lowercase hex): NUL is `\u0000`, a lone high
 *   surrogate `\ud800`;
 * - everything else, including the other control characters (which PostgreSQL stores), is kept as it is.
 *
 * A string without `\`, NUL or lone surrogates (almost every real one) is returned unchanged. Where the exact
 * bytes are evidence, the decoder also keeps them as hex (`chain_events.string_bytes`, `requests.retirement_bytes`),
 * because a `string` that is not valid UTF-8 on chain is already lossy once decoded (U+FFFD).
 */

// A backslash, a NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this must find
const NEEDS_ESCAPE = /[\\\u0000]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPED = /\\(\\|u[0-9a-f]{4})/g;

/** The storable form of `value` (see the module doc): `\` doubled, NUL and lone surrogates as `\uXXXX`. */
export function storableText(value: string): string {
  return value.replace(NEEDS_ESCAPE, (ch) => (ch === "\\" ? "\\\\" : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** The original string of a `storableText` result: `unescapeStorableText(storableText(s)) === s` for every `s`. */
export function unescapeStorableText(stored: string): string {
  return stored.replace(ESCAPED, (_, body: string) => (body === "\\" ? "\\" : String.fromCharCode(parseInt(body.slice(1), 16))));
}

// A NUL, or a lone surrogate (as in NEEDS_ESCAPE, without the backslash).
// eslint-disable-next-line no-control-regex -- NUL is exactly what this must find
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Strings from a registry are untrusted too (a memo, a holder's name or an error text is whatever a registry user
 * typed), but in memory they stay exactly as the registry sent them, because the platform compares them with what
 * it sent (an oracle checks a retirement's beneficiary against the chain's). Only what is written to PostgreSQL is
 * made storable, here: NUL and lone surrogates become U+FFFD, the replacement character a decoder writes for what
 * it cannot read; everything else, backslashes included, is kept. The registry's own record stays the evidence.
 */
export function replaceUnstorable(value: string): string {
  return value.replace(UNSTORABLE, "\ufffd");
}

/** A registry string for a text column (`replaceUnstorable`), or null. */
export function storableOrNull(value: string | undefined | null): string | null {
  return value === undefined || value === null ? null : replaceUnstorable(value);
}

/** `value` with every string in it, object keys included, passed through `replaceUnstorable`. */
export function withStorableStrings(value: unknown): unknown {
  if (typeof value === "string") return replaceUnstorable(value);
  if (Array.isArray(value)) return value.map(withStorableStrings);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [replaceUnstorable(key), withStorableStrings(inner)]));
}
