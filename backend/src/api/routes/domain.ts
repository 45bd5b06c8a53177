/**
 * The domain API in one plugin, so `buildApp` registers it with one line: batches, holders, orders, trades,
 * deals, deal offers, requests, certificates, reconciliation, the registry job queue, sign-in and the wallet event
 * stream. Everything reads the indexer's projections through `api/queries/`; the only writes are posted orders,
 * their off-chain cancel, deal offers, nonces, sessions and an operator's re-drive of a dead job.
 */
import type { FastifyPluginAsync } from "fastify";
import type { Pool } from "pg";
import { type Address, zeroAddress } from "viem";
import { type CreateCertificateServiceParameters, createCertificateService } from "../../certificates";
import { settlementDomain } from "../../chain/orders";
import { unknownBatchIsNotFound } from "../http";
import auth from "../plugins/app/auth";
import { type RegistryStatusSource, unknownRegistryStatus } from "../../registries/status";
import authRoutes, { type SiweOptions } from "./auth";
import batchRoutes from "./batches";
import certificateRoutes from "./certificates";
import clientDataRoutes from "./clientData";
import dealOfferRoutes from "./dealOffers";
import dealRoutes from "./deals";
import eventRoutes from "./events";
import holderRoutes from "./holders";
import jobRoutes from "./jobs";
import marketRoutes from "./market";
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
  /** Certificates (bridge, chain client, public URL); default: from the database alone, without chain checks. */
  certificates?: Omit<CreateCertificateServiceParameters, "pool" | "chainId"> | undefined;
  /** Clock, for tests. */
  now?: () => Date;
};

const domainRoutes: FastifyPluginAsync<DomainApiOptions & { pool: Pool }> = async (app, options) => {
  const { pool } = options;
  const registryStatus = options.registryStatus ?? unknownRegistryStatus;
  const now = options.now ?? (() => new Date());
  const domain =
    options.settlement === undefined
      ? undefined
      : settlementDomain({ chainId: options.settlement.chainId, verifyingContract: options.settlement.address });

  await app.register(auth);
  // Before the routes register: it applies to every `/batches/:batchId/...` route below, whichever plugin adds it.
  app.addHook("preHandler", unknownBatchIsNotFound(pool));
  await app.register(authRoutes, { pool, siwe: options.siwe, now });
  await app.register(batchRoutes, { pool, registryStatus });
  await app.register(holderRoutes, { pool });
  await app.register(orderRoutes, { pool, settlementDomain: domain, now });
  await app.register(tradeRoutes, { pool });
  await app.register(marketRoutes, { pool });
  await app.register(clientDataRoutes, { pool, settlementDomain: domain });
  await app.register(dealRoutes, { pool });
  await app.register(dealOfferRoutes, { pool, settlementDomain: domain });
  await app.register(requestRoutes, { pool, registryStatus });
  const certificates = createCertificateService({
    registryBridge: zeroAddress,
    publicUrl: "",
    ...options.certificates,
    pool,
    chainId: options.settlement?.chainId ?? 0,
  });
  await app.register(certificateRoutes, { service: certificates });
  await app.register(reconciliationRoutes, { pool });
  await app.register(jobRoutes, { pool });
  await app.register(eventRoutes, { pool });
};

export default domainRoutes;
