/**
 * Bank statement simulator: a real HTTP server (fastify) standing for the account-statement API of the platform's
 * fiat collection (client-money) account, which buyers of fiat escrow deals pay into with the deal id as the
 * payment reference. The API is our own, in the manner of current payment-operations APIs (amounts as integers in
 * the currency's minor unit, cursor pages, bearer API key); a real bank's statement feed (ISO 20022 camt.052/053,
 * Open Banking) needs its own adapter behind `payments/port.ts`.
 *
 * - `GET /v1/accounts/:accountId` and `GET /v1/accounts/:accountId/transactions?reference=&limit=&cursor=`, with
 *   `authorization: Bearer <apiKey>`; 401 without it, 404 for an unknown account, 400 naming a bad parameter.
 * - Maintenance windows and a rate limit (the registry simulators' `TrafficGate`): 503 / 429 with Retry-After.
 * - `/_admin` (no key, no outage): `POST /_admin/credits` books an incoming transfer, `PATCH /_admin/knobs`,
 *   `GET /_admin/state`.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { z } from "zod";
import { quantityInputSchema } from "../core/input";
import { type MaintenanceWindow, type RateLimitKnobs, TrafficGate } from "../core/traffic";
import { type BankTransaction, BankSimError, BankStatement, type BookCreditParameters } from "./statement";

/** The key the simulator accepts unless started with another (`apiKey`). */
export const BANK_SIMULATOR_API_KEY = "bank-sim-key";
/** Page size bounds of the transactions endpoint. */
export const BANK_MAX_PAGE_SIZE = 200;

export type BankSimulatorKnobs = { rateLimit?: RateLimitKnobs | null | undefined; maintenance?: MaintenanceWindow[] | undefined };

export type BankSimulatorOptions = {
  /** 0 (default) picks a free port. */
  port?: number | undefined;
  host?: string | undefined;
  apiKey?: string | undefined;
  /** The collection account opened at start (id and currency). */
  account: { accountId: string; currency: string; name?: string | undefined };
  knobs?: BankSimulatorKnobs | undefined;
};

export type BankSimulatorAdmin = {
  statement: BankStatement;
  /** Books an incoming transfer; `accountId` defaults to the collection account. */
  bookCredit(params: Omit<BookCreditParameters, "accountId"> & { accountId?: string | undefined }): BankTransaction;
  setKnobs(knobs: BankSimulatorKnobs): void;
  /** Opens a maintenance window from now for `ms` milliseconds (every API call answers 503). */
  startMaintenance(ms: number): void;
};

export type RunningBankSimulator = {
  url: string;
  port: number;
  app: FastifyInstance;
  admin: BankSimulatorAdmin;
  close(): Promise<void>;
};

const currency = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as USD");

const creditSchema = z.object({
  reference: z.string().min(1).max(140),
  amountMinor: quantityInputSchema.describe("integer amount in the currency's minor unit (cents), > 0"),
  currency,
  payer: z.string().min(1).max(140),
  accountId: z.string().min(1).optional(),
  bookedAt: z.iso.datetime().optional(),
});

const knobsSchema = z.object({
  rateLimit: z.object({ capacity: z.number().positive(), refillPerSecond: z.number().positive() }).nullable().optional(),
  maintenance: z.array(z.object({ start: z.number(), end: z.number() })).optional(),
});

const pageQuery = z.object({
  reference: z.string().min(1).optional(),
  limit: z.coerce.number().int().positive().max(BANK_MAX_PAGE_SIZE).default(50),
  /** The last transaction id of the previous page. */
  cursor: z.string().min(1).optional(),
});

/** A statement entry as the API renders it (amount as a decimal string of minor units, the payer as counterparty). */
function transactionView(t: BankTransaction) {
  const { payer, amountMinor, ...rest } = t;
  return { ...rest, amountMinor: amountMinor.toString(), counterparty: { name: payer } };
}

function renderError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

function registerApi(app: FastifyInstance, statement: BankStatement, apiKey: string): void {
  app.addHook("onRequest", async (request) => {
    if (request.url.startsWith("/v1") && request.headers.authorization !== `Bearer ${apiKey}`) {
      throw new BankSimError(401, "UNAUTHORIZED", "missing or wrong bearer API key");
    }
  });
  const params = z.object({ accountId: z.string().min(1) });
  app.get("/v1/accounts/:accountId", async (request) => {
    const account = statement.account(params.parse(request.params).accountId);
    const balances = Object.entries(statement.balances(account.accountId)).map(([code, minor]) => ({
      currency: code,
      amountMinor: minor.toString(),
    }));
    return { ...account, balances };
  });
  app.get("/v1/accounts/:accountId/transactions", async (request) => {
    const { accountId } = params.parse(request.params);
    const query = pageQuery.parse(request.query);
    const entries = statement.entries(accountId, query.reference);
    const start = query.cursor === undefined ? 0 : entries.findIndex((t) => t.transactionId === query.cursor) + 1;
    if (query.cursor !== undefined && start === 0)
      throw new BankSimError(400, "BAD_CURSOR", `cursor ${query.cursor} is not a transaction of this account`);
    const page = entries.slice(start, start + query.limit);
    const more = start + query.limit < entries.length;
    return { data: page.map(transactionView), nextCursor: more ? (page.at(-1)?.transactionId ?? null) : null };
  });
}

function registerAdmin(app: FastifyInstance, admin: BankSimulatorAdmin): void {
  app.post("/_admin/credits", async (request, reply) => {
    const body = creditSchema.parse(request.body);
    return reply.code(201).send(transactionView(admin.bookCredit(body)));
  });
  app.patch("/_admin/knobs", async (request) => {
    admin.setKnobs(knobsSchema.parse(request.body));
    return { ok: true };
  });
  app.get("/_admin/state", async () => ({
    accounts: [...admin.statement.accounts.values()],
    transactions: admin.statement.transactions.map(transactionView),
  }));
}

/** Starts the bank simulator with its collection account open. */
export async function startBankSimulator(options: BankSimulatorOptions): Promise<RunningBankSimulator> {
  const statement = new BankStatement();
  const collection = options.account;
  statement.addAccount({
    accountId: collection.accountId,
    currency: collection.currency,
    name: collection.name ?? "Platform client money",
  });
  const gate = new TrafficGate();
  const admin: BankSimulatorAdmin = {
    statement,
    bookCredit: (params) => statement.bookCredit({ ...params, accountId: params.accountId ?? collection.accountId }),
    setKnobs(knobs) {
      if (knobs.rateLimit !== undefined) gate.setRateLimit(knobs.rateLimit ?? undefined);
      if (knobs.maintenance !== undefined) gate.setMaintenance(knobs.maintenance);
    },
    startMaintenance: (ms) => gate.setMaintenance([{ start: Date.now(), end: Date.now() + ms }]),
  };
  if (options.knobs !== undefined) admin.setKnobs(options.knobs);

  const app = Fastify({ logger: false, connectionTimeout: 30_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 });
  app.addHook("onRequest", async (request, reply) => {
    if (request.url.startsWith("/_admin")) return;
    const decision = gate.admit();
    if (decision.status === 200) return;
    reply.header("retry-after", String(decision.retryAfterSeconds));
    return renderError(reply, decision.status, decision.status === 429 ? "RATE_LIMITED" : "MAINTENANCE", decision.message);
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof BankSimError) return renderError(reply, error.status, error.code, error.message);
    if (error instanceof z.ZodError) return renderError(reply, 400, "BAD_REQUEST", z.prettifyError(error));
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status < 500) return renderError(reply, status, "BAD_REQUEST", (error as Error).message);
    return renderError(reply, 500, "INTERNAL", "Internal Server Error");
  });
  registerApi(app, statement, options.apiKey ?? BANK_SIMULATOR_API_KEY);
  registerAdmin(app, admin);

  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  return { url: address, port: Number(new URL(address).port), app, admin, close: () => app.close() };
}

export { BankSimError, BankStatement, type BankAccount, type BankTransaction } from "./statement";
