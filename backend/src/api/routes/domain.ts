/**
 * The domain API in one plugin, so `buildApp` registers it with one line: batches, holders, orders, trades,
 * deals, requests, certificates, reconciliation, the registry job queue and sign-in. Everything reads the
 * indexer's projections through `api/queries/`; the only writes are posted orders, their off-chain cancel, nonces,
 * sessions and an operator's re-drive of a dead job.
 */
import type { FastifyError, FastifyPluginAsync } from "fastify";
import type { Pool } from "pg";
import type { Address } from "viem";
import { settlementDomain } from "../../chain/orders";
import { BaseError } from "../../errors";
import auth from "../plugins/app/auth";
import { type RegistryStatusSource, unknownRegistryStatus } from "../registry-status";
import authRoutes, { type SiweOptions } from "./auth";
import batchRoutes from "./batches";
import certificateRoutes from "./certificates";
import dealRoutes from "./deals";
import holderRoutes from "./holders";
import jobRoutes from "./jobs";
import orderRoutes from "./orders";
import reconciliationRoutes from "./reconciliation";
import requestRoutes from "./requests";
import tradeRoutes from "./trades";

/** What the domain API needs beyond the context's pool; each part is optional so the app builds without it. */
export type DomainApiOptions = {
  /** Settlement deployment: orders are checked against its EIP-712 domain. Without it POST /orders answers 500. */
  settlement?: { chainId: number; address: Address } | undefined;
  /** SIWE binding. Without it /auth answers 500 (SIWE_NOT_CONFIGURED). */
  siwe?: SiweOptions | undefined;
  /** Registry pause and circuit state; every registry reads "unknown" until the queue side provides one. */
  registryStatus?: RegistryStatusSource | undefined;
  /** Clock, for tests. */
  now?: () => Date;
};

/** Connection-level failures of Postgres (down, restarting, out of connections): a retry can help. */
const RETRYABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);
const RETRYABLE_PG_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);

function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (RETRYABLE_NODE_CODES.has(code) || RETRYABLE_PG_CODES.has(code) || code.startsWith("08"))) {
    return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated/i.test(error.message);
}

const domainRoutes: FastifyPluginAsync<DomainApiOptions & { pool: Pool }> = async (app, options) => {
  // A database that cannot be reached is a 503 with Retry-After, not a 500: rethrown as a retryable BaseError, the
  // app's one error handler (the parent of this one) answers it; every other error passes through unchanged.
  app.setErrorHandler((error: FastifyError) => {
    if (!isDatabaseUnavailable(error)) throw error;
    throw new BaseError("Database unavailable", { code: "DATABASE_UNAVAILABLE", retryable: true, retryAfterMs: 1_000, cause: error });
  });

  const { pool } = options;
  const registryStatus = options.registryStatus ?? unknownRegistryStatus;
  const now = options.now ?? (() => new Date());
  const domain =
    options.settlement === undefined
      ? undefined
      : settlementDomain({ chainId: options.settlement.chainId, verifyingContract: options.settlement.address });

  await app.register(auth);
  await app.register(authRoutes, { pool, siwe: options.siwe, now });
  await app.register(batchRoutes, { pool, registryStatus });
  await app.register(holderRoutes, { pool });
  await app.register(orderRoutes, { pool, settlementDomain: domain, now });
  await app.register(tradeRoutes, { pool });
  await app.register(dealRoutes, { pool });
  await app.register(requestRoutes, { pool, registryStatus });
  await app.register(certificateRoutes, { pool });
  await app.register(reconciliationRoutes, { pool });
  await app.register(jobRoutes, { pool });
};

export default domainRoutes;
