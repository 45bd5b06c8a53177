import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { sendFile, type AllowanceContext } from "../core/allowance-server";
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from "../core/files";
import { quantityInputSchema } from "../core/input";
import type { Representative } from "../core/representatives";
import { SimError } from "../core/types";
import type { Entity } from "./book";
import { complianceInstrumentReportXlsx, complianceReportXlsx, entityHoldingsCsv, entityStatementCsv, offsetIssuanceXlsx, transferDetailsCsv } from "./files";
import { parseInstrumentKey } from "./instruments";
import type { CitssRegistry } from "./registry";
import { tradeDataSchema } from "./transfer-rules";
import type { CitssTransfer } from "./transfers";

/**
 * The CITSS simulator's HTTP API: representatives propose, confirm, accept, decline and cancel transfer requests
 * (signed with one-time codes) and download their entity's files; the public downloads CARB-shaped reports. No
 * endpoint answers a holdings or transfer query in JSON: the write responses say what was written, nothing more.
 */
const otp = z.string().optional();
const itemSchema = z.object({ instrument: z.string().min(1), quantity: quantityInputSchema });
const proposeSchema = z.object({
  fromAccount: z.string().min(1),
  toAccount: z.string().min(1),
  items: z.array(itemSchema).min(1),
  trade: tradeDataSchema.optional(),
  reference: z.string().max(256).optional(),
  otp,
});
const decisionSchema = z.object({ transferId: z.string().min(1), otp });
const rangeQuery = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });

export function transferView(t: CitssTransfer) {
  return {
    transferId: t.id,
    kind: t.kind,
    status: t.status,
    fromAccount: t.fromAccount,
    toAccount: t.toAccount,
    items: t.items.map((item) => ({ instrument: item.instrument, quantity: item.quantity.toString() })),
    reference: t.reference,
    proposedBy: t.proposedBy,
    proposedAt: t.proposedAt.toISOString(),
    confirmBy: t.confirmBy.toISOString(),
    acceptBy: t.kind === "TRANSFER" ? t.acceptBy.toISOString() : null,
    confirmedBy: t.confirmedBy ?? null,
    acceptedBy: t.acceptedBy ?? null,
    completedAt: t.completedAt?.toISOString() ?? null,
    reason: t.reason ?? null,
  };
}

export function registerRoutes(app: FastifyInstance, registry: CitssRegistry, context: AllowanceContext): void {
  const me = (request: FastifyRequest): Representative => context.signedIn(request.headers.authorization);
  const viewable = (request: FastifyRequest<{ Params: { entityId: string } }>): Entity => {
    const entity = registry.book.entity(request.params.entityId);
    const representative = me(request);
    if (!entity.representatives.has(representative.id)) throw new SimError(403, "NOT_A_REPRESENTATIVE", `${representative.id} is not a representative of ${entity.id}`);
    return entity;
  };

  app.post("/api/transfers", async (request, reply) => {
    const body = proposeSchema.parse(request.body);
    const transfer = registry.transfers.propose(me(request), { ...body, otp: body.otp });
    return reply.code(201).send(transferView(transfer));
  });
  app.post("/api/transfers.confirm", async (request) => {
    const body = decisionSchema.parse(request.body);
    return transferView(registry.transfers.confirm(me(request), body.transferId, body.otp));
  });
  app.post("/api/transfers.accept", async (request) => {
    const body = decisionSchema.parse(request.body);
    return transferView(registry.transfers.accept(me(request), body.transferId, body.otp, "accept"));
  });
  app.post("/api/transfers.decline", async (request) => {
    const body = decisionSchema.parse(request.body);
    return transferView(registry.transfers.accept(me(request), body.transferId, body.otp, "decline"));
  });
  app.post("/api/transfers.cancel", async (request) => {
    const body = decisionSchema.parse(request.body);
    return transferView(registry.transfers.cancel(me(request), body.transferId, body.otp));
  });

  app.get<{ Params: { entityId: string } }>("/api/entities/:entityId/statement.csv", async (request, reply) => {
    const entity = viewable(request);
    const query = rangeQuery.parse(request.query);
    const range = { from: query.from === undefined ? undefined : new Date(query.from), to: query.to === undefined ? undefined : new Date(query.to) };
    return sendFile(reply, CSV_CONTENT_TYPE, `CITSS_Statement_${entity.id}.csv`, entityStatementCsv(registry, entity, range));
  });
  app.get<{ Params: { entityId: string } }>("/api/entities/:entityId/holdings.csv", async (request, reply) => {
    const entity = viewable(request);
    return sendFile(reply, CSV_CONTENT_TYPE, `CITSS_Holdings_${entity.id}.csv`, entityHoldingsCsv(registry, entity));
  });
  app.get<{ Params: { transferId: string } }>("/api/transfers/:transferId/details.csv", async (request, reply) => {
    const transfer = registry.transfers.transfer(request.params.transferId);
    const representative = me(request);
    const parties = [transfer.fromEntityId, transfer.toEntityId].filter((id): id is string => id !== undefined);
    if (!parties.some((id) => registry.book.entity(id).representatives.has(representative.id))) {
      throw new SimError(403, "NOT_A_REPRESENTATIVE", `${representative.id} represents neither party of ${transfer.id}`);
    }
    return sendFile(reply, CSV_CONTENT_TYPE, `CITSS_Transfer_${transfer.id}.csv`, transferDetailsCsv(transfer));
  });

  app.get("/public/reports/compliance-instrument-report.xlsx", async (_request, reply) =>
    sendFile(reply, XLSX_CONTENT_TYPE, "Compliance_Instrument_Report.xlsx", await complianceInstrumentReportXlsx(registry)),
  );
  app.get("/public/reports/arb-offset-credit-issuance.xlsx", async (_request, reply) =>
    sendFile(reply, XLSX_CONTENT_TYPE, "ARB_Offset_Credit_Issuance.xlsx", await offsetIssuanceXlsx(registry)),
  );
  app.get("/public/reports/compliance-report.xlsx", async (_request, reply) =>
    sendFile(reply, XLSX_CONTENT_TYPE, "Compliance_Report.xlsx", await complianceReportXlsx(registry)),
  );

  registerAdminRoutes(app, registry, context);
}

const entitySchema = z.object({
  jurisdiction: z.enum(["CA", "QC"]),
  name: z.string().min(1),
  entityType: z.enum(["COVERED_ENTITY", "OPT_IN_COVERED_ENTITY", "VOLUNTARILY_ASSOCIATED_ENTITY"]),
  arbGhgId: z.string().optional(),
  holdingLimitExempt: z.boolean().optional(),
  limitedUse: z.boolean().optional(),
  exchangeClearing: z.boolean().optional(),
});
const offsetSchema = z.object({
  issuanceId: z.string().min(1),
  oprProjectId: z.string().min(1),
  earlyAction: z.boolean().default(false),
  reportingPeriodStart: z.iso.date(),
  reportingPeriodEnd: z.iso.date(),
  vintage: z.number().int().min(2005).max(2100),
  issued: quantityInputSchema,
  bufferContribution: quantityInputSchema.or(z.literal(0).transform(() => 0n)).default(0n),
  issuanceDate: z.iso.date(),
  projectName: z.string().default(""),
  operatorName: z.string().default(""),
  operatorEntityId: z.string().min(1),
  verificationBody: z.string().default(""),
  state: z.string().default(""),
  debs: z.boolean().default(false),
});

export function entityView(entity: Entity) {
  return { ...entity, representatives: Object.fromEntries(entity.representatives), emissions: Object.fromEntries(entity.emissions) };
}

/** The jurisdiction's side and test seeding (no credentials). */
function registerAdminRoutes(app: FastifyInstance, registry: CitssRegistry, context: AllowanceContext): void {
  type EntityParams = { Params: { entityId: string } };
  app.post("/_admin/entities", async (request, reply) => reply.code(201).send(entityView(registry.openEntity(entitySchema.parse(request.body)))));
  app.post<EntityParams>("/_admin/entities/:entityId/representatives", async (request) => {
    const body = z.object({ representativeId: z.string().min(1), role: z.enum(["PAR", "AAR", "AVA"]) }).parse(request.body);
    return entityView(registry.appoint(request.params.entityId, body.representativeId, body.role));
  });
  app.post<EntityParams>("/_admin/entities/:entityId/allowances", async (request) => {
    const body = z.object({ instrument: z.string().min(1), quantity: quantityInputSchema, account: z.enum(["GENERAL", "LIMITED_USE"]).default("GENERAL") }).parse(request.body);
    registry.deliverAllowances(request.params.entityId, parseInstrumentKey(body.instrument, "instrument"), body.quantity, body.account);
    return { ok: true };
  });
  app.post<EntityParams>("/_admin/entities/:entityId/emissions", async (request) => {
    const body = z.object({ year: z.number().int().min(2013), emissions: quantityInputSchema }).parse(request.body);
    registry.book.entity(request.params.entityId).emissions.set(body.year, body.emissions);
    return { ok: true };
  });
  app.get<EntityParams>("/_admin/entities/:entityId/compliance", async (request) => {
    registry.book.entity(request.params.entityId);
    return registry.office.of(request.params.entityId);
  });
  app.post("/_admin/offsets", async (request, reply) => reply.code(201).send(registry.issueOffsets(offsetSchema.parse(request.body))));
  app.post<{ Params: { issuanceId: string } }>("/_admin/offsets/:issuanceId/reduce-invalidation-period", async (request) => {
    const { on } = z.object({ on: z.iso.date() }).parse(request.body);
    return registry.offsets.reduceInvalidationPeriod(request.params.issuanceId, on);
  });
  app.post<{ Params: { issuanceId: string } }>("/_admin/offsets/:issuanceId/invalidate", async (request) => registry.invalidate(request.params.issuanceId));
  app.get("/_admin/state", async () => ({
    now: context.clock.now().toISOString(),
    entities: [...registry.book.entities.values()].map(entityView),
    holdings: Object.fromEntries([...registry.book.holdings].map(([account, holdings]) => [account, Object.fromEntries(holdings)])),
    movements: registry.book.movements,
    transfers: [...registry.transfers.transfers.values()].map(transferView),
    issuances: [...registry.offsets.issuances.values()],
    obligations: registry.office.obligations,
  }));
}
