import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { quantityInputSchema } from "../core/input";
import { createSimulator, type RunningSimulator, type SimulatorContext, type SimulatorOptions } from "../core/simulator";
import { SimError, type SimOperation } from "../core/types";
import { creditItem, operationItem, projectItem } from "./items";

/**
 * Gold Standard simulator. Public: `GET /credits`, `GET /credits/{id}`, `GET /projects`, with the registry's
 * quirks: 403 without a browser-like User-Agent, 403 when `/credits` size > 25, `/projects` silently caps size at
 * 150, `project_id`/`status` ignored (only `query=` narrows), totals in headers, descending id. Our own
 * documented platform API: `/accounts/{id}/credits`, transfers, immobilizations, retirements, `/operations`,
 * `/events` (simulators/README.md).
 */
export const GS_MAX_CREDIT_PAGE = 25;
export const GS_MAX_PROJECT_PAGE = 150;

const pageQuery = z.object({
  page: z.coerce.number().int().positive().default(1),
  size: z.coerce.number().int().positive().default(GS_MAX_CREDIT_PAGE),
  query: z.string().optional(),
});

function renderError(reply: FastifyReply, error: SimError): FastifyReply {
  return reply.code(error.status).send({ detail: error.message, code: error.code });
}

/** Pages `items` (already filtered), newest id first, with the totals headers. */
function page<T extends { id: string | number }>(
  reply: FastifyReply,
  items: T[],
  pageNumber: number,
  size: number,
  credits?: (item: T) => number,
) {
  const sorted = [...items].sort(
    (a, b) => Number(b.id.toString().replace(/\D/g, "")) - Number(a.id.toString().replace(/\D/g, "")),
  );
  reply.header("x-total-count", String(sorted.length));
  if (credits !== undefined)
    reply.header("x-total-number-of-credits", String(sorted.reduce((sum, item) => sum + credits(item), 0)));
  return sorted.slice((pageNumber - 1) * size, pageNumber * size);
}

function routes(app: FastifyInstance, context: SimulatorContext): void {
  const { ledger } = context;
  app.addHook("onRequest", async (request: FastifyRequest) => {
    if (request.url.startsWith("/_admin")) return;
    if (!/Mozilla\/5\.0 \(/.test(request.headers["user-agent"] ?? "")) throw new SimError(403, "FORBIDDEN", "Forbidden");
  });
  const creditQuery = (request: FastifyRequest) => {
    const q = pageQuery.parse(request.query);
    if (q.size > GS_MAX_CREDIT_PAGE) throw new SimError(403, "FORBIDDEN", "Forbidden");
    return q;
  };
  const textMatch = (query: string | undefined) => (item: ReturnType<typeof creditItem>) =>
    query === undefined ||
    context.ignoredFilters.has("query") ||
    [item.serial_number, item.project.name, item.note ?? ""].some((text) => text.includes(query));
  const credits = (blocks: Iterable<Parameters<typeof creditItem>[1]>) => [...blocks].map((block) => creditItem(ledger, block));

  app.get("/credits", async (request, reply) => {
    const q = creditQuery(request);
    return page(
      reply,
      credits(ledger.blocks.values()).filter(textMatch(q.query)),
      q.page,
      q.size,
      (item) => item.number_of_credits,
    );
  });
  app.get<{ Params: { id: string } }>("/credits/:id", async (request) => creditItem(ledger, ledger.block(request.params.id)));
  app.get("/projects", async (request, reply) => {
    const q = pageQuery.parse(request.query);
    const items = [...ledger.projects.keys()].map((id) => projectItem(ledger, id));
    return page(reply, items, q.page, Math.min(q.size, GS_MAX_PROJECT_PAGE));
  });
  app.get<{ Params: { accountId: string } }>("/accounts/:accountId/credits", async (request, reply) => {
    const q = creditQuery(request);
    return page(
      reply,
      credits(ledger.liveBlocks(request.params.accountId)).filter(textMatch(q.query)),
      q.page,
      q.size,
      (item) => item.number_of_credits,
    );
  });

  const base = z.object({ credit_id: z.string().min(1), number_of_credits: quantityInputSchema, note: z.string().min(1) });
  const accepted = (reply: FastifyReply, operation: SimOperation) => reply.code(202).send(operationItem(operation));
  app.post<{ Params: { accountId: string } }>("/accounts/:accountId/transfers", async (request, reply) => {
    const body = base.extend({ destination_account_id: z.string().min(1) }).parse(request.body);
    return accepted(
      reply,
      ledger.submit({
        kind: "TRANSFER",
        memo: body.note,
        blockId: body.credit_id,
        quantity: body.number_of_credits,
        actingAccount: request.params.accountId,
        toAccount: body.destination_account_id,
      }),
    );
  });
  app.post<{ Params: { accountId: string } }>("/accounts/:accountId/immobilizations", async (request, reply) => {
    const body = base.parse(request.body);
    return accepted(
      reply,
      ledger.submit({
        kind: "IMMOBILIZE",
        memo: body.note,
        blockId: body.credit_id,
        quantity: body.number_of_credits,
        actingAccount: request.params.accountId,
      }),
    );
  });
  app.post<{ Params: { accountId: string } }>("/accounts/:accountId/retirements", async (request, reply) => {
    const body = base
      .extend({ using_entity: z.string().optional(), retirement_reason: z.string().optional() })
      .parse(request.body);
    return accepted(
      reply,
      ledger.submit({
        kind: "RETIRE",
        memo: body.note,
        blockId: body.credit_id,
        quantity: body.number_of_credits,
        actingAccount: request.params.accountId,
        retirement: { beneficiary: body.using_entity, reason: body.retirement_reason },
      }),
    );
  });
  app.get("/operations", async (request, reply) => {
    const q = creditQuery(request);
    const note = z.object({ note: z.string().optional() }).parse(request.query).note;
    const items = [...ledger.operations.values()]
      .filter((op) => note === undefined || context.ignoredFilters.has("note") || op.memo === note)
      .map(operationItem);
    return page(reply, items, q.page, q.size);
  });
  app.get("/events", async (request, reply) => {
    const q = creditQuery(request);
    const after = z.object({ after: z.coerce.number().int().nonnegative().default(0) }).parse(request.query).after;
    return page(reply, ledger.eventsAfter(after), q.page, q.size);
  });
}

export async function startGoldStandardSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return createSimulator({ registry: "GOLD_STANDARD", options, routes, renderError });
}
