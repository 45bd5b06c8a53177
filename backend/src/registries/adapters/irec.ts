import { z } from "zod";
import { RegistryRejectedError } from "../errors";
import { createRegistryHttpClient, parseNative, type RegistryRequest } from "../http";
import { creditBlockSchema, registryOperationSchema, type BlockStatus, type CreditBlock, type RegistryOperation } from "../model";
import type { ListHoldingsParameters, ListHoldingsReturnType, RegistryPort, RetireParameters } from "../port";
import { verifyRegistryWebhook } from "../webhook";
import { collectPages, eventsToChanges, narrowHoldings, operationByMemo, unlessNotFound } from "./common";

/**
 * I-REC (Evident) adapter. OAuth2 password grant (`POST /api/token`), token cached until shortly before expiry
 * and fetched again once on a 401. Retirement is redemption; `redeem` also returns the certificate numbers and the
 * verification url/key. Items carry no unit range: canonical blocks have quantity (MWh) but no blockStart/End.
 */
export type IrecAdapterParameters = {
  baseUrl: string;
  username: string;
  password: string;
  /** Redemption account the redeemed certificates go to (I-REC moves them to a Redemption account). */
  redemptionAccount?: string | undefined;
  pageSize?: number | undefined;
  timeoutMs?: number | undefined;
  webhookSecret?: string | undefined;
  webhookToleranceSeconds?: number | undefined;
};

export type RedeemReturnType = {
  operation: RegistryOperation;
  certificates: Array<{ itemCode: string; startCertNum: string; endCertNum: string; volume: bigint }>;
  verificationUrl: string;
  verificationKey: string;
};

export type IrecPort = RegistryPort & { redeem(params: RetireParameters): Promise<RedeemReturnType> };

const REGISTRY = "IREC";
const MAX_LIMIT = 100;
const API = "api/irec/v1";

const tokenSchema = z.object({ access_token: z.string(), token_type: z.string(), expires_in: z.number() });
const itemSchema = z.looseObject({
  code: z.string(),
  volume: z.number().int().positive(),
  start_date: z.iso.date(),
  end_date: z.iso.date(),
  device: z.looseObject({ code: z.string(), name: z.string() }),
  country: z.string(),
  status: z.string(),
  account_code: z.string(),
  parent_code: z.string().nullable(),
  redemption: z
    .looseObject({ beneficiary_id: z.string().nullable(), purpose: z.string().nullable(), notes: z.string() })
    .nullable(),
});
const operationSchema = z.looseObject({
  code: z.string(),
  type: z.enum(["Transfer", "Immobilisation", "Redemption"]),
  status: z.enum(["Pending", "Completed", "Rejected"]),
  source_account_code: z.string(),
  destination_account_code: z.string().nullable(),
  reservation_items: z.array(z.object({ item_code: z.string(), amount: z.number().int() })).length(1),
  notes: z.string(),
  beneficiary_id: z.string().nullable(),
  purpose: z.string().nullable(),
  result_item_codes: z.array(z.string()),
  rejection_reason: z.string().nullable(),
});
const redemptionSchema = z.looseObject({
  items: z.record(z.string(), z.object({ start_cert_num: z.string(), end_cert_num: z.string(), volume: z.number().int() })),
  verification_url: z.string(),
  verification_key: z.string(),
});
const pageSchema = z.object({ total: z.number().int().nonnegative(), items: z.array(z.unknown()) });

const STATUS: Record<string, BlockStatus> = {
  Active: "ACTIVE",
  Immobilised: "IMMOBILIZED",
  OnHold: "ON_HOLD",
  Redeemed: "RETIRED",
  Cancelled: "CANCELLED",
};
const KIND = { Transfer: "TRANSFER", Immobilisation: "IMMOBILIZE", Redemption: "REDEEM" } as const;
const OP_STATUS = { Pending: "PENDING", Completed: "CONFIRMED", Rejected: "REJECTED" } as const;

function toBlock(raw: unknown): CreditBlock {
  const item = parseNative(REGISTRY, itemSchema, raw, "item");
  return creditBlockSchema.parse({
    registry: REGISTRY,
    registryRecordId: item.code,
    serial: item.code,
    serialPrefix: item.code,
    quantity: String(item.volume),
    unitType: "I-REC(E)",
    unitMetric: "MWh",
    projectId: item.device.code,
    vintageStart: item.start_date,
    vintageEnd: item.end_date,
    country: item.country,
    status: STATUS[item.status] ?? "ON_HOLD",
    nativeStatus: item.status,
    holderAccount: item.account_code,
    retirement:
      item.redemption === null
        ? undefined
        : {
            beneficiary: item.redemption.beneficiary_id ?? undefined,
            reason: item.redemption.purpose ?? undefined,
            memo: item.redemption.notes,
          },
    labels: [],
    parentBlock: item.parent_code ?? undefined,
    sourcePayload: raw,
  });
}

function toOperation(raw: unknown): RegistryOperation {
  const op = parseNative(REGISTRY, operationSchema, raw, "operation");
  const reserved = op.reservation_items[0]!;
  const kind = KIND[op.type];
  return registryOperationSchema.parse({
    registry: REGISTRY,
    operationId: op.code,
    kind,
    status: OP_STATUS[op.status],
    memo: op.notes,
    quantity: String(reserved.amount),
    fromAccount: op.source_account_code,
    toAccount: op.destination_account_code ?? undefined,
    sourceRecordId: reserved.item_code,
    resultRecordIds: op.result_item_codes,
    retirement:
      kind === "REDEEM"
        ? { beneficiary: op.beneficiary_id ?? undefined, reason: op.purpose ?? undefined, memo: op.notes }
        : undefined,
    rejectionReason: op.rejection_reason ?? undefined,
    sourcePayload: raw,
  });
}

export function createIrecAdapter(params: IrecAdapterParameters): IrecPort {
  const limit = Math.min(params.pageSize ?? MAX_LIMIT, MAX_LIMIT);
  const base = { registry: REGISTRY, baseUrl: params.baseUrl, timeoutMs: params.timeoutMs } as const;
  const anonymous = createRegistryHttpClient(base);
  let token: { value: string; expiresAt: number } | undefined;
  async function bearer(): Promise<Record<string, string>> {
    if (token === undefined || token.expiresAt < Date.now()) {
      const response = await anonymous.request({
        method: "POST",
        path: "api/token",
        form: { grant_type: "password", username: params.username, password: params.password },
      });
      const answer = parseNative(REGISTRY, tokenSchema, response.body, "token");
      token = { value: answer.access_token, expiresAt: Date.now() + Math.max(0, answer.expires_in - 30) * 1000 };
    }
    return { authorization: `Bearer ${token.value}` };
  }
  const client = createRegistryHttpClient({ ...base, authorize: bearer });
  async function call(request: RegistryRequest) {
    try {
      return (await client.request(request)).body;
    } catch (error) {
      if (!(error instanceof RegistryRejectedError && error.status === 401)) throw error;
      token = undefined; // revoked or expired early: one fresh token, then give up
      return (await client.request(request)).body;
    }
  }
  const list = (path: string, query: Record<string, string | undefined>) =>
    collectPages({
      registry: REGISTRY,
      what: path,
      fetchPage: async (index) => {
        const page = parseNative(
          REGISTRY,
          pageSchema,
          await call({ method: "GET", path, query: { ...query, limit, offset: index * limit } }),
          path,
        );
        return { rows: page.items, total: page.total };
      },
    });
  const reservation = (recordId: string, quantity: bigint) => [{ item_code: recordId, amount: quantity }];

  async function listHoldings({ account, projectId }: ListHoldingsParameters): Promise<ListHoldingsReturnType> {
    const page = await list(`${API}/account-management/${encodeURIComponent(account)}/items`, { device: projectId });
    return narrowHoldings({ rows: page.rows.map(toBlock), total: page.total }, account, projectId, "device");
  }

  async function redeem(p: RetireParameters): Promise<RedeemReturnType> {
    const raw = await call({
      method: "POST",
      path: `${API}/redemption-management`,
      json: {
        source_account_code: p.account,
        destination_account_code: params.redemptionAccount ?? p.account,
        reservation_items: reservation(p.recordId, p.quantity),
        notes: p.memo,
        beneficiary_id: p.beneficiary ?? "unspecified",
        period_start: p.periodStart,
        period_end: p.periodEnd,
        purpose: p.reason,
      },
    });
    const answer = parseNative(REGISTRY, redemptionSchema, raw, "redemption");
    return {
      operation: toOperation(raw),
      certificates: Object.entries(answer.items).map(([itemCode, c]) => ({
        itemCode,
        startCertNum: c.start_cert_num,
        endCertNum: c.end_cert_num,
        volume: BigInt(c.volume),
      })),
      verificationUrl: answer.verification_url,
      verificationKey: answer.verification_key,
    };
  }

  return {
    registry: REGISTRY,
    listHoldings,
    getBlock: (recordId) =>
      unlessNotFound(async () => toBlock(await call({ method: "GET", path: `${API}/items/${encodeURIComponent(recordId)}` }))),
    transfer: async (p) =>
      toOperation(
        await call({
          method: "POST",
          path: `${API}/transfer-management`,
          json: {
            source_account_code: p.fromAccount,
            destination_account_code: p.toAccount,
            reservation_items: reservation(p.recordId, p.quantity),
            notes: p.memo,
          },
        }),
      ),
    immobilize: async (p) =>
      toOperation(
        await call({
          method: "POST",
          path: `${API}/immobilisation-management`,
          json: { account_code: p.account, item_code: p.recordId, amount: p.quantity, notes: p.memo },
        }),
      ),
    retire: async (p) => (await redeem(p)).operation,
    redeem,
    async findOperationByMemo(memo) {
      const page = await list(`${API}/transfer-management`, { notes: memo });
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
