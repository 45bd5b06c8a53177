import { z } from "zod";
import { RegistryProtocolError } from "../errors";
import { createRegistryHttpClient, parseNative } from "../http";
import {
  creditBlockSchema,
  registryChangeSchema,
  registryOperationSchema,
  type BlockStatus,
  type CreditBlock,
  type RegistryOperation,
} from "../model";
import type { ListHoldingsParameters, ListHoldingsReturnType, RegistryPort, RetireParameters } from "../port";
import { parseVerraSerial } from "../serials";
import { verifyRegistryWebhook } from "../webhook";
import { collectPages, narrow, operationByMemo, type SentFilter } from "./common";

/**
 * Verra adapter over the S&P-style report API and the simulator's documented write API. Pages with
 * `limit` ≤ 400 sorted by `entityId` (unsorted paging loses rows), refuses result sets beyond the `start` cap
 * of 10,000 (partition by filter instead), and checks every filter against the rows that came back.
 */
export type VerraAdapterParameters = {
  baseUrl: string;
  /** Rows per page, at most 400. */
  pageSize?: number | undefined;
  timeoutMs?: number | undefined;
  webhookSecret?: string | undefined;
  webhookToleranceSeconds?: number | undefined;
  /** Extra headers, e.g. credentials for a real endpoint. */
  headers?: Record<string, string> | undefined;
};

const REGISTRY = "VERRA";
const MAX_LIMIT = 400;
const MAX_START = 10_000;

const holdingRowSchema = z.looseObject({
  entityId: z.number().int(),
  vcsProjectId: z.string(),
  serialNo: z.string(),
  holdingQuantity: z.number().int().nonnegative(),
  stateCode: z.string(),
  accountId: z.string().optional(),
  parentEntityId: z.number().int().nullable().optional(),
  labels: z.array(z.string()).optional(),
});
const retirementRowSchema = holdingRowSchema.extend({
  beneficialOwner: z.string().nullable(),
  retirementReason: z.string().nullable(),
  retirementReasonDetails: z.string().nullable(),
  retirementRemarks: z.string().nullable(),
  retiredDate: z.string(),
});
const cancellationRowSchema = z.looseObject({ entityId: z.number().int(), serial_no: z.string(), status: z.string() });
const operationRowSchema = z.looseObject({
  operationId: z.string(),
  operationType: z.enum(["TRANSFER", "IMMOBILIZATION", "RETIREMENT"]),
  remarks: z.string(),
  stateCode: z.enum(["PENDING", "COMPLETED", "REJECTED"]),
  sourceEntityId: z.number().int(),
  holdingQuantity: z.number().int(),
  accountId: z.string(),
  destinationAccountId: z.string().nullable(),
  resultEntityIds: z.array(z.number().int()),
  beneficialOwner: z.string().nullable(),
  retirementReason: z.string().nullable(),
  retirementReasonDetails: z.string().nullable(),
  rejectionReason: z.string().nullable(),
});
const eventRowSchema = z.looseObject({
  entityId: z.number().int(),
  eventId: z.string(),
  eventType: z.string(),
  occurredDate: z.string(),
  operationId: z.string().nullable(),
  remarks: z.string().nullable(),
  entityIds: z.array(z.number().int()),
});
const searchAnswerSchema = z.object({ entities: z.array(z.unknown()), totalEntities: z.number().int().nonnegative() });

const STATUS: Record<string, BlockStatus> = {
  ISSUED: "ACTIVE",
  IMMOBILIZED: "IMMOBILIZED",
  ON_HOLD: "ON_HOLD",
  RETIRED: "RETIRED",
  CANCELLED: "CANCELLED",
  Cancelled: "CANCELLED",
};
const KIND = { TRANSFER: "TRANSFER", IMMOBILIZATION: "IMMOBILIZE", RETIREMENT: "RETIRE" } as const;
const OP_STATUS = { PENDING: "PENDING", COMPLETED: "CONFIRMED", REJECTED: "REJECTED" } as const;

type Filter = { filter: string | number; type?: string };

export function createVerraAdapter(params: VerraAdapterParameters): RegistryPort {
  const pageSize = Math.min(params.pageSize ?? MAX_LIMIT, MAX_LIMIT);
  const http = createRegistryHttpClient({
    registry: REGISTRY,
    baseUrl: params.baseUrl,
    timeoutMs: params.timeoutMs,
    headers: params.headers,
  });

  /** Every row of a report for the filters, in entityId order, counted against totalEntities. */
  async function search(path: string, filterModel: Record<string, Filter>) {
    return collectPages({
      registry: REGISTRY,
      what: path,
      maxPages: Math.floor(MAX_START / pageSize) + 1,
      fetchPage: async (index) => {
        const body = {
          searchFilter: {
            pagination: { start: index * pageSize, limit: pageSize, sortOptions: [{ sort: "entityId", dir: "ASC" }] },
            filterModel,
          },
        };
        const answer = parseNative(
          REGISTRY,
          searchAnswerSchema,
          (await http.request({ method: "POST", path, json: body })).body,
          path,
        );
        return { rows: answer.entities, total: answer.totalEntities };
      },
    });
  }
  const report = (name: string) => `raas-report-api/es/public/${name}/publicReportPageSearch`;
  const platform = (name: string) => `raas-write-api/platform/${name}`;

  /** `sourcePayload` defaults to the row itself; a cancellation is read through a holding-shaped view of it. */
  function toBlock(raw: unknown, kind: "holding" | "retirement", sourcePayload: unknown = raw): CreditBlock {
    return rowToBlock(
      parseNative(REGISTRY, kind === "holding" ? holdingRowSchema : retirementRowSchema, raw, `${kind} row`),
      sourcePayload,
    );
  }

  function rowToBlock(row: z.output<typeof holdingRowSchema>, sourcePayload: unknown): CreditBlock {
    const serial = parseVerraSerial(row.serialNo);
    if (BigInt(row.holdingQuantity) !== serial.quantity) {
      throw new RegistryProtocolError(
        `VERRA row ${row.entityId}: holdingQuantity ${row.holdingQuantity} disagrees with serial ${row.serialNo}`,
        { registry: REGISTRY },
      );
    }
    const retired = "retiredDate" in row ? (row as z.output<typeof retirementRowSchema>) : undefined;
    return creditBlockSchema.parse({
      registry: REGISTRY,
      registryRecordId: String(row.entityId),
      serial: serial.serial,
      serialPrefix: serial.serialPrefix,
      blockStart: serial.blockStart,
      blockEnd: serial.blockEnd,
      quantity: serial.quantity,
      unitType: "VCU",
      unitMetric: "tCO2e",
      projectId: row.vcsProjectId,
      issuanceBatch: serial.issuanceBatch,
      vintageStart: serial.vintageStart,
      vintageEnd: serial.vintageEnd,
      country: serial.country,
      status: STATUS[row.stateCode] ?? "ON_HOLD",
      nativeStatus: row.stateCode,
      holderAccount: row.accountId,
      retirement: retired && {
        beneficiary: retired.beneficialOwner ?? undefined,
        reason: retired.retirementReason ?? undefined,
        details: retired.retirementReasonDetails ?? undefined,
        memo: retired.retirementRemarks ?? undefined,
      },
      labels: [...(serial.additionalCertification ? ["ADDITIONAL_CERTIFICATION"] : []), ...(row.labels ?? [])],
      parentBlock: row.parentEntityId == null ? undefined : String(row.parentEntityId),
      sourcePayload,
    });
  }

  function toOperation(raw: unknown): RegistryOperation {
    const row = parseNative(REGISTRY, operationRowSchema, raw, "operation row");
    const kind = KIND[row.operationType];
    return registryOperationSchema.parse({
      registry: REGISTRY,
      operationId: row.operationId,
      kind,
      status: OP_STATUS[row.stateCode],
      memo: row.remarks,
      quantity: String(row.holdingQuantity),
      fromAccount: row.accountId,
      toAccount: row.destinationAccountId ?? undefined,
      sourceRecordId: String(row.sourceEntityId),
      resultRecordIds: row.resultEntityIds.map(String),
      retirement:
        kind === "RETIRE"
          ? {
              beneficiary: row.beneficialOwner ?? undefined,
              reason: row.retirementReason ?? undefined,
              details: row.retirementReasonDetails ?? undefined,
              memo: row.remarks,
            }
          : undefined,
      rejectionReason: row.rejectionReason ?? undefined,
      sourcePayload: raw,
    });
  }

  async function write(name: string, json: unknown): Promise<RegistryOperation> {
    return toOperation((await http.request({ method: "POST", path: platform(name), json })).body);
  }

  async function listHoldings({ account, projectId }: ListHoldingsParameters): Promise<ListHoldingsReturnType> {
    const filterModel: Record<string, Filter> = { accountId: { filter: account, type: "equals" } };
    const checks: SentFilter<z.output<typeof holdingRowSchema>>[] = [
      { name: "accountId", test: (row) => row.accountId === account },
    ];
    if (projectId !== undefined) {
      filterModel.vcsProjectId = { filter: projectId, type: "equals" };
      checks.push({ name: "vcsProjectId", test: (row) => row.vcsProjectId === projectId });
    }
    const page = await search(report("holdings"), filterModel);
    const rows = page.rows.map((raw) => ({ raw, row: parseNative(REGISTRY, holdingRowSchema, raw, "holding row") }));
    const narrowed = narrow(
      rows,
      checks.map((check) => ({ name: check.name, test: (entry: (typeof rows)[number]) => check.test(entry.row) })),
    );
    return {
      blocks: narrowed.rows.map((entry) => rowToBlock(entry.row, entry.raw)),
      registryTotal: page.total,
      ignoredFilters: narrowed.ignoredFilters,
    };
  }

  async function findIn(name: string, recordId: string) {
    const page = await search(report(name), { entityId: { filter: Number(recordId), type: "equals" } });
    return page.rows.find((row) => (row as { entityId?: unknown }).entityId === Number(recordId));
  }

  return {
    registry: REGISTRY,
    listHoldings,
    async getBlock(recordId) {
      if (!/^[0-9]+$/.test(recordId)) return undefined; // Verra entityIds are numbers
      const holding = await findIn("holdings", recordId);
      if (holding !== undefined) return toBlock(holding, "holding");
      const retired = await findIn("retirements", recordId);
      if (retired !== undefined) return toBlock({ ...(retired as object), stateCode: "RETIRED" }, "retirement");
      const cancelled = await findIn("cancellations", recordId);
      if (cancelled === undefined) return undefined;
      const row = parseNative(REGISTRY, cancellationRowSchema, cancelled, "cancellation row");
      const serial = parseVerraSerial(row.serial_no);
      return toBlock(
        {
          entityId: row.entityId,
          vcsProjectId: serial.projectId,
          serialNo: row.serial_no,
          holdingQuantity: Number(serial.quantity),
          stateCode: "CANCELLED",
        },
        "holding",
        cancelled,
      );
    },
    transfer: (p) =>
      write("transfers", {
        accountId: p.fromAccount,
        entityId: Number(p.recordId),
        quantity: p.quantity,
        destinationAccountId: p.toAccount,
        remarks: p.memo,
      }),
    immobilize: (p) =>
      write("immobilizations", { accountId: p.account, entityId: Number(p.recordId), quantity: p.quantity, remarks: p.memo }),
    retire: (p: RetireParameters) =>
      write("retirements", {
        accountId: p.account,
        entityId: Number(p.recordId),
        quantity: p.quantity,
        beneficialOwner: p.beneficiary,
        retirementReason: p.reason,
        retirementReasonDetails: p.details,
        retirementRemarks: p.memo,
      }),
    async findOperationByMemo(memo) {
      const page = await search(`raas-write-api/platform/operations/publicReportPageSearch`, {
        remarks: { filter: memo, type: "equals" },
      });
      return operationByMemo(page.rows.map(toOperation), memo);
    },
    async pollChanges(cursor = "0") {
      const page = await search(`raas-write-api/platform/events/publicReportPageSearch`, {
        entityId: { filter: Number(cursor), type: "greaterThan" },
      });
      const rows = page.rows
        .map((raw) => ({ raw, row: parseNative(REGISTRY, eventRowSchema, raw, "event row") }))
        .filter((e) => e.row.entityId > Number(cursor));
      const changes = rows.map(({ raw, row }) =>
        registryChangeSchema.parse({
          registry: REGISTRY,
          eventId: row.eventId,
          sequence: String(row.entityId),
          type: row.eventType,
          occurredAt: row.occurredDate,
          operationId: row.operationId ?? undefined,
          memo: row.remarks ?? undefined,
          recordIds: row.entityIds.map(String),
          sourcePayload: raw,
        }),
      );
      const last = rows.at(-1)?.row.entityId;
      return { changes, cursor: last === undefined ? cursor : String(last) };
    },
    verifyWebhook: (headers, rawBody) =>
      verifyRegistryWebhook({
        registry: REGISTRY,
        secret: params.webhookSecret,
        toleranceSeconds: params.webhookToleranceSeconds,
        headers,
        rawBody,
      }),
  };
}
