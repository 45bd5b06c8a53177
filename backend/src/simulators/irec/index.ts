import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { quantityInputSchema } from "../core/input";
import { createSimulator, type RunningSimulator, type SimulatorContext, type SimulatorOptions } from "../core/simulator";
import { SimError, type SimOperation } from "../core/types";
import { certNumber, itemOf, operationOf } from "./items";

/**
 * I-REC (Evident) simulator: OAuth2 password grant at `POST /api/token`, account items, transfer-management, and
 * redemption (path uncertain: we chose `/api/irec/v1/redemption-management`). Our own additions (README):
 * single item lookup, immobilisation, operation search by notes, the event log.
 */
/** The credentials the simulator accepts unless started with others (`username`, `password`). */
export const IREC_SIMULATOR_CREDENTIALS = { username: "platform", password: "platform-password" } as const;

export type IrecSimulatorOptions = SimulatorOptions & {
  username?: string | undefined;
  password?: string | undefined;
  tokenTtlSeconds?: number | undefined;
};

export const IREC_MAX_LIMIT = 100;
const API = "/api/irec/v1";

const pageQuery = z.object({
  limit: z.coerce.number().int().positive().max(IREC_MAX_LIMIT).default(IREC_MAX_LIMIT),
  offset: z.coerce.number().int().nonnegative().default(0),
});
const reservation = z
  .array(z.object({ item_code: z.string().min(1), amount: quantityInputSchema }))
  .length(1, "this simulator accepts exactly one reservation item");
const transferBody = z.object({
  source_account_code: z.string().min(1),
  destination_account_code: z.string().min(1),
  reservation_items: reservation,
  notes: z.string().min(1),
});

function renderError(reply: FastifyReply, error: SimError): FastifyReply {
  return reply.code(error.status).send({ error: error.code.toLowerCase(), message: error.message });
}

function paged<T>(items: T[], request: FastifyRequest) {
  const q = pageQuery.parse(request.query);
  return { total: items.length, items: items.slice(q.offset, q.offset + q.limit) };
}

function routes(options: IrecSimulatorOptions) {
  const tokens = new Map<string, number>();
  const ttl = options.tokenTtlSeconds ?? 3600;
  return (app: FastifyInstance, context: SimulatorContext) => {
    const { ledger } = context;
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    app.post("/api/token", async (request, reply) => {
      const body = z.object({ grant_type: z.string(), username: z.string(), password: z.string() }).parse(request.body);
      if (body.grant_type !== "password") return reply.code(400).send({ error: "unsupported_grant_type" });
      if (
        body.username !== (options.username ?? IREC_SIMULATOR_CREDENTIALS.username) ||
        body.password !== (options.password ?? IREC_SIMULATOR_CREDENTIALS.password)
      ) {
        return reply.code(401).send({ error: "invalid_grant", error_description: "Invalid credentials" });
      }
      const token = randomBytes(24).toString("hex");
      tokens.set(token, Date.now() + ttl * 1000);
      return { access_token: token, token_type: "Bearer", expires_in: ttl, refresh_token: randomBytes(24).toString("hex") };
    });
    // Ours: drop every issued token, as a registry does on a key rotation or a security event.
    app.post("/_admin/irec/revoke-tokens", async () => {
      const revoked = tokens.size;
      tokens.clear();
      return { revoked };
    });
    app.addHook("onRequest", async (request) => {
      if (!request.url.startsWith("/api/irec/")) return;
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
      const expiry = token === undefined ? undefined : tokens.get(token);
      if (expiry === undefined || expiry < Date.now())
        throw new SimError(401, "UNAUTHORIZED", "missing, unknown or expired token");
    });

    app.get(`${API}/account-management`, async () =>
      [...ledger.accounts.values()].map((a) => ({ code: a.id, name: a.name, type: a.type })),
    );
    app.get<{ Params: { code: string } }>(`${API}/account-management/:code/items`, async (request) => {
      const device = z.object({ device: z.string().optional() }).parse(request.query).device;
      const items = ledger
        .liveBlocks(request.params.code)
        .filter((b) => device === undefined || context.ignoredFilters.has("device") || b.projectId === device)
        .map((b) => itemOf(ledger, b));
      return paged(items, request);
    });
    app.get<{ Params: { code: string } }>(`${API}/items/:code`, async (request) =>
      itemOf(ledger, ledger.block(request.params.code)),
    );

    const accepted = (reply: FastifyReply, operation: SimOperation) => reply.code(202).send(operationOf(operation));
    app.post(`${API}/transfer-management`, async (request, reply) => {
      const body = transferBody.parse(request.body);
      const item = body.reservation_items[0]!;
      return accepted(
        reply,
        ledger.submit({
          kind: "TRANSFER",
          memo: body.notes,
          blockId: item.item_code,
          quantity: item.amount,
          actingAccount: body.source_account_code,
          toAccount: body.destination_account_code,
        }),
      );
    });
    app.get(`${API}/transfer-management`, async (request) => {
      const notes = z.object({ notes: z.string().optional() }).parse(request.query).notes;
      const ops = [...ledger.operations.values()].filter(
        (op) => notes === undefined || context.ignoredFilters.has("notes") || op.memo === notes,
      );
      return paged(ops.map(operationOf), request);
    });
    app.post(`${API}/redemption-management`, async (request, reply) => {
      const body = transferBody
        .extend({
          beneficiary_id: z.string().min(1),
          period_start: z.string().optional(),
          period_end: z.string().optional(),
          purpose: z.string().optional(),
        })
        .parse(request.body);
      const item = body.reservation_items[0]!;
      const op = ledger.submit({
        kind: "RETIRE",
        memo: body.notes,
        blockId: item.item_code,
        quantity: item.amount,
        actingAccount: body.source_account_code,
        retirement: {
          beneficiary: body.beneficiary_id,
          reason: body.purpose,
          periodStart: body.period_start,
          periodEnd: body.period_end,
        },
      });
      const volume = Number(op.rangeEnd - op.rangeStart + 1n);
      return reply.code(202).send({
        ...operationOf(op),
        items: { [item.item_code]: { start_cert_num: certNumber(op.rangeStart), end_cert_num: certNumber(op.rangeEnd), volume } },
        verification_url: `${request.protocol}://${request.host}/verify/${op.id}`,
        verification_key: randomBytes(8).toString("hex").toUpperCase(),
      });
    });
    app.post(`${API}/immobilisation-management`, async (request, reply) => {
      const body = z
        .object({
          account_code: z.string().min(1),
          item_code: z.string().min(1),
          amount: quantityInputSchema,
          notes: z.string().min(1),
        })
        .parse(request.body);
      return accepted(
        reply,
        ledger.submit({
          kind: "IMMOBILIZE",
          memo: body.notes,
          blockId: body.item_code,
          quantity: body.amount,
          actingAccount: body.account_code,
        }),
      );
    });
    app.get(`${API}/events`, async (request) => {
      const after = z.object({ after: z.coerce.number().int().nonnegative().default(0) }).parse(request.query).after;
      return paged(ledger.eventsAfter(after), request);
    });
  };
}

export async function startIrecSimulator(options: IrecSimulatorOptions = {}): Promise<RunningSimulator> {
  return createSimulator({ registry: "IREC", options, idFor: (n) => `ITEM-${n}`, routes: routes(options), renderError });
}
