/**
 * What the domain routes share: request primitives (addresses checksummed, uint256 as decimal strings, bytes32),
 * keyset pagination, the error answers they declare in OpenAPI, and one way to send an error body from a handler
 * or a preHandler (same shape as the error handler's).
 */
import type { FastifyReply, preHandlerAsyncHookHandler } from "fastify";
import type { Pool } from "pg";
import { type Address, type Hex, getAddress } from "viem";
import { z } from "zod";
import { ValidationError } from "../errors";
import type { RegistryStatus } from "../registries/status";
import { batchExists } from "./queries/batches";
import { type ErrorBody, errorBody } from "./schemas";

const UINT256_MAX = 2n ** 256n - 1n;

/** A 20-byte address in any case; the handler sees it checksummed (EIP-55). */
export const addressParam = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address")
  .transform((value) => getAddress(value) as Address)
  .describe("0x-prefixed 20-byte address (any case; answers are checksummed)");

/** A uint256 as a decimal string (no sign, no leading zeros beyond "0"). */
export const uint256Param = z
  .string()
  .regex(/^(0|[1-9]\d{0,77})$/, "expected an unsigned integer as a decimal string")
  .refine((value) => !/^\d+$/.test(value) || BigInt(value) <= UINT256_MAX, { message: "exceeds uint256" })
  .describe("uint256 as a decimal string");

export const bytes32Param = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x followed by 64 hex digits")
  .transform((value) => value.toLowerCase() as Hex)
  .describe("32 bytes as 0x hex");

/**
 * C0 controls (NUL included), DEL and C1 controls; tab, LF and CR are allowed only in multi-line text. PostgreSQL
 * refuses NUL in a text value outright (a 500 before this check, issue 12 §2); the others are never part of a name,
 * serial or account and only hide text from people reading it (terminal escapes, bells).
 */
// \p{Cc} is exactly C0 (U+0000-U+001F), DEL and C1 (U+007F-U+009F); line breaks and tab are told apart below.
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
const LINE_BREAK = /[\t\n\r]/;
/** A UTF-16 surrogate without its pair: not a character, and UTF-8 encoding would silently replace it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Client text that reaches PostgreSQL (an INSERT or a filter): a string without control characters or lone
 * surrogates, else a 400 naming the field. Every route schema takes free text through this, so a NUL can never
 * turn into a 500; chain `.min()`/`.max()` as for any string. `multiline` allows tab, LF and CR (a SIWE message).
 */
export function text(options: { multiline?: boolean } = {}) {
  return z.string().check((context) => {
    const value = context.value;
    const control = [...value].find((char) => CONTROL.test(char) || (!options.multiline && LINE_BREAK.test(char)));
    if (control !== undefined) {
      const code = control.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      context.issues.push({ code: "custom", input: value, message: `contains the control character U+${code}` });
    } else if (LONE_SURROGATE.test(value)) {
      context.issues.push({ code: "custom", input: value, message: "is not valid text (invalid UTF-16: a lone surrogate)" });
    }
  });
}

/** Answer-side primitives: plain strings (no transforms), documented. */
export const address = z.string().describe("checksummed 0x address");
export const uint256 = z.string().describe("uint256 as a decimal string");
export const bytes32 = z.string().describe("0x-prefixed 32-byte hex");
export const timestamp = z.string().describe("ISO 8601 time (UTC)");

const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** `?limit=&cursor=`: `cursor` is the opaque `nextCursor` of the previous page. */
export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int("expected an integer")
    .min(1, "expected at least 1")
    .max(MAX_LIMIT, `expected at most ${MAX_LIMIT}`)
    .default(DEFAULT_LIMIT)
    .describe(`page size, 1-${MAX_LIMIT} (default ${DEFAULT_LIMIT})`),
  cursor: z.string().max(512).optional().describe("nextCursor of the previous page"),
});

/** A page of `item`: `nextCursor` is null on the last page. */
export function page<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export type Page<T> = { items: T[]; nextCursor: string | null };

/** Keyset cursor: the sort key of the last row of a page, base64url JSON, opaque to clients. */
function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export const CURSOR_DECIMAL = /^\d{1,78}$/;
export const CURSOR_HEX32 = /^0x[0-9a-f]{64}$/;
export const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Decodes a cursor whose parts match `parts`, or throws a ValidationError naming `querystring.cursor`. */
export function decodeCursor(cursor: string | undefined, parts: readonly RegExp[]): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(key) &&
      key.length === parts.length &&
      key.every((part, index) => typeof part === "string" && parts[index]!.test(part))
    ) {
      return key as string[];
    }
  } catch {
    // falls through to the validation error
  }
  throw new ValidationError("querystring.cursor", "not a cursor returned by this list");
}

/** Rows fetched with `limit + 1`: the page and the cursor of its last row when more follow. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => string[]): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}

/** The error answers a route may give, for its OpenAPI `response` map. */
export const errors = {
  400: errorBody.describe("Validation error naming each bad field"),
  500: errorBody.describe("Internal error (details only in the server log)"),
  503: errorBody.describe("A dependency is down; retry later"),
} as const;
export const notFound = { 404: errorBody.describe("No such resource") } as const;
export const authErrors = {
  401: errorBody.describe("Missing, invalid or expired credentials"),
  403: errorBody.describe("Authenticated, but not allowed to act on this resource"),
} as const;

/** Sends an error body in the error handler's shape (used where a handler answers 401/403/404 itself). */
export function replyError(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  fields?: ErrorBody["fields"],
): FastifyReply {
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({ error, message, ...(fields === undefined ? {} : { fields }), requestId: reply.request.id });
}

/** The pattern every sub-route of one batch starts with (history, orders, depth, ohlc, and any added later). */
const BATCH_SUB_ROUTE = "/batches/:batchId/";

/**
 * A preHandler for a plugin holding batch routes: a sub-route of a batch that is not indexed answers 404 naming
 * the batch (as `GET /batches/:batchId` does) instead of an empty list that reads as "no trades yet". It goes by
 * the route pattern, so a new sub-route gets the check without a line of its own; it runs after validation, so a
 * malformed id is still a 400 naming `params.batchId`. A known batch without data answers 200 with an empty list.
 */
export function unknownBatchIsNotFound(pool: Pool): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (request.routeOptions.url?.startsWith(BATCH_SUB_ROUTE) !== true) return;
    const { batchId } = request.params as { batchId: string };
    if (!(await batchExists(pool, batchId))) return replyError(reply, 404, "not_found", `Batch ${batchId} not found`);
  };
}

/** `0x…` address in checksum case, from a stored lowercase or mixed-case value. */
export function checksum(value: string): Address {
  return getAddress(value);
}

/** A timestamptz from pg (Date) as ISO text; null stays null. */
export function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/** The status as answered: exactly `paused`, `circuit` and (when the source gave one) `detail`. */
export function registryStatusView(status: RegistryStatus): RegistryStatus {
  return { paused: status.paused, circuit: status.circuit, ...(status.detail === undefined ? {} : { detail: status.detail }) };
}
