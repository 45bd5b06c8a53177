import crypto from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { type Hex, getAddress, verifyMessage } from "viem";
import { parseSiweMessage } from "viem/siwe";
import { z } from "zod";
import { BaseError } from "../../errors";
import { address, authErrors, errors, replyError, text, timestamp } from "../http";
import { SESSION_PREFIX, hashSecret, newSecret } from "../../auth/secrets";
import { consumeNonce, insertNonce, insertSession, revokeSession } from "../../auth/sessions";
import { requireWallet, walletOf } from "../plugins/app/auth";

/** What a SIWE message must be bound to. */
export type SiweOptions = {
  /** RFC 3986 authority the wallet shows the user (`app.example.com`, `localhost:3000`). */
  domain: string;
  /** The chain the platform runs on (EIP-155). */
  chainId: number;
  /** How long a nonce from GET /auth/nonce stays usable (default 10 min). */
  nonceTtlMs?: number;
  /** Session lifetime (default 12 h); a message's own Expiration Time shortens it. */
  sessionTtlMs?: number;
  /** Requests per minute per client address on the /auth routes (default 60). */
  rateLimitPerMinute?: number;
};

export type AuthRoutesOptions = { pool: Pool; siwe?: SiweOptions | undefined; now?: () => Date };

const sessionBody = z.object({
  token: z.string().describe("Send as `Authorization: Bearer <token>`; shown once, stored only as a hash"),
  address,
  expiresAt: timestamp,
});

/** Sign-In with Ethereum (EIP-4361) for wallet users: nonce, sign-in, session check, sign-out. */
/** The first field of a parsed SIWE message this server does not accept, and why; undefined when its signature may be checked. */
function refusedSiweField(
  message: ReturnType<typeof parseSiweMessage>,
  config: SiweOptions,
  time: Date,
): { field: string; message: string } | undefined {
  if (message.version !== "1") return { field: "body.message.version", message: "expected 1" };
  if (message.domain !== config.domain) return { field: "body.message.domain", message: `expected ${config.domain}` };
  if (message.chainId !== config.chainId) return { field: "body.message.chainId", message: `expected ${config.chainId}` };
  if (message.expirationTime !== undefined && !(message.expirationTime.getTime() > time.getTime())) {
    return { field: "body.message.expirationTime", message: "the message has expired" };
  }
  if (message.notBefore !== undefined && !(message.notBefore.getTime() <= time.getTime())) {
    return { field: "body.message.notBefore", message: "the message is not valid yet" };
  }
  return undefined;
}

const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, options) => {
  const { pool } = options;
  // Nonces and signature checks cost a database write and an ecrecover each and need no credential, so each client
  // address gets a budget (in this process; behind a balancer, the balancer's own limit covers the fleet).
  const perMinute = options.siwe?.rateLimitPerMinute ?? 60;
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many sign-in requests: at most ${context.max} a minute; retry in ${context.after}`), {
        statusCode: 429,
      }),
  });
  const now = options.now ?? (() => new Date());
  const siwe = (): SiweOptions => {
    if (options.siwe === undefined)
      throw new BaseError("SIWE domain not configured", { code: "SIWE_NOT_CONFIGURED", retryable: false });
    return options.siwe;
  };

  app.get(
    "/auth/nonce",
    {
      schema: {
        tags: ["auth"],
        summary: "A fresh single-use nonce for a SIWE message",
        response: {
          200: z.object({
            nonce: z.string(),
            expiresAt: timestamp,
            domain: z.string().describe("Put this in the message's domain"),
            chainId: z.number().int(),
          }),
          ...errors,
        },
      },
    },
    async () => {
      const config = siwe();
      const nonce = crypto.randomBytes(16).toString("hex");
      const expiresAt = new Date(now().getTime() + (config.nonceTtlMs ?? 10 * 60_000));
      await insertNonce(pool, nonce, expiresAt);
      return { nonce, expiresAt: expiresAt.toISOString(), domain: config.domain, chainId: config.chainId };
    },
  );

  app.post(
    "/auth/siwe",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign in with a signed EIP-4361 message; returns a session token",
        description:
          "Checks, in order: the message parses; domain and chain id are this platform's; it is within Not Before / " +
          "Expiration Time; the signature recovers to the message's address (EOA); the nonce was issued here, is " +
          "unexpired and unused (it is consumed). A failed check answers 401 naming the part that failed.",
        body: z.object({
          message: text({ multiline: true }).min(1).max(4096).describe("The EIP-4361 message text the wallet signed"),
          signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature as 0x hex"),
        }),
        response: { 200: sessionBody, ...authErrors, ...errors },
      },
    },
    async (request, reply) => {
      const config = siwe();
      const refuse = (field: string, message: string) =>
        replyError(reply, 401, "unauthorized", `${field}: ${message}`, [{ field, message }]);
      const message = parseSiweMessage(request.body.message);
      if (!message.address || !message.domain || !message.nonce || !message.uri || message.chainId === undefined) {
        return replyError(reply, 400, "validation", "body.message: not an EIP-4361 message", [
          { field: "body.message", message: "not an EIP-4361 message" },
        ]);
      }
      const time = now();
      const refused = refusedSiweField(message, config, time);
      if (refused !== undefined) return refuse(refused.field, refused.message);
      const signed = await verifyMessage({
        address: message.address,
        message: request.body.message,
        signature: request.body.signature as Hex,
      }).catch(() => false);
      if (!signed) return refuse("body.signature", "does not recover to the message's address");
      if (!(await consumeNonce(pool, message.nonce))) {
        return refuse("body.message.nonce", "not issued here, expired or already used");
      }
      const ttl = config.sessionTtlMs ?? 12 * 3_600_000;
      const expiry = Math.min(time.getTime() + ttl, message.expirationTime?.getTime() ?? Number.POSITIVE_INFINITY);
      const token = newSecret(SESSION_PREFIX);
      const wallet = getAddress(message.address);
      await insertSession(pool, {
        tokenHash: hashSecret(token),
        address: wallet,
        chainId: message.chainId,
        nonce: message.nonce,
        expiresAt: new Date(expiry),
      });
      request.log.info({ address: wallet }, "wallet signed in");
      return { token, address: wallet, expiresAt: new Date(expiry).toISOString() };
    },
  );

  app.get(
    "/auth/session",
    {
      schema: {
        tags: ["auth"],
        summary: "The wallet the session token belongs to",
        response: { 200: z.object({ address, expiresAt: timestamp }), ...authErrors, ...errors },
      },
      preHandler: requireWallet(pool),
    },
    async (request) => {
      const wallet = walletOf(request);
      return { address: wallet.address, expiresAt: wallet.expiresAt.toISOString() };
    },
  );

  app.post(
    "/auth/logout",
    {
      schema: {
        tags: ["auth"],
        summary: "Revoke the session token",
        response: { 200: z.object({ status: z.literal("signed_out") }), ...authErrors, ...errors },
      },
      preHandler: requireWallet(pool),
    },
    async (request) => {
      await revokeSession(pool, walletOf(request).sessionHash);
      return { status: "signed_out" as const };
    },
  );
};

export default authRoutes;
