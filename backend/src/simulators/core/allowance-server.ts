import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from "fastify";
import { z } from "zod";
import { SimClock, type SimClockOptions } from "./clock";
import { RepresentativeDirectory, type Representative } from "./representatives";
import { TrafficGate, type MaintenanceWindow, type RateLimitKnobs } from "./traffic";
import { SimError } from "./types";

/**
 * The HTTP scaffolding shared by the compliance-allowance simulators (UK ETS, CITSS), which differ in kind from
 * the voluntary-registry ones (core/simulator.ts): no ledger of serial blocks with webhooks, but human
 * representatives, a clock the rules read, and files instead of a query API. What this gives both:
 *
 * - the clock (core/clock.ts) and `tick()`: the simulator's due work (delayed executions, expiries, deadlines)
 *   runs before every request, after every clock move, and once a second while the clock runs with real time;
 * - representatives with HTTP Basic credentials and HOTP one-time codes (core/representatives.ts);
 * - the traffic knobs (rate limit 429, maintenance 503, both with Retry-After), `/_admin` exempt;
 * - errors as `{error: {code, message}}` (400 naming the field for bad input), bigints as decimal strings;
 * - admin routes: `POST /_admin/clock {set?, advanceMs?}`, `GET /_admin/clock`, `POST /_admin/representatives
 *   {id, name?, password?}`, `GET /_admin/representatives/{id}/otp` (the authenticator app), `PATCH /_admin/knobs`.
 */
export type AllowanceKnobs = { rateLimit?: RateLimitKnobs | null | undefined; maintenance?: MaintenanceWindow[] | undefined };

export type AllowanceSimulatorOptions = {
  /** 0 (default) picks a free port. */
  port?: number | undefined;
  host?: string | undefined;
  logger?: FastifyBaseLogger | undefined;
  /** Start time and mode of the simulator clock; real time by default. */
  clock?: SimClockOptions | undefined;
  knobs?: AllowanceKnobs | undefined;
};

export type AllowanceContext = {
  clock: SimClock;
  representatives: RepresentativeDirectory;
  /** The representative signed in on this request (HTTP Basic); 401 otherwise. */
  signedIn(authorization: string | undefined): Representative;
};

export type RunningAllowanceServer = { url: string; port: number; app: FastifyInstance; clock: SimClock; representatives: RepresentativeDirectory; close(): Promise<void> };

const knobsSchema = z.object({
  rateLimit: z.object({ capacity: z.number().positive(), refillPerSecond: z.number().positive() }).nullable().optional(),
  maintenance: z.array(z.object({ start: z.number(), end: z.number() })).optional(),
});
const clockSchema = z.object({ set: z.iso.datetime({ offset: true }).optional(), advanceMs: z.number().int().nonnegative().optional() });
const representativeSchema = z.object({ id: z.string().min(1).max(64), name: z.string().optional(), password: z.string().min(1).optional() });

function renderError(reply: FastifyReply, error: SimError): FastifyReply {
  return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export type CreateAllowanceServerParameters = {
  options: AllowanceSimulatorOptions;
  /** The simulator's clock and representatives, made by the caller (its registry reads them too). */
  clock: SimClock;
  representatives: RepresentativeDirectory;
  /** Runs the simulator's due work at the clock's time. */
  tick(): void;
  routes(app: FastifyInstance, context: AllowanceContext): void;
};

export async function createAllowanceServer(params: CreateAllowanceServerParameters): Promise<RunningAllowanceServer> {
  const { options, clock, representatives } = params;
  const gate = new TrafficGate();
  const setKnobs = (knobs: AllowanceKnobs) => {
    if (knobs.rateLimit !== undefined) gate.setRateLimit(knobs.rateLimit ?? undefined);
    if (knobs.maintenance !== undefined) gate.setMaintenance(knobs.maintenance);
  };
  if (options.knobs !== undefined) setKnobs(options.knobs);

  const timeouts = { connectionTimeout: 30_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 };
  const app = Fastify(options.logger === undefined ? { ...timeouts, logger: false } : { ...timeouts, loggerInstance: options.logger });
  app.setReplySerializer((payload) => JSON.stringify(payload, bigintSafe));
  app.addHook("onRequest", async (request, reply) => {
    params.tick();
    if (request.url.startsWith("/_admin")) return;
    const decision = gate.admit();
    if (decision.status === 200) return;
    reply.header("retry-after", String(decision.retryAfterSeconds));
    return renderError(reply, new SimError(decision.status, decision.status === 429 ? "RATE_LIMITED" : "MAINTENANCE", decision.message));
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof SimError) return renderError(reply, error);
    if (error instanceof z.ZodError) return renderError(reply, new SimError(400, "BAD_REQUEST", z.prettifyError(error)));
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status < 500) return renderError(reply, new SimError(status, "BAD_REQUEST", (error as Error).message));
    reply.log.error(error);
    return renderError(reply, new SimError(500, "INTERNAL", "Internal Server Error"));
  });

  app.get("/_admin/clock", async () => ({ now: clock.now().toISOString(), frozen: clock.frozen }));
  app.post("/_admin/clock", async (request) => {
    const body = clockSchema.parse(request.body ?? {});
    if (body.set !== undefined) clock.set(body.set);
    if (body.advanceMs !== undefined) clock.advance(body.advanceMs);
    params.tick();
    return { now: clock.now().toISOString(), frozen: clock.frozen };
  });
  app.post("/_admin/representatives", async (request, reply) => {
    const representative = representatives.add(representativeSchema.parse(request.body));
    return reply.code(201).send({ id: representative.id, name: representative.name, password: representative.password });
  });
  app.get<{ Params: { id: string } }>("/_admin/representatives/:id/otp", async (request) => ({ code: representatives.currentCode(request.params.id) }));
  app.patch("/_admin/knobs", async (request) => {
    setKnobs(knobsSchema.parse(request.body));
    return { ok: true };
  });

  params.routes(app, { clock, representatives, signedIn: (authorization) => representatives.authenticate(authorization) });

  const ticker = setInterval(() => {
    if (!clock.frozen) params.tick();
  }, 1000);
  ticker.unref();
  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  return {
    url: address,
    port: Number(new URL(address).port),
    app,
    clock,
    representatives,
    async close() {
      clearInterval(ticker);
      await app.close();
    },
  };
}

/**
 * Starts a simulator whose state is `makeRegistry(clock, representatives)`: the clock from `options.clock`, a fresh
 * representative directory, the registry's `tick()` as the due-work hook and its routes.
 */
export async function startRegistryServer<R extends { tick(): void }>(
  options: AllowanceSimulatorOptions,
  makeRegistry: (clock: SimClock, representatives: RepresentativeDirectory) => R,
  routes: (app: FastifyInstance, registry: R, context: AllowanceContext) => void,
): Promise<RunningAllowanceServer & { registry: R }> {
  const clock = new SimClock(options.clock);
  const representatives = new RepresentativeDirectory();
  const registry = makeRegistry(clock, representatives);
  const server = await createAllowanceServer({ options, clock, representatives, tick: () => registry.tick(), routes: (app, context) => routes(app, registry, context) });
  return { ...server, registry };
}

/** Sends a file download. */
export function sendFile(reply: FastifyReply, contentType: string, filename: string, body: string | Buffer): FastifyReply {
  return reply.header("content-type", contentType).header("content-disposition", `attachment; filename="${filename}"`).send(body);
}
