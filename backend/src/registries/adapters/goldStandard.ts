import { z } from "zod";
import { RegistryProtocolError } from "../errors";
import { createRegistryHttpClient, parseNative, type RegistryResponse } from "../http";
import { creditBlockSchema, registryOperationSchema, type BlockStatus, type CreditBlock, type RegistryOperation } from "../model";
import type { ListHoldingsParameters, ListHoldingsReturnType, RegistryPort } from "../port";
import { parseGoldStandardSerial } from "../serials";
import { verifyRegistryWebhook } from "../webhook";
import { collectPages, eventsToChanges, narrowHoldings, operationByMemo, unlessNotFound } from "./common";

/**
 * Gold Standard adapter. Sends a browser-like User-Agent (anything else gets 403), pages `/credits`-style
 * listings with size ≤ 25 (more gets 403), reads totals from `X-Total-Count`, and narrows by project with
 * `query=` (the only filter the registry honours; `project_id` is ignored), checking each row afterwards.
 */
export type GoldStandardAdapterParameters = {
  baseUrl: string;
  /** Items per page, at most 25. */
  pageSize?: number | undefined;
  timeoutMs?: number | undefined;
  userAgent?: string | undefined;
  webhookSecret?: string | undefined;
  webhookToleranceSeconds?: number | undefined;
  headers?: Record<string, string> | undefined;
};

const REGISTRY = "GOLD_STANDARD";
const MAX_PAGE = 25;
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) CarbonCustody/0.1";

const creditSchema = z.looseObject({
  id: z.string(),
  number_of_credits: z.number().int().positive(),
  starting_credit_number: z.number().int().nullable(),
  ending_credit_number: z.number().int().nullable(),
  serial_number: z.string(),
  status: z.string(),
  is_corsia_eligible: z.boolean(),
  note: z.string().nullable(),
  using_entity: z.string().nullable().optional(),
  retirement_reason: z.string().nullable().optional(),
  account_id: z.string().optional(),
  parent_id: z.string().nullable().optional(),
  project: z.looseObject({ id: z.number().int() }),
  labels: z.array(z.string()),
});
const operationSchema = z.looseObject({
  id: z.string(),
  type: z.enum(["transfer", "immobilization", "retirement"]),
  status: z.enum(["pending", "completed", "rejected"]),
  credit_id: z.string(),
  number_of_credits: z.number().int(),
  account_id: z.string(),
  destination_account_id: z.string().nullable(),
  using_entity: z.string().nullable(),
  retirement_reason: z.string().nullable(),
  note: z.string(),
  result_credit_ids: z.array(z.string()),
  rejection_reason: z.string().nullable(),
});

const STATUS: Record<string, BlockStatus> = {
  ISSUED: "ACTIVE",
  IMMOBILIZED: "IMMOBILIZED",
  ON_HOLD: "ON_HOLD",
  RETIRED: "RETIRED",
  CANCELLED: "CANCELLED",
};
const KIND = { transfer: "TRANSFER", immobilization: "IMMOBILIZE", retirement: "RETIRE" } as const;
const OP_STATUS = { pending: "PENDING", completed: "CONFIRMED", rejected: "REJECTED" } as const;

function totalOf(response: RegistryResponse): number {
  const text = response.headers.get("x-total-count");
  if (text === null || !/^[0-9]+$/.test(text)) throw new RegistryProtocolError("GOLD_STANDARD: missing X-Total-Count", { registry: REGISTRY });
  return Number(text);
}

export function toGoldStandardBlock(raw: unknown): CreditBlock {
  const item = parseNative(REGISTRY, creditSchema, raw, "credit item");
  const serial = parseGoldStandardSerial(item.serial_number);
  const blockStart =
    serial.blockStart ?? (item.starting_credit_number === null ? undefined : BigInt(item.starting_credit_number));
  const blockEnd = serial.blockEnd ?? (item.ending_credit_number === null ? undefined : BigInt(item.ending_credit_number));
  const retired = item.status === "RETIRED";
  return creditBlockSchema.parse({
    registry: REGISTRY,
    registryRecordId: item.id,
    serial: serial.serial,
    serialPrefix: serial.serialPrefix,
    blockStart,
    blockEnd,
    quantity: String(item.number_of_credits),
    unitType: "VER",
    unitMetric: "tCO2e",
    projectId: serial.projectId,
    issuanceBatch: serial.issuanceBatch,
    vintageStart: serial.vintageStart,
    vintageEnd: serial.vintageEnd,
    country: serial.country,
    status: STATUS[item.status] ?? "ON_HOLD",
    nativeStatus: item.status,
    holderAccount: item.account_id,
    retirement: retired
      ? { beneficiary: item.using_entity ?? undefined, reason: item.retirement_reason ?? undefined, memo: item.note ?? undefined }
      : undefined,
    labels: [...item.labels, ...(item.is_corsia_eligible ? ["CORSIA"] : [])],
    parentBlock: item.parent_id ?? undefined,
    sourcePayload: raw,
  });
}

function toOperation(raw: unknown): RegistryOperation {
  const op = parseNative(REGISTRY, operationSchema, raw, "operation");
  const kind = KIND[op.type];
  return registryOperationSchema.parse({
    registry: REGISTRY,
    operationId: op.id,
    kind,
    status: OP_STATUS[op.status],
    memo: op.note,
    quantity: String(op.number_of_credits),
    fromAccount: op.account_id,
    toAccount: op.destination_account_id ?? undefined,
    sourceRecordId: op.credit_id,
    resultRecordIds: op.result_credit_ids,
    retirement:
      kind === "RETIRE"
        ? { beneficiary: op.using_entity ?? undefined, reason: op.retirement_reason ?? undefined, memo: op.note }
        : undefined,
    rejectionReason: op.rejection_reason ?? undefined,
    sourcePayload: raw,
  });
}

export function createGoldStandardAdapter(params: GoldStandardAdapterParameters): RegistryPort {
  const size = Math.min(params.pageSize ?? MAX_PAGE, MAX_PAGE);
  const http = createRegistryHttpClient({
    registry: REGISTRY,
    baseUrl: params.baseUrl,
    timeoutMs: params.timeoutMs,
    headers: { "user-agent": params.userAgent ?? BROWSER_UA, ...params.headers },
  });
  const list = (path: string, query: Record<string, string | undefined>) =>
    collectPages({
      registry: REGISTRY,
      what: path,
      fetchPage: async (index) => {
        const response = await http.request({ method: "GET", path, query: { ...query, page: index + 1, size } });
        return { rows: parseNative(REGISTRY, z.array(z.unknown()), response.body, path), total: totalOf(response) };
      },
    });
  const accountPath = (account: string) => `accounts/${encodeURIComponent(account)}`;
  const write = async (account: string, name: string, json: unknown) =>
    toOperation((await http.request({ method: "POST", path: `${accountPath(account)}/${name}`, json })).body);

  async function listHoldings({ account, projectId }: ListHoldingsParameters): Promise<ListHoldingsReturnType> {
    // `-GS{id}-` appears only in serials of that project; the match is still checked row by row below.
    const query = projectId === undefined ? undefined : `-GS${projectId}-`;
    const page = await list(`${accountPath(account)}/credits`, { query });
    return narrowHoldings({ rows: page.rows.map(toGoldStandardBlock), total: page.total }, account, projectId, "query");
  }

  return {
    registry: REGISTRY,
    listHoldings,
    getBlock: (recordId) =>
      unlessNotFound(async () =>
        toGoldStandardBlock((await http.request({ method: "GET", path: `credits/${encodeURIComponent(recordId)}` })).body),
      ),
    transfer: (p) =>
      write(p.fromAccount, "transfers", {
        credit_id: p.recordId,
        number_of_credits: p.quantity,
        destination_account_id: p.toAccount,
        note: p.memo,
      }),
    immobilize: (p) =>
      write(p.account, "immobilizations", { credit_id: p.recordId, number_of_credits: p.quantity, note: p.memo }),
    retire: (p) =>
      write(p.account, "retirements", {
        credit_id: p.recordId,
        number_of_credits: p.quantity,
        using_entity: p.beneficiary,
        retirement_reason: p.reason,
        note: p.memo,
      }),
    async findOperationByMemo(memo) {
      const page = await list("operations", { note: memo });
      return operationByMemo(page.rows.map(toOperation).reverse(), memo); // listed newest first
    },
    async pollChanges(cursor = "0") {
      const page = await list("events", { after: cursor });
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
