import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseInCctsSerial } from "../../registries/serials";
import { quantityInputSchema } from "../core/input";
import type { Ledger } from "../core/ledger";
import { createSimulator, type RunningSimulator, type SimulatorContext, type SimulatorOptions } from "../core/simulator";
import { SimError, type SimBlock, type SimOperation } from "../core/types";

/**
 * India CCTS registry simulator (Grid-India runs the registry; BEE issues CCCs). No public API is documented,
 * so the whole API is our own (simulators/README.md): API-key auth, entity account holdings, transfers (the
 * delivery leg of a power-exchange trade: CCTS has no OTC trading in phase one), locks (immobilization), and
 * surrenders/retirements. Certificate serials use our own format (registries/serials/inCcts.ts).
 */
/** The key the simulator accepts unless started with another (`apiKey`). */
export const IN_CCTS_SIMULATOR_API_KEY = "ccts-sim-key";

export type InCctsSimulatorOptions = SimulatorOptions & { apiKey?: string | undefined };

export const CCTS_MAX_PAGE_SIZE = 100;
const API = "/api/v1";

const pageQuery = z.object({
  page: z.coerce.number().int().positive().default(1),
  pageSize: z.coerce.number().int().positive().max(CCTS_MAX_PAGE_SIZE).default(50),
});

function renderError(reply: FastifyReply, error: SimError): FastifyReply {
  return reply.code(error.status).send({ status: "error", error: { code: error.code, message: error.message } });
}

function paged<T>(items: T[], request: FastifyRequest) {
  const q = pageQuery.parse(request.query);
  return {
    data: items.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
    meta: { page: q.page, pageSize: q.pageSize, total: items.length },
  };
}

function nativeStatus(block: SimBlock): string {
  if (block.status === "RETIRED") return block.retirement?.reason === "COMPLIANCE_SURRENDER" ? "SURRENDERED" : "RETIRED";
  return { ACTIVE: "ACTIVE", IMMOBILIZED: "LOCKED", ON_HOLD: "ON_HOLD", CANCELLED: "CANCELLED" }[block.status];
}

export function certificateOf(ledger: Ledger, block: SimBlock) {
  const serial = parseInCctsSerial(block.serial);
  const year = Number(serial.complianceYear);
  return {
    certificateId: block.id,
    serialNumber: block.serial,
    quantity: (block.blockEnd - block.blockStart + 1n).toString(),
    sector: serial.sector,
    entityRegistrationId: serial.entityRegistrationId,
    complianceYear: `${year}-${String((year + 1) % 100).padStart(2, "0")}`,
    status: nativeStatus(block),
    accountId: block.account,
    parentCertificateId: block.parentId ?? null,
    issuedAt: block.createdAt,
    surrender: block.retirement === undefined ? null : {
      purpose: block.retirement.reason ?? "VOLUNTARY_RETIREMENT",
      beneficiary: block.retirement.beneficiary ?? null,
      memo: block.retirement.memo,
      surrenderedAt: block.retirement.retiredAt,
    },
    accountName: ledger.accounts.get(block.account)?.name ?? block.account,
  };
}

const TYPE = { TRANSFER: "TRANSFER", IMMOBILIZE: "LOCK", RETIRE: "SURRENDER" } as const;

export function operationOf(operation: SimOperation) {
  return {
    operationId: operation.id,
    type: TYPE[operation.kind],
    status: operation.status,
    certificateId: operation.blockId,
    quantity: operation.quantity.toString(),
    fromAccountId: operation.actingAccount,
    toAccountId: operation.toAccount ?? null,
    purpose: operation.retirement?.reason ?? null,
    beneficiary: operation.retirement?.beneficiary ?? null,
    memo: operation.memo,
    resultCertificateIds: operation.resultBlockIds,
    rejectionReason: operation.rejectionReason ?? null,
    createdAt: operation.createdAt,
    completedAt: operation.confirmedAt ?? null,
  };
}

function routes(apiKey: string) {
  return (app: FastifyInstance, context: SimulatorContext) => {
    const { ledger } = context;
    app.addHook("onRequest", async (request) => {
      if (request.url.startsWith(API) && request.headers["x-api-key"] !== apiKey)
        throw new SimError(401, "UNAUTHORIZED", "missing or wrong x-api-key");
    });
    app.get(`${API}/accounts`, async () =>
      [...ledger.accounts.values()].map((a) => ({ accountId: a.id, accountName: a.name, accountType: a.type })),
    );
    app.get<{ Params: { accountId: string } }>(`${API}/accounts/:accountId/holdings`, async (request) => {
      const entity = z.object({ entityRegistrationId: z.string().optional() }).parse(request.query).entityRegistrationId;
      const held = ledger
        .liveBlocks(request.params.accountId)
        .filter((b) => entity === undefined || context.ignoredFilters.has("entityRegistrationId") || b.projectId === entity)
        .sort((a, b) => Number(a.id) - Number(b.id));
      return paged(held.map((b) => certificateOf(ledger, b)), request);
    });
    app.get<{ Params: { id: string } }>(`${API}/certificates/:id`, async (request) =>
      certificateOf(ledger, ledger.block(request.params.id)),
    );

    const base = z.object({ certificateId: z.string().min(1), quantity: quantityInputSchema, memo: z.string().min(1) });
    const accepted = (reply: FastifyReply, op: SimOperation) => reply.code(202).send(operationOf(op));
    app.post(`${API}/transfers`, async (request, reply) => {
      const body = base.extend({ fromAccountId: z.string().min(1), toAccountId: z.string().min(1) }).parse(request.body);
      return accepted(
        reply,
        ledger.submit({
          kind: "TRANSFER",
          memo: body.memo,
          blockId: body.certificateId,
          quantity: body.quantity,
          actingAccount: body.fromAccountId,
          toAccount: body.toAccountId,
        }),
      );
    });
    app.post(`${API}/locks`, async (request, reply) => {
      const body = base.extend({ accountId: z.string().min(1) }).parse(request.body);
      return accepted(
        reply,
        ledger.submit({
          kind: "IMMOBILIZE",
          memo: body.memo,
          blockId: body.certificateId,
          quantity: body.quantity,
          actingAccount: body.accountId,
        }),
      );
    });
    app.post(`${API}/surrenders`, async (request, reply) => {
      const body = base
        .extend({
          accountId: z.string().min(1),
          purpose: z.enum(["COMPLIANCE_SURRENDER", "VOLUNTARY_RETIREMENT"]).default("VOLUNTARY_RETIREMENT"),
          beneficiary: z.string().optional(),
        })
        .parse(request.body);
      return accepted(
        reply,
        ledger.submit({
          kind: "RETIRE",
          memo: body.memo,
          blockId: body.certificateId,
          quantity: body.quantity,
          actingAccount: body.accountId,
          retirement: { reason: body.purpose, beneficiary: body.beneficiary },
        }),
      );
    });
    app.get(`${API}/operations`, async (request) => {
      const memo = z.object({ memo: z.string().optional() }).parse(request.query).memo;
      const ops = [...ledger.operations.values()].filter(
        (op) => memo === undefined || context.ignoredFilters.has("memo") || op.memo === memo,
      );
      return paged(ops.map(operationOf), request);
    });
    app.get(`${API}/events`, async (request) => {
      const after = z.object({ after: z.coerce.number().int().nonnegative().default(0) }).parse(request.query).after;
      return paged(ledger.eventsAfter(after), request);
    });
  };
}

export async function startInCctsSimulator(options: InCctsSimulatorOptions = {}): Promise<RunningSimulator> {
  return createSimulator({
    registry: "IN_CCTS",
    options,
    routes: routes(options.apiKey ?? IN_CCTS_SIMULATOR_API_KEY),
    renderError,
  });
}
