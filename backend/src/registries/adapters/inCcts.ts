import { z } from "zod";
import { RegistryProtocolError } from "../errors";
import { createRegistryHttpClient, parseNative } from "../http";
import {
  creditBlockSchema,
  decimalBigintSchema,
  registryOperationSchema,
  type BlockStatus,
  type CreditBlock,
  type RegistryOperation,
} from "../model";
import type { ListHoldingsParameters, ListHoldingsReturnType, RegistryPort } from "../port";
import { parseInCctsSerial } from "../serials";
import { verifyRegistryWebhook } from "../webhook";
import { collectPages, eventsToChanges, narrowHoldings, operationByMemo, unlessNotFound } from "./common";

/**
 * India CCTS adapter, against the API our simulator defines (no public Grid-India API is documented; see
 * simulators/README.md). `projectId` is the issuing entity's registration id. Retirement uses the surrender
 * endpoint: `reason` `COMPLIANCE_SURRENDER` surrenders against the entity's target, anything else is a
 * voluntary retirement.
 */
export type InCctsAdapterParameters = {
  baseUrl: string;
  apiKey: string;
  pageSize?: number | undefined;
  timeoutMs?: number | undefined;
  webhookSecret?: string | undefined;
  webhookToleranceSeconds?: number | undefined;
};

const REGISTRY = "IN_CCTS";
const MAX_PAGE_SIZE = 100;
const API = "api/v1";

const certificateSchema = z.looseObject({
  certificateId: z.string(),
  serialNumber: z.string(),
  quantity: decimalBigintSchema,
  entityRegistrationId: z.string(),
  status: z.string(),
  accountId: z.string(),
  parentCertificateId: z.string().nullable(),
  surrender: z.looseObject({ purpose: z.string(), beneficiary: z.string().nullable(), memo: z.string() }).nullable(),
});
const operationSchema = z.looseObject({
  operationId: z.string(),
  type: z.enum(["TRANSFER", "LOCK", "SURRENDER"]),
  status: z.enum(["PENDING", "CONFIRMED", "REJECTED"]),
  certificateId: z.string(),
  quantity: decimalBigintSchema,
  fromAccountId: z.string(),
  toAccountId: z.string().nullable(),
  purpose: z.string().nullable(),
  beneficiary: z.string().nullable(),
  memo: z.string(),
  resultCertificateIds: z.array(z.string()),
  rejectionReason: z.string().nullable(),
});
const pageSchema = z.object({ data: z.array(z.unknown()), meta: z.object({ total: z.number().int().nonnegative() }) });

const STATUS: Record<string, BlockStatus> = {
  ACTIVE: "ACTIVE",
  LOCKED: "IMMOBILIZED",
  ON_HOLD: "ON_HOLD",
  SURRENDERED: "RETIRED",
  RETIRED: "RETIRED",
  CANCELLED: "CANCELLED",
};
const KIND = { TRANSFER: "TRANSFER", LOCK: "IMMOBILIZE", SURRENDER: "RETIRE" } as const;

function toBlock(raw: unknown): CreditBlock {
  const c = parseNative(REGISTRY, certificateSchema, raw, "certificate");
  const serial = parseInCctsSerial(c.serialNumber);
  if (serial.quantity !== c.quantity || serial.entityRegistrationId !== c.entityRegistrationId) {
    throw new RegistryProtocolError(`IN_CCTS certificate ${c.certificateId}: fields disagree with serial ${c.serialNumber}`, {
      registry: REGISTRY,
    });
  }
  return creditBlockSchema.parse({
    registry: REGISTRY,
    registryRecordId: c.certificateId,
    serial: serial.serial,
    serialPrefix: serial.serialPrefix,
    blockStart: serial.blockStart,
    blockEnd: serial.blockEnd,
    quantity: serial.quantity,
    unitType: "CCC",
    unitMetric: "tCO2e",
    projectId: serial.projectId,
    issuanceBatch: serial.issuanceBatch,
    vintageStart: serial.vintageStart,
    vintageEnd: serial.vintageEnd,
    country: "IN",
    status: STATUS[c.status] ?? "ON_HOLD",
    nativeStatus: c.status,
    holderAccount: c.accountId,
    retirement:
      c.surrender === null
        ? undefined
        : { beneficiary: c.surrender.beneficiary ?? undefined, reason: c.surrender.purpose, memo: c.surrender.memo },
    labels: [],
    parentBlock: c.parentCertificateId ?? undefined,
    sourcePayload: raw,
  });
}

function toOperation(raw: unknown): RegistryOperation {
  const op = parseNative(REGISTRY, operationSchema, raw, "operation");
  const kind = KIND[op.type];
  return registryOperationSchema.parse({
    registry: REGISTRY,
    operationId: op.operationId,
    kind,
    status: op.status,
    memo: op.memo,
    quantity: op.quantity,
    fromAccount: op.fromAccountId,
    toAccount: op.toAccountId ?? undefined,
    sourceRecordId: op.certificateId,
    resultRecordIds: op.resultCertificateIds,
    retirement:
      kind === "RETIRE"
        ? { beneficiary: op.beneficiary ?? undefined, reason: op.purpose ?? undefined, memo: op.memo }
        : undefined,
    rejectionReason: op.rejectionReason ?? undefined,
    sourcePayload: raw,
  });
}

export function createInCctsAdapter(params: InCctsAdapterParameters): RegistryPort {
  const pageSize = Math.min(params.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const http = createRegistryHttpClient({
    registry: REGISTRY,
    baseUrl: params.baseUrl,
    timeoutMs: params.timeoutMs,
    headers: { "x-api-key": params.apiKey },
  });
  const list = (path: string, query: Record<string, string | undefined>) =>
    collectPages({
      registry: REGISTRY,
      what: path,
      fetchPage: async (index) => {
        const page = parseNative(
          REGISTRY,
          pageSchema,
          (await http.request({ method: "GET", path, query: { ...query, page: index + 1, pageSize } })).body,
          path,
        );
        return { rows: page.data, total: page.meta.total };
      },
    });
  const write = async (name: string, json: unknown) =>
    toOperation((await http.request({ method: "POST", path: `${API}/${name}`, json })).body);

  async function listHoldings({ account, projectId }: ListHoldingsParameters): Promise<ListHoldingsReturnType> {
    const page = await list(`${API}/accounts/${encodeURIComponent(account)}/holdings`, { entityRegistrationId: projectId });
    return narrowHoldings({ rows: page.rows.map(toBlock), total: page.total }, account, projectId, "entityRegistrationId");
  }

  return {
    registry: REGISTRY,
    listHoldings,
    getBlock: (recordId) =>
      unlessNotFound(async () =>
        toBlock((await http.request({ method: "GET", path: `${API}/certificates/${encodeURIComponent(recordId)}` })).body),
      ),
    transfer: (p) =>
      write("transfers", {
        fromAccountId: p.fromAccount,
        toAccountId: p.toAccount,
        certificateId: p.recordId,
        quantity: p.quantity.toString(),
        memo: p.memo,
      }),
    immobilize: (p) =>
      write("locks", { accountId: p.account, certificateId: p.recordId, quantity: p.quantity.toString(), memo: p.memo }),
    retire: (p) =>
      write("surrenders", {
        accountId: p.account,
        certificateId: p.recordId,
        quantity: p.quantity.toString(),
        memo: p.memo,
        purpose: p.reason === "COMPLIANCE_SURRENDER" ? "COMPLIANCE_SURRENDER" : "VOLUNTARY_RETIREMENT",
        beneficiary: p.beneficiary,
      }),
    async findOperationByMemo(memo) {
      const page = await list(`${API}/operations`, { memo });
      return operationByMemo(page.rows.map(toOperation), memo);
    },
    async pollChanges(cursor = "0") {
      const page = await list(`${API}/events`, { after: cursor });
      return eventsToChanges(REGISTRY, page.rows, cursor);
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
