/**
 * The platform's own credentials: session tokens (`cs_`) and operator API keys (`ck_`), each 256 random bits.
 * Only their SHA-256 is stored, so a token is shown once, when it is made.
 */
import crypto from "node:crypto";

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const SESSION_PREFIX = "cs_";
export const API_KEY_PREFIX = "ck_";

/** SHA-256 hex of a high-entropy secret (no salt needed: the secret is random, not a password). */
export function hashSecret(secret: string): string {
  return crypto.createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new secret with `prefix` (`cs_` session token, `ck_` API key): 256 random bits, base64url. */
export function newSecret(prefix: string): string {
  return `${prefix}${crypto.randomBytes(32).toString("base64url")}`;
}

/** The shape of a token this platform made: the prefix and 43 base64url characters. */
export function wellFormed(secret: string, prefix: string): boolean {
  return secret.startsWith(prefix) && TOKEN_PATTERN.test(secret.slice(prefix.length));
}

/** Constant-time equality of two SHA-256 hex digests. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
