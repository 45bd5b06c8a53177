import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from "fastify";
import { z } from "zod";
import type { RegistryName } from "../../registries/ids";
import { decimalBigintSchema } from "../../registries/model";
import { parseSerial, withRange } from "../../registries/serials";
import { Ledger, type ConfirmationKnobs, type SeedBlockParameters } from "./ledger";
import { TrafficGate, type MaintenanceWindow, type RateLimitKnobs } from "./traffic";
import { SimError, type SimAccount, type SimBlock, type SimProject } from "./types";
import { WebhookDispatcher, type WebhookKnobs, type WebhookSubscriber } from "./webhooks";

/** Every knob a test can flip, in code (`admin.setKnobs`) or over HTTP (`PATCH /_admin/knobs`). */
export type SimulatorKnobs = {
  rateLimit?: RateLimitKnobs | null | undefined;
  maintenance?: MaintenanceWindow[] | undefined;
  confirmation?: ConfirmationKnobs | undefined;
  webhooks?: Partial<WebhookKnobs> | undefined;
  /** Native filter names the simulator silently ignores, on top of those the real registry ignores. */
  ignoredFilters?: string[] | undefined;
};

export type SimulatorOptions = {
  /** 0 (default) picks a free port. */
  port?: number | undefined;
  host?: string | undefined;
  /** A pino-compatible logger; silent when absent. */
  logger?: FastifyBaseLogger | undefined;
  knobs?: SimulatorKnobs | undefined;
  webhook?: WebhookSubscriber | undefined;
};

const adminBlockSchema = z.object({
  serial: z.string().optional(),
  account: z.string().min(1),
  status: z.enum(["ACTIVE", "IMMOBILIZED", "RETIRED", "CANCELLED", "ON_HOLD"]).optional(),
  /** For registries without serial ranges (I-REC): the number of certificates. */
  quantity: decimalBigintSchema.optional(),
  projectId: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type AdminBlockInput = z.input<typeof adminBlockSchema>;

const knobsSchema = z.object({
  rateLimit: z.object({ capacity: z.number().positive(), refillPerSecond: z.number().positive() }).nullable().optional(),
  maintenance: z.array(z.object({ start: z.number(), end: z.number() })).optional(),
  confirmation: z
    .discriminatedUnion("mode", [
      z.object({ mode: z.literal("immediate") }),
      z.object({ mode: z.literal("delay"), delayMs: z.number().nonnegative() }),
      z.object({ mode: z.literal("batch"), intervalMs: z.number().positive() }),
      z.object({ mode: z.literal("manual") }),
    ])
    .optional(),
  webhooks: z
    .object({ dropRate: z.number(), duplicateRate: z.number(), delayMs: z.number(), reorderWindowMs: z.number() })
    .partial()
    .optional(),
  ignoredFilters: z.array(z.string()).optional(),
});

/** What tests and the CLI get back from `startXSimulator`. */
export type RunningSimulator = {
  url: string;
  port: number;
  app: FastifyInstance;
  admin: SimulatorAdmin;
  close(): Promise<void>;
};

export type SimulatorContext = {
  registry: RegistryName;
  ledger: Ledger;
  /** Filters the simulator ignores right now (the `ignoredFilters` knob). */
  ignoredFilters: Set<string>;
  renderError(reply: FastifyReply, error: SimError): FastifyReply;
};

export type SimulatorAdmin = {
  ledger: Ledger;
  webhooks: WebhookDispatcher;
  addAccount(account: Partial<SimAccount> & { id: string }): SimAccount;
  addProject(project: Partial<SimProject> & { id: string }): SimProject;
  seedBlock(input: AdminBlockInput): SimBlock;
  setKnobs(knobs: SimulatorKnobs): void;
  /** Opens a maintenance window from now for `ms` milliseconds. */
  startMaintenance(ms: number): void;
  confirmPending(): number;
  hold(blockId: string): SimBlock;
  release(blockId: string): SimBlock;
  cancel(blockId: string, reason: string): SimBlock;
  subscribe(subscriber: WebhookSubscriber): void;
};

export type CreateSimulatorParameters = {
  registry: RegistryName;
  options: SimulatorOptions;
  idFor?: ((counter: number) => string) | undefined;
  /** Native routes of this registry. */
  routes(app: FastifyInstance, context: SimulatorContext): void;
  /** Native error body for a SimError. */
  renderError(reply: FastifyReply, error: SimError): FastifyReply;
};

/** Turns an admin seed into ledger terms: serial-ranged registries parse the serial, I-REC numbers certificates. */
function seedFor(
  registry: RegistryName,
  ledger: Ledger,
  input: z.output<typeof adminBlockSchema>,
  reserveCerts: (count: bigint) => bigint,
): SeedBlockParameters {
  const base = { account: input.account, status: input.status, attributes: input.attributes };
  if (registry === "IREC") {
    if (input.quantity === undefined) throw new SimError(400, "QUANTITY_REQUIRED", "quantity is required for I-REC items");
    const id = ledger.nextId();
    const blockStart = reserveCerts(input.quantity);
    return {
      ...base,
      id,
      serial: id,
      blockStart,
      blockEnd: blockStart + input.quantity - 1n,
      projectId: input.projectId ?? "DEVICE-1",
    };
  }
  if (input.serial === undefined) throw new SimError(400, "SERIAL_REQUIRED", "serial is required");
  const parsed = parseSerial({ serial: input.serial, registry });
  if (parsed.blockStart === undefined || parsed.blockEnd === undefined || parsed.projectId === undefined) {
    throw new SimError(400, "SERIAL_WITHOUT_RANGE", `serial ${input.serial} carries no range`);
  }
  return {
    ...base,
    serial: parsed.serial,
    blockStart: parsed.blockStart,
    blockEnd: parsed.blockEnd,
    projectId: input.projectId ?? parsed.projectId,
  };
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export async function createSimulator(params: CreateSimulatorParameters): Promise<RunningSimulator> {
  const { registry, options } = params;
  const ledger = new Ledger({
    registry,
    idFor: params.idFor,
    serialFor: (block, range) =>
      registry === "IREC"
        ? range.id
        : withRange(parseSerial({ serial: block.serial, registry }), range.blockStart, range.blockEnd).serial,
  });
  const gate = new TrafficGate();
  const webhooks = new WebhookDispatcher();
  ledger.onEvent((event) => webhooks.publish(event));
  if (options.webhook !== undefined) webhooks.subscribe(options.webhook);
  const ignoredFilters = new Set<string>();
  let certCounter = 1_000_000n;
  /** The first of `count` fresh certificate numbers (at least one is used up, as a zero-unit seed always did). */
  const reserveCerts = (count: bigint) => {
    const first = certCounter;
    certCounter += count > 1n ? count : 1n;
    return first;
  };

  const admin: SimulatorAdmin = {
    ledger,
    webhooks,
    addAccount: (account) => ledger.addAccount(account),
    addProject: (project) => ledger.addProject(project),
    seedBlock: (input) => ledger.addBlock(seedFor(registry, ledger, adminBlockSchema.parse(input), reserveCerts)),
    setKnobs(knobs) {
      if (knobs.rateLimit !== undefined) gate.setRateLimit(knobs.rateLimit ?? undefined);
      if (knobs.maintenance !== undefined) gate.setMaintenance(knobs.maintenance);
      if (knobs.confirmation !== undefined) ledger.setConfirmation(knobs.confirmation);
      if (knobs.webhooks !== undefined) webhooks.knobs = { ...webhooks.knobs, ...knobs.webhooks };
      if (knobs.ignoredFilters !== undefined) {
        ignoredFilters.clear();
        for (const name of knobs.ignoredFilters) ignoredFilters.add(name);
      }
    },
    startMaintenance: (ms) => gate.setMaintenance([{ start: Date.now(), end: Date.now() + ms }]),
    confirmPending: () => ledger.confirmPending(),
    hold: (blockId) => ledger.setStatus(blockId, "ON_HOLD"),
    release: (blockId) => ledger.setStatus(blockId, "ACTIVE"),
    cancel: (blockId, reason) => ledger.setStatus(blockId, "CANCELLED", reason),
    subscribe: (subscriber) => webhooks.subscribe(subscriber),
  };
  if (options.knobs !== undefined) admin.setKnobs(options.knobs);

  const timeouts = { connectionTimeout: 30_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 };
  const app = Fastify(
    options.logger === undefined ? { ...timeouts, logger: false } : { ...timeouts, loggerInstance: options.logger },
  );
  app.setReplySerializer((payload) => JSON.stringify(payload, bigintSafe));
  const context: SimulatorContext = { registry, ledger, ignoredFilters, renderError: params.renderError };

  app.addHook("onRequest", async (request, reply) => {
    if (request.url.startsWith("/_admin")) return;
    const decision = gate.admit();
    if (decision.status === 200) return;
    reply.header("retry-after", String(decision.retryAfterSeconds));
    return params.renderError(
      reply,
      new SimError(decision.status, decision.status === 429 ? "RATE_LIMITED" : "MAINTENANCE", decision.message),
    );
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof SimError) return params.renderError(reply, error);
    if (error instanceof z.ZodError) return params.renderError(reply, new SimError(400, "BAD_REQUEST", z.prettifyError(error)));
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status < 500)
      return params.renderError(reply, new SimError(status, "BAD_REQUEST", (error as Error).message));
    reply.log.error(error);
    return params.renderError(reply, new SimError(500, "INTERNAL", "Internal Server Error"));
  });
  registerAdminRoutes(app, admin);
  params.routes(app, context);

  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  const port = Number(new URL(address).port);
  return {
    url: address,
    port,
    app,
    admin,
    async close() {
      ledger.close();
      webhooks.close();
      await app.close();
    },
  };
}

function registerAdminRoutes(app: FastifyInstance, admin: SimulatorAdmin): void {
  const accountSchema = z.object({
    id: z.string().min(1),
    name: z.string().optional(),
    type: z.string().optional(),
    platform: z.boolean().optional(),
  });
  const projectSchema = z.object({
    id: z.string().min(1),
    name: z.string().optional(),
    country: z.string().optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  });
  const idParams = z.object({ id: z.string() });
  const strip = <T extends object>(value: T) => JSON.parse(JSON.stringify(value)) as T;
  app.post("/_admin/accounts", async (request) => admin.addAccount(strip(accountSchema.parse(request.body))));
  app.post("/_admin/projects", async (request) => admin.addProject(strip(projectSchema.parse(request.body))));
  app.post("/_admin/blocks", async (request) => admin.seedBlock(adminBlockSchema.parse(request.body)));
  app.patch("/_admin/knobs", async (request) => {
    admin.setKnobs(knobsSchema.parse(request.body));
    return { ok: true };
  });
  app.post("/_admin/confirm", async () => ({ confirmed: admin.confirmPending() }));
  app.post("/_admin/blocks/:id/hold", async (request) => admin.hold(idParams.parse(request.params).id));
  app.post("/_admin/blocks/:id/release", async (request) => admin.release(idParams.parse(request.params).id));
  app.post("/_admin/blocks/:id/cancel", async (request) => {
    const body = z.object({ reason: z.string().default("") }).parse(request.body ?? {});
    return admin.cancel(idParams.parse(request.params).id, body.reason);
  });
  app.post("/_admin/webhooks", async (request) => {
    admin.subscribe(z.object({ url: z.url(), secret: z.string().min(1) }).parse(request.body));
    return { ok: true };
  });
  app.get("/_admin/state", async () => ({
    accounts: [...admin.ledger.accounts.values()],
    projects: [...admin.ledger.projects.values()],
    blocks: [...admin.ledger.blocks.values()],
    operations: [...admin.ledger.operations.values()],
    events: admin.ledger.events,
    webhookDeliveries: admin.webhooks.deliveries,
  }));
}
