import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { sendFile, type AllowanceContext } from "../core/allowance-server";
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from "../core/files";
import { quantityInputSchema } from "../core/input";
import type { Representative } from "../core/representatives";
import { SimError } from "../core/types";
import type { UkAccount } from "./accounts";
import {
  accountStatementCsv,
  complianceReportXlsx,
  holdingsCsv,
  transactionDetailsCsv,
  transactionListXlsx,
  trustedAccountsCsv,
} from "./files";
import type { UkEtsRegistry, UkTransaction } from "./registry";
import { ACCESS_RIGHTS, ACCOUNT_STATUSES, ACCOUNT_TYPES, TRANSACTION_STATUS_CODES, TRANSACTION_TYPES } from "./rules";
import type { TalEntry } from "./trusted-accounts";

/**
 * The UK ETS simulator's HTTP API. The real registry's REST endpoints (`/transactions.propose`,
 * `/transactions.cancel`, ...) serve its web app behind a login and FreeOTP signing; these mirror their names for
 * the representatives' actions. There is no read API: what a representative can take away are the files under
 * `/api/accounts/{id}/...` and `/api/transactions/{id}/details.csv`, and the public reports under `/public`.
 */
const otp = z.string().optional();
const accountIdentifier = z.string().min(1);
const proposeSchema = z.object({
  transactionType: z.enum(["10-50", "10-2", "10-90", "1-40", "10-51", "10-40", "10-82"]),
  transferringAccountIdentifier: accountIdentifier,
  acquiringAccountIdentifier: accountIdentifier.optional(),
  quantity: quantityInputSchema,
  reference: z.string().max(256).optional(),
  otp,
});
const decisionSchema = z.object({ transactionIdentifier: z.string().min(1), otp, comment: z.string().max(1024).optional() });
const talAddSchema = z.object({ accountIdentifier, trustedAccountIdentifier: accountIdentifier, description: z.string().max(256).default(""), otp });
const talDecisionSchema = z.object({ accountIdentifier, entryId: z.number().int().positive(), otp });
const statementQuery = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });

export function transactionView(t: UkTransaction) {
  return {
    transactionIdentifier: t.id,
    transactionType: t.code,
    description: TRANSACTION_TYPES[t.code].description,
    status: t.status,
    statusCode: TRANSACTION_STATUS_CODES[t.status],
    transferringAccountIdentifier: t.transferringAccountId ?? null,
    acquiringAccountIdentifier: t.acquiringAccountId,
    quantity: t.quantity.toString(),
    reference: t.reference,
    approvalRequired: t.approvalRequired,
    acquiringAccountTrusted: t.acquiringTrusted,
    initiatedBy: t.initiatorId,
    approvedBy: t.approverId ?? null,
    proposedAt: t.proposedAt.toISOString(),
    executionDate: t.executeAt?.toISOString() ?? null,
    completedAt: t.completedAt?.toISOString() ?? null,
    reason: t.reason ?? null,
  };
}

export function talView(e: TalEntry) {
  return {
    entryId: e.id,
    accountIdentifier: e.accountId,
    trustedAccountIdentifier: e.trustedAccountId,
    description: e.description,
    status: e.status,
    requestedBy: e.requestedBy,
    approvedBy: e.approvedBy ?? null,
    activationDate: e.activatesAt?.toISOString() ?? null,
  };
}

export function registerRoutes(app: FastifyInstance, registry: UkEtsRegistry, context: AllowanceContext): void {
  const me = (request: FastifyRequest): Representative => context.signedIn(request.headers.authorization);
  const accountOf = (request: FastifyRequest<{ Params: { accountId: string } }>): UkAccount => {
    const account = registry.accounts.resolve(request.params.accountId, "accountId");
    registry.accounts.rightOf(account, me(request).id);
    return account;
  };

  app.post("/api/transactions.propose", async (request, reply) => {
    const body = proposeSchema.parse(request.body);
    const acquiring = body.acquiringAccountIdentifier ?? defaultAcquirer(registry, body.transactionType);
    const transaction = registry.propose(me(request), {
      code: body.transactionType,
      transferringAccountId: body.transferringAccountIdentifier,
      acquiringAccountId: acquiring,
      quantity: body.quantity,
      reference: body.reference,
      otp: body.otp,
    });
    return reply.code(201).send(transactionView(transaction));
  });
  app.post("/api/transactions.approve", async (request) => {
    const body = decisionSchema.parse(request.body);
    return transactionView(registry.approve(me(request), body.transactionIdentifier, body.otp));
  });
  app.post("/api/transactions.reject", async (request) => {
    const body = decisionSchema.parse(request.body);
    return transactionView(registry.reject(me(request), body.transactionIdentifier, body.otp, body.comment ?? ""));
  });
  app.post("/api/transactions.cancel", async (request) => {
    const body = decisionSchema.parse(request.body);
    return transactionView(registry.cancelDelayed(me(request), body.transactionIdentifier, body.otp));
  });

  app.post("/api/trusted-accounts.add", async (request, reply) => {
    const body = talAddSchema.parse(request.body);
    return reply.code(201).send(talView(registry.talDesk.request(me(request), body.accountIdentifier, body.trustedAccountIdentifier, body.description, body.otp)));
  });
  app.post("/api/trusted-accounts.approve", async (request) => {
    const body = talDecisionSchema.parse(request.body);
    return talView(registry.talDesk.decide(me(request), body.accountIdentifier, body.entryId, "approve", body.otp));
  });
  app.post("/api/trusted-accounts.reject", async (request) => {
    const body = talDecisionSchema.parse(request.body);
    return talView(registry.talDesk.decide(me(request), body.accountIdentifier, body.entryId, "reject", body.otp));
  });
  app.post("/api/trusted-accounts.remove", async (request) => {
    const body = talDecisionSchema.parse(request.body);
    return talView(registry.talDesk.requestRemoval(me(request), body.accountIdentifier, body.entryId, body.otp));
  });

  app.get<{ Params: { accountId: string } }>("/api/accounts/:accountId/statement.csv", async (request, reply) => {
    const account = accountOf(request);
    const query = statementQuery.parse(request.query);
    const range = { from: query.from === undefined ? undefined : new Date(query.from), to: query.to === undefined ? undefined : new Date(query.to) };
    return sendFile(reply, CSV_CONTENT_TYPE, `Account_Statement_${account.id}.csv`, accountStatementCsv(registry, account, range));
  });
  app.get<{ Params: { accountId: string } }>("/api/accounts/:accountId/holdings.csv", async (request, reply) => {
    const account = accountOf(request);
    return sendFile(reply, CSV_CONTENT_TYPE, `Holdings_${account.id}.csv`, holdingsCsv(registry, account));
  });
  app.get<{ Params: { accountId: string } }>("/api/accounts/:accountId/trusted-accounts.csv", async (request, reply) => {
    const account = accountOf(request);
    return sendFile(reply, CSV_CONTENT_TYPE, `Trusted_Accounts_${account.id}.csv`, trustedAccountsCsv(registry, account));
  });
  app.get<{ Params: { transactionId: string } }>("/api/transactions/:transactionId/details.csv", async (request, reply) => {
    const transaction = registry.transaction(request.params.transactionId);
    const representative = me(request);
    const involved = [transaction.transferringAccountId, transaction.acquiringAccountId].filter((id): id is string => id !== undefined);
    const allowed = involved.some((id) => registry.accounts.resolve(id, "accountId").representatives.has(representative.id));
    if (!allowed) throw new SimError(403, "NOT_AUTHORISED_REPRESENTATIVE", `${representative.id} represents neither account of ${transaction.id}`);
    return sendFile(reply, CSV_CONTENT_TYPE, `Transaction_Details_${transaction.id}.csv`, transactionDetailsCsv(registry, transaction));
  });

  app.get("/public/reports/R0031.xlsx", async (_request, reply) =>
    sendFile(reply, XLSX_CONTENT_TYPE, "R0031_Compliance_Report_Emissions.xlsx", await complianceReportXlsx(registry)),
  );
  app.get("/public/reports/R0017.xlsx", async (request, reply) => {
    const { year } = z.object({ year: z.coerce.number().int().min(2021).max(2100) }).parse(request.query);
    return sendFile(reply, XLSX_CONTENT_TYPE, `R0017_Transaction_List_${year}.xlsx`, await transactionListXlsx(registry, year));
  });

  registerAdminRoutes(app, registry, context);
}

/** Surrender and deletion go to the one central account of their kind; the acquirer may be left out. */
function defaultAcquirer(registry: UkEtsRegistry, code: string): string {
  if (code === "10-2") return registry.accounts.ofType("UK_SURRENDER_ACCOUNT").id;
  if (code === "10-90") return registry.accounts.ofType("UK_DELETION_ACCOUNT").id;
  throw new SimError(400, "BAD_REQUEST", "acquiringAccountIdentifier: required for this transaction type");
}

const operatorSchema = z.object({
  operatorId: z.string().min(1),
  permitId: z.string().min(1),
  installationName: z.string().min(1),
  regulator: z.string().default("EA"),
  firstYear: z.number().int().min(2021),
  lastYear: z.number().int().min(2021).optional(),
});
const openAccountSchema = z.object({
  type: z.enum(ACCOUNT_TYPES),
  name: z.string().optional(),
  holderId: z.string().min(1),
  holderName: z.string().optional(),
  status: z.enum(ACCOUNT_STATUSES).optional(),
  approvalSecondArRequired: z.boolean().optional(),
  transfersOutsideTal: z.boolean().optional(),
  singlePersonApprovalRequired: z.boolean().optional(),
  operator: operatorSchema.optional(),
});
const patchAccountSchema = z.object({
  status: z.enum(ACCOUNT_STATUSES).optional(),
  approvalSecondArRequired: z.boolean().optional(),
  transfersOutsideTal: z.boolean().optional(),
  singlePersonApprovalRequired: z.boolean().optional(),
});

export function accountView(registry: UkEtsRegistry, account: UkAccount) {
  return {
    accountIdentifier: account.id,
    type: account.type,
    name: account.name,
    holderId: account.holderId,
    holderName: account.holderName,
    status: account.status,
    approvalSecondArRequired: account.approvalSecondArRequired,
    transfersOutsideTal: account.transfersOutsideTal,
    singlePersonApprovalRequired: account.singlePersonApprovalRequired,
    representatives: Object.fromEntries(account.representatives),
    operator: account.operator ?? null,
    balance: registry.blocksOf(account.id).reduce((sum, block) => sum + block.endBlock - block.startBlock + 1n, 0n).toString(),
  };
}

/** The registry administrators' side and the test seeding (no credentials, exempt from the traffic knobs). */
function registerAdminRoutes(app: FastifyInstance, registry: UkEtsRegistry, context: AllowanceContext): void {
  type AccountParams = { Params: { accountId: string } };
  const account = (id: string) => registry.accounts.resolve(id, "accountId");
  app.post("/_admin/accounts", async (request, reply) => {
    const body = openAccountSchema.parse(request.body);
    return reply.code(201).send(accountView(registry, registry.accounts.open(body, context.clock.now())));
  });
  app.get("/_admin/accounts", async () => [...registry.accounts.accounts.values()].map((a) => accountView(registry, a)));
  app.patch<AccountParams>("/_admin/accounts/:accountId", async (request) => {
    const target = account(request.params.accountId);
    Object.assign(target, JSON.parse(JSON.stringify(patchAccountSchema.parse(request.body))) as object);
    return accountView(registry, target);
  });
  app.post<AccountParams>("/_admin/accounts/:accountId/representatives", async (request) => {
    const body = z.object({ representativeId: z.string().min(1), right: z.enum(ACCESS_RIGHTS) }).parse(request.body);
    context.representatives.get(body.representativeId);
    const target = account(request.params.accountId);
    target.representatives.set(body.representativeId, body.right);
    return accountView(registry, target);
  });
  app.post<AccountParams>("/_admin/accounts/:accountId/emissions", async (request) => {
    const body = z.object({ year: z.number().int().min(2021), emissions: quantityInputSchema.optional(), excluded: z.boolean().optional() }).parse(request.body);
    const target = account(request.params.accountId);
    if (body.emissions !== undefined) target.emissions.set(body.year, body.emissions);
    if (body.excluded === true) target.excludedYears.add(body.year);
    if (body.excluded === false) target.excludedYears.delete(body.year);
    return { status: registry.complianceStatus(target) };
  });
  app.get<AccountParams>("/_admin/accounts/:accountId/compliance", async (request) => {
    const target = account(request.params.accountId);
    return {
      status: registry.complianceStatus(target),
      surrendered: registry.surrendered(target, context.clock.now()).toString(),
      staticStatuses: Object.fromEntries(target.staticStatuses),
    };
  });
  app.post("/_admin/issue", async (request, reply) => {
    const body = z.object({ quantity: quantityInputSchema, year: z.number().int().min(2021) }).parse(request.body);
    return reply.code(201).send(transactionView(registry.issue(body.quantity, body.year)));
  });
  app.post("/_admin/transactions", async (request, reply) => {
    const body = z
      .object({ transactionType: z.enum(["10-51", "10-40"]), transferringAccountIdentifier: accountIdentifier, acquiringAccountIdentifier: accountIdentifier, quantity: quantityInputSchema })
      .parse(request.body);
    const transaction = registry.administer(body.transactionType, body.transferringAccountIdentifier, body.acquiringAccountIdentifier, body.quantity);
    return reply.code(201).send(transactionView(transaction));
  });
  app.post<{ Params: { transactionId: string } }>("/_admin/transactions/:transactionId/reverse", async (request, reply) =>
    reply.code(201).send(transactionView(registry.reverseSurrender(request.params.transactionId))),
  );
  app.get("/_admin/state", async () => ({
    now: context.clock.now().toISOString(),
    accounts: [...registry.accounts.accounts.values()].map((a) => accountView(registry, a)),
    blocks: [...registry.blocks.values()],
    transactions: [...registry.transactions.values()].map(transactionView),
    trustedAccounts: [...registry.tal.entries.values()].map(talView),
  }));
}
