import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { quantityInputSchema } from "../core/input";
import { createSimulator, type RunningSimulator, type SimulatorContext, type SimulatorOptions } from "../core/simulator";
import { SimError } from "../core/types";
import { cancellationRow, eventRow, holdingRow, issuanceRow, operationRow, retirementRow } from "./rows";
import { searchRows, type Row } from "./search";

/**
 * Verra simulator: the S&P-style public report API (`/raas-report-api/es/public/{report}/publicReportPageSearch`)
 * plus our own documented write API for platforms (`/raas-write-api/platform/...`, see simulators/README.md).
 * Record ids (`entityId`) are numbers.
 */
export type VerraSimulatorOptions = SimulatorOptions & {
  /** Headers every API call must carry; a call without them gets a generic 500 (uncertain which: we chose these). */
  requiredHeaders?: string[] | undefined;
};

export const VERRA_REQUIRED_HEADERS = ["accept", "content-type"];
const REPORT_PREFIX = "/raas-report-api/es/public";
const WRITE_PREFIX = "/raas-write-api/platform";

type Report = { rows: (context: SimulatorContext) => Row[]; filters: readonly string[] };

const REPORTS: Record<string, Report> = {
  project: {
    rows: ({ ledger }) =>
      [...ledger.projects.values()].map((p) => ({
        entityId: Number(p.id),
        resourceIdentifier: p.id,
        resourceName: p.name,
        country: p.country,
        ...p.attributes,
      })),
    filters: ["resourceIdentifier", "country"],
  },
  issuances: {
    rows: ({ ledger }) => [...ledger.blocks.values()].map((b) => issuanceRow(ledger, b)),
    filters: ["vcsProjectId", "serialNo", "countryName", "vintage", "entityId"],
  },
  holdings: {
    rows: ({ ledger }) => ledger.liveBlocks().map((b) => holdingRow(ledger, b)),
    filters: ["accountId", "vcsProjectId", "serialNo", "entityId", "stateCode"],
  },
  retirements: {
    rows: ({ ledger }) => [...ledger.blocks.values()].filter((b) => b.status === "RETIRED").map((b) => retirementRow(ledger, b)),
    filters: ["accountId", "retirementRemarks", "serialNo", "entityId", "vcsProjectId"],
  },
  cancellations: {
    rows: ({ ledger }) => [...ledger.blocks.values()].filter((b) => b.status === "CANCELLED").map(cancellationRow),
    filters: ["serial_no", "entityId"],
  },
  operations: {
    rows: ({ ledger }) => [...ledger.operations.values()].map(operationRow),
    filters: ["remarks", "operationId", "stateCode", "sourceEntityId"],
  },
  events: { rows: ({ ledger }) => ledger.events.map(eventRow), filters: ["entityId"] },
};

const writeBase = z.object({
  accountId: z.string().min(1),
  entityId: z.union([z.number().int(), z.string().regex(/^[0-9]+$/)]).transform(String),
  quantity: quantityInputSchema,
});
const transferSchema = writeBase.extend({ destinationAccountId: z.string().min(1), remarks: z.string().min(1) });
const immobilizeSchema = writeBase.extend({ remarks: z.string().min(1) });
const retireSchema = writeBase.extend({
  beneficialOwner: z.string().optional(),
  retirementReason: z.string().optional(),
  retirementReasonDetails: z.string().optional(),
  retirementRemarks: z.string().min(1),
});

function renderError(reply: FastifyReply, error: SimError): FastifyReply {
  // Verra answers server faults with a bare generic body; everything else carries the message.
  const body = error.status >= 500 ? { message: "Internal Server Error" } : { message: error.message, errorCode: error.code };
  return reply.code(error.status).send(error.status === 503 ? { message: error.message } : body);
}

function routes(required: string[]) {
  return (app: FastifyInstance, context: SimulatorContext) => {
    const checkHeaders = async (request: FastifyRequest) => {
      const missing = required.filter((name) => !String(request.headers[name] ?? "").includes("application/json"));
      if (missing.length > 0) throw new SimError(500, "MISSING_HEADER", `missing ${missing.join(", ")}`);
    };
    app.post<{ Params: { report: string } }>(
      `${REPORT_PREFIX}/:report/publicReportPageSearch`,
      { onRequest: checkHeaders },
      async (request) => {
        const report = REPORTS[request.params.report];
        if (report === undefined || request.params.report === "operations" || request.params.report === "events") {
          throw new SimError(404, "NOT_FOUND", `no report ${request.params.report}`);
        }
        return searchRows(report.rows(context), request.body, report.filters, context.ignoredFilters);
      },
    );
    for (const name of ["operations", "events"] as const) {
      const report = REPORTS[name]!;
      app.post(`${WRITE_PREFIX}/${name}/publicReportPageSearch`, { onRequest: checkHeaders }, async (request) =>
        searchRows(report.rows(context), request.body, report.filters, context.ignoredFilters),
      );
    }
    const accepted = (reply: FastifyReply, operation: Parameters<typeof operationRow>[0]) =>
      reply.code(202).send(operationRow(operation));
    app.post(`${WRITE_PREFIX}/transfers`, { onRequest: checkHeaders }, async (request, reply) => {
      const body = transferSchema.parse(request.body);
      const op = context.ledger.submit({
        kind: "TRANSFER",
        memo: body.remarks,
        blockId: body.entityId,
        quantity: body.quantity,
        actingAccount: body.accountId,
        toAccount: body.destinationAccountId,
      });
      return accepted(reply, op);
    });
    app.post(`${WRITE_PREFIX}/immobilizations`, { onRequest: checkHeaders }, async (request, reply) => {
      const body = immobilizeSchema.parse(request.body);
      const op = context.ledger.submit({
        kind: "IMMOBILIZE",
        memo: body.remarks,
        blockId: body.entityId,
        quantity: body.quantity,
        actingAccount: body.accountId,
      });
      return accepted(reply, op);
    });
    app.post(`${WRITE_PREFIX}/retirements`, { onRequest: checkHeaders }, async (request, reply) => {
      const body = retireSchema.parse(request.body);
      const op = context.ledger.submit({
        kind: "RETIRE",
        memo: body.retirementRemarks,
        blockId: body.entityId,
        quantity: body.quantity,
        actingAccount: body.accountId,
        retirement: { beneficiary: body.beneficialOwner, reason: body.retirementReason, details: body.retirementReasonDetails },
      });
      return accepted(reply, op);
    });
  };
}

export async function startVerraSimulator(options: VerraSimulatorOptions = {}): Promise<RunningSimulator> {
  return createSimulator({
    registry: "VERRA",
    options,
    routes: routes(options.requiredHeaders ?? VERRA_REQUIRED_HEADERS),
    renderError,
  });
}
