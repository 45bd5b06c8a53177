import crypto from "node:crypto";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import { type ZodTypeProvider, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { Context } from "../context";
import errorHandler from "./plugins/app/errorHandler";
import requestContext from "./plugins/app/requestContext";
import swagger from "./plugins/external/swagger";
import depositRoutes, { type DepositRoutesOptions } from "./routes/deposits";
import domainRoutes, { type DomainApiOptions } from "./routes/domain";
import healthRoutes from "./routes/health";
import metricsRoutes from "./routes/metrics";
import webhookRoutes, { type WebhookRoutesOptions } from "./routes/webhooks";
import configRoutes, { type ConfigRoutesOptions } from "./routes/config";
import webApp, { type WebAppOptions } from "./routes/webApp";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What the API needs from the context; `api` configures the domain routes (Settlement domain, SIWE, registry status). */
export type ApiContext = Pick<Context, "logger" | "metrics" | "readiness"> & {
  db: Pick<Context["db"], "pool">;
  api?: DomainApiOptions;
  /** Deposit intents (`POST /deposits/intents`, ...); absent: the routes are not served. */
  deposits?: Omit<DepositRoutesOptions, "pool"> | undefined;
  /** Signed registry webhooks (`POST /webhooks/:registry`); absent: not served. */
  webhooks?: Pick<WebhookRoutesOptions, "adapters" | "onChanges"> | undefined;
  /** `GET /config` for clients (chain, contracts, EIP-712, fees, registries); absent: not served. */
  client?: Omit<ConfigRoutesOptions, "pool"> | undefined;
  /** The built web app served at `/` (routes/webApp.ts); absent: not served. */
  web?: WebAppOptions | undefined;
};

/** Timeouts are explicit: a slow or stuck client cannot hold a socket for long. */
export const SERVER_TIMEOUTS = {
  /** Socket inactivity before the server closes it. */
  connectionTimeout: 30_000,
  /** Whole request (headers and body) must arrive within this. */
  requestTimeout: 30_000,
  /** Longer than common load balancers' 60 s idle timeout, so the balancer closes first. */
  keepAliveTimeout: 72_000,
  pluginTimeout: 10_000,
} as const;

/** A client-given `x-request-id` is kept when it is short and plain (it ends up in logs), else a UUID is made. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : crypto.randomUUID();
}

/**
 * Builds the fastify app without listening, in fastify/demo's order: plugins for external services (OpenAPI),
 * then application plugins (error handler, request id and metrics), then routes. Routes added by the caller
 * after this returns (and before `ready()`) get the same error handler and appear in the OpenAPI document.
 */
export async function buildApp(ctx: ApiContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: "api" }) as FastifyBaseLogger,
    genReqId: requestId,
    // Fastify's own "incoming request" / "request completed" pair is replaced by one line per request
    // (plugins/app/request-context.ts), which leaves out headers and the query string.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    forceCloseConnections: "idle",
    return503OnClosing: true,
    ...SERVER_TIMEOUTS,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger);

  await app.register(errorHandler);
  await app.register(requestContext, { metrics: ctx.metrics });

  await app.register(healthRoutes, { pool: ctx.db.pool, readiness: ctx.readiness });
  await app.register(metricsRoutes, { metrics: ctx.metrics });
  await app.register(domainRoutes, { ...ctx.api, pool: ctx.db.pool });
  if (ctx.deposits !== undefined) await app.register(depositRoutes, { ...ctx.deposits, pool: ctx.db.pool });
  if (ctx.webhooks !== undefined) await app.register(webhookRoutes, { ...ctx.webhooks, pool: ctx.db.pool, metrics: ctx.metrics });
  if (ctx.client !== undefined) await app.register(configRoutes, { ...ctx.client, pool: ctx.db.pool });
  if (ctx.web !== undefined) await app.register(webApp, ctx.web);
  return app;
}
