/**
 * Who is calling. Two kinds of principal, each behind a reusable preHandler:
 *
 * - `requireWallet`: a wallet user signed in with SIWE (`POST /auth/siwe`) and sends `Authorization: Bearer
 *   <session token>`. The token is 32 random bytes; only its SHA-256 is stored, with an expiry.
 * - `requireOperator`: an operator sends `X-Api-Key: <key>`. Keys are 32 random bytes, stored as SHA-256 in
 *   `api_keys` (revocable, with scopes); the row is found by hash and the hashes are compared once more in
 *   constant time.
 *
 * Missing or unusable credentials answer 401; a valid principal acting on something not its own gets 403 from
 * the route. The principal is on `request.principal`.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import type { Pool } from "pg";
import type { Address } from "viem";
import { checksum, replyError } from "../../http";
import { useApiKey } from "../../../auth/apiKeys";
import { API_KEY_PREFIX, SESSION_PREFIX, hashSecret, sameHash, wellFormed } from "../../../auth/secrets";
import { findSession } from "../../../auth/sessions";

/** `sessionHash` and `expiresAt` are the session row the guard found, so routes need not read it again. */
export type WalletPrincipal = { kind: "wallet"; address: Address; sessionHash: string; expiresAt: Date };
export type OperatorPrincipal = { kind: "operator"; keyId: string; name: string; scopes: string[] };
export type Principal = WalletPrincipal | OperatorPrincipal;

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

function unauthorized(reply: FastifyReply, message: string, scheme: "Bearer" | "ApiKey"): FastifyReply {
  reply.header("www-authenticate", scheme === "Bearer" ? 'Bearer realm="carbon"' : 'ApiKey header="X-Api-Key"');
  return replyError(reply, 401, "unauthorized", message);
}

/** Reads `Authorization: Bearer <token>`; undefined when the header is absent or another scheme. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function requireWallet(pool: Pool): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const token = bearerToken(request);
    if (token === undefined) return unauthorized(reply, "Sign in first: Authorization: Bearer <session token>", "Bearer");
    if (!wellFormed(token, SESSION_PREFIX)) return unauthorized(reply, "Invalid session token", "Bearer");
    const hash = hashSecret(token);
    const session = await findSession(pool, hash);
    if (session === undefined || !sameHash(session.token_hash, hash)) {
      return unauthorized(reply, "Invalid or expired session token", "Bearer");
    }
    request.principal = {
      kind: "wallet",
      address: checksum(session.address),
      sessionHash: session.token_hash,
      expiresAt: session.expires_at,
    };
  };
}

/** Every scope: a key holding it passes every operator route. */
export const ALL_SCOPES = "*";

/**
 * Operator routes. With `scope`, the key must hold that scope (or `*`) in `api_keys.scopes`; a valid key
 * without it gets 403.
 */
export function requireOperator(pool: Pool, scope?: string): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const key = request.headers["x-api-key"];
    if (key === undefined) return unauthorized(reply, "Operator API key required: X-Api-Key", "ApiKey");
    if (typeof key !== "string" || !wellFormed(key, API_KEY_PREFIX)) return unauthorized(reply, "Invalid API key", "ApiKey");
    const hash = hashSecret(key);
    const row = await useApiKey(pool, hash);
    if (row === undefined || !sameHash(row.key_hash, hash)) return unauthorized(reply, "Invalid API key", "ApiKey");
    request.principal = { kind: "operator", keyId: row.id, name: row.name, scopes: row.scopes };
    if (scope !== undefined && !row.scopes.includes(scope) && !row.scopes.includes(ALL_SCOPES)) {
      return replyError(reply, 403, "forbidden", `This API key lacks the scope ${scope}`);
    }
  };
}

/** The principal a guarded handler runs with (the guard ran, so it is set). */
export function walletOf(request: FastifyRequest): WalletPrincipal {
  const principal = request.principal;
  if (principal?.kind !== "wallet") throw new Error("walletOf: route is not guarded by requireWallet");
  return principal;
}

/** Decorates requests with `principal` (null until a guard sets it). */
export default fp(
  async (app) => {
    app.decorateRequest("principal", null);
  },
  { name: "auth" },
);
