import type { SimClock } from "../core/clock";
import type { Representative, RepresentativeDirectory } from "../core/representatives";
import { SimError } from "../core/types";
import { wallTimeIn } from "../core/zoned-time";
import { AccountBook, type UkAccount } from "./accounts";
import { planReservation, splitBlock, type UnitBlock } from "./blocks";
import { complianceStatus, surrenderDeadlineOf, type ComplianceStatus } from "./compliance";
import type { UkEtsParameters } from "./parameters";
import {
  CENTRAL_TYPES,
  FINAL_TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  approvalRequired,
  delayApplies,
  receivingBlockedReason,
  sendingBlockedReason,
  type TransactionCode,
  type TransactionStatus,
} from "./rules";
import { TrustedAccountDesk } from "./tal-desk";
import { TrustedAccountList } from "./trusted-accounts";
import { parseClockTime, scheduleExecution, type TransactionWindow } from "./working-time";

/** A block as it moved in a transaction (kept for statements and transaction details). */
export type MovedBlock = Pick<UnitBlock, "startBlock" | "endBlock" | "unitType" | "originatingCountryCode" | "originalPeriod" | "applicablePeriod" | "year">;

export type UkTransaction = {
  /** `UK` + the transaction sequence, e.g. `UK100000`. */
  id: string;
  code: TransactionCode;
  status: TransactionStatus;
  transferringAccountId?: string | undefined;
  acquiringAccountId: string;
  quantity: bigint;
  /** Free text the initiator entered (the platform puts its idempotency key here). */
  reference: string;
  initiatorId: string;
  approverId?: string | undefined;
  approvalRequired: boolean;
  acquiringTrusted: boolean;
  proposedAt: Date;
  approvedAt?: Date | undefined;
  startClock?: Date | undefined;
  executeAt?: Date | undefined;
  completedAt?: Date | undefined;
  /** Blocks reserved for (then moved by) the transaction. */
  blockIds: number[];
  blocks: MovedBlock[];
  reason?: string | undefined;
  /** 10-82: the surrender it reverses; 10-2: the reversal that undid it. */
  reverses?: string | undefined;
  reversedBy?: string | undefined;
  history: Array<{ status: TransactionStatus; at: Date; by?: string | undefined }>;
};

export type ProposeParameters = {
  code: TransactionCode;
  transferringAccountId: string;
  acquiringAccountId: string;
  quantity: bigint;
  reference?: string | undefined;
  otp: string | undefined;
};

/**
 * The UK ETS registry's books and its transaction engine, over the pure rules of rules.ts, blocks.ts,
 * working-time.ts and compliance.ts. Time is the simulator clock; `tick()` executes what is due (delayed
 * transactions, TAL activations, static compliance snapshots) and runs after every request and clock move.
 *
 * Transaction lifecycle (who moves it):
 * - proposal by an AR with an initiating right and a one-time code → AWAITING_APPROVAL when an approval is
 *   required (rules.approvalRequired), else straight to the approval step below;
 * - approval by a DIFFERENT AR of the transferring account with an approving right and a code (or REJECTED by
 *   one) → executes now when no wait applies, else DELAYED until the execution time (working-time.ts);
 * - DELAYED → MANUALLY_CANCELLED by an AR of the transferring account (with a code);
 * - execution re-checks both accounts' statuses: COMPLETED, or TERMINATED with the reason (blocks released);
 * - a COMPLETED 10-2 becomes REVERSED when an administrator reverses it (10-82) within the reversal period.
 */
export class UkEtsRegistry {
  readonly accounts: AccountBook;
  readonly tal = new TrustedAccountList();
  /** The AR actions on trusted account lists. */
  readonly talDesk: TrustedAccountDesk;
  readonly blocks = new Map<number, UnitBlock>();
  readonly transactions = new Map<string, UkTransaction>();
  readonly window: TransactionWindow;
  private nextSerial: bigint;
  private nextTransactionNumber: number;
  private blockCounter = 0;

  constructor(
    readonly parameters: UkEtsParameters,
    readonly clock: SimClock,
    readonly representatives: RepresentativeDirectory,
  ) {
    this.accounts = new AccountBook(parameters.firstAccountIdentifier, parameters.defaultTransfersOutsideTal);
    this.window = {
      zone: parameters.timeZone,
      startMinute: parseClockTime(parameters.windowStart),
      endMinute: parseClockTime(parameters.windowEnd),
      holidays: new Set(parameters.bankHolidays),
    };
    this.talDesk = new TrustedAccountDesk(this.accounts, this.tal, representatives, clock, this.window, parameters.trustedAccountActivationMinutes);
    this.nextSerial = parameters.firstSerial;
    this.nextTransactionNumber = parameters.firstTransactionNumber;
    for (const type of CENTRAL_TYPES) this.accounts.open({ type, holderId: "UK ETS Authority", name: type }, clock.now());
  }

  // ---- administrator (registry) actions --------------------------------------------------------------------

  /** 1-40: issues `quantity` new UKAs of `year` into the UK Total Quantity Account from the issuance sequence. */
  issue(quantity: bigint, year: number): UkTransaction {
    if (quantity <= 0n) throw new SimError(400, "BAD_QUANTITY", "quantity: must be positive");
    const now = this.clock.now();
    const tqa = this.accounts.ofType("UK_TOTAL_QUANTITY_ACCOUNT");
    const block = this.addBlock({
      startBlock: this.nextSerial,
      endBlock: this.nextSerial + quantity - 1n,
      unitType: "ALLOWANCE",
      originatingCountryCode: "GB",
      originalPeriod: 0,
      applicablePeriod: 0,
      year,
      accountId: tqa.id,
      acquisitionDate: now,
      lastModifiedDate: now,
    });
    this.nextSerial += quantity;
    const transaction = this.newTransaction({ code: "1-40", acquiringAccountId: tqa.id, quantity, reference: `issuance ${year}`, initiatorId: "ADMINISTRATOR" }, now);
    transaction.blockIds = [block.id];
    transaction.blocks = [moved(block)];
    this.finish(transaction, "COMPLETED", now, "ADMINISTRATOR");
    return transaction;
  }

  /**
   * A registry-initiated transaction (10-51 central transfer, 10-40 allocation), executed at once: its approval by
   * the authority is taken as given. The matrix and the statuses still apply.
   */
  administer(code: "10-51" | "10-40", fromId: string, toId: string, quantity: bigint): UkTransaction {
    const from = this.accounts.resolve(fromId, "transferringAccountIdentifier");
    const to = this.accounts.resolve(toId, "acquiringAccountIdentifier");
    this.checkMatrix(code, from, to);
    const now = this.clock.now();
    const transaction = this.newTransaction({ code, transferringAccountId: from.id, acquiringAccountId: to.id, quantity, reference: "", initiatorId: "ADMINISTRATOR" }, now);
    this.reserve(transaction, from);
    this.execute(transaction, now);
    return transaction;
  }

  /** 10-82: an administrator reverses a completed surrender within `reverseSurrenderDays` calendar days. */
  reverseSurrender(surrenderId: string): UkTransaction {
    const surrender = this.transaction(surrenderId);
    if (surrender.code !== "10-2") throw new SimError(422, "NOT_A_SURRENDER", `transactionIdentifier: ${surrenderId} is a ${surrender.code}, not a surrender (10-2)`);
    if (surrender.status !== "COMPLETED" || surrender.completedAt === undefined) {
      throw new SimError(422, "NOT_REVERSIBLE", `transactionIdentifier: ${surrenderId} is ${surrender.status}; only a completed surrender can be reversed`);
    }
    const now = this.clock.now();
    const limitMs = this.parameters.reverseSurrenderDays * 86_400_000;
    if (now.getTime() - surrender.completedAt.getTime() > limitMs) {
      throw new SimError(422, "REVERSAL_PERIOD_OVER", `transactionIdentifier: ${surrenderId} completed more than ${this.parameters.reverseSurrenderDays} days ago and can no longer be reversed (3020)`);
    }
    const operator = this.accounts.resolve(surrender.transferringAccountId ?? "", "transferringAccountIdentifier");
    const surrenderAccount = this.accounts.ofType("UK_SURRENDER_ACCOUNT");
    const reversal = this.newTransaction(
      { code: "10-82", transferringAccountId: surrenderAccount.id, acquiringAccountId: operator.id, quantity: surrender.quantity, reference: `reversal of ${surrender.id}`, initiatorId: "ADMINISTRATOR" },
      now,
    );
    reversal.reverses = surrender.id;
    for (const id of surrender.blockIds) {
      const block = this.block(id);
      if (block.accountId !== surrenderAccount.id) throw new SimError(409, "BLOCKS_MOVED", `units of ${surrenderId} are no longer in the surrender account`);
      block.reservedForTransaction = reversal.id;
    }
    reversal.blockIds = [...surrender.blockIds];
    this.execute(reversal, now);
    surrender.reversedBy = reversal.id;
    this.setStatus(surrender, "REVERSED", now, "ADMINISTRATOR");
    return reversal;
  }

  // ---- Authorised Representative actions ------------------------------------------------------------------

  propose(representative: Representative, params: ProposeParameters): UkTransaction {
    const rule = TRANSACTION_TYPES[params.code];
    if (rule.initiatedBy !== "REPRESENTATIVE") {
      throw new SimError(403, "ADMINISTRATOR_ONLY", `transactionType: ${params.code} (${rule.description}) is started by the registry administrators, not by an Authorised Representative`);
    }
    const from = this.accounts.resolve(params.transferringAccountId, "transferringAccountIdentifier");
    const to = this.accounts.resolve(params.acquiringAccountId, "acquiringAccountIdentifier");
    this.accounts.checkInitiator(from, representative, params.code);
    this.checkMatrix(params.code, from, to);
    const trusted = this.isTrusted(from, to);
    if (params.code === "10-50" && !trusted && !from.transfersOutsideTal) {
      throw new SimError(422, "OUTSIDE_TAL_FORBIDDEN", `acquiringAccountIdentifier: ${from.id} may only transfer to accounts on its trusted account list`);
    }
    // The balance check comes before the signature, so a refused proposal does not use up the code.
    planReservation(this.blocksOf(from.id), params.quantity);
    this.representatives.verifyCode(representative, params.otp);
    const needsApproval = approvalRequired({
      rule,
      acquiringType: to.type,
      acquiringTrusted: trusted,
      approvalSecondArRequired: from.approvalSecondArRequired,
      singlePersonApprovalRequired: from.singlePersonApprovalRequired,
    });
    const now = this.clock.now();
    const transaction = this.newTransaction(
      { code: params.code, transferringAccountId: from.id, acquiringAccountId: to.id, quantity: params.quantity, reference: params.reference ?? "", initiatorId: representative.id },
      now,
      needsApproval ? "AWAITING_APPROVAL" : "PROPOSED",
    );
    transaction.acquiringTrusted = trusted;
    transaction.approvalRequired = needsApproval;
    this.reserve(transaction, from);
    if (!needsApproval) this.approved(transaction, now);
    return transaction;
  }

  approve(representative: Representative, transactionId: string, otp: string | undefined): UkTransaction {
    const { transaction } = this.approvalTask(representative, transactionId);
    this.representatives.verifyCode(representative, otp);
    transaction.approverId = representative.id;
    this.approved(transaction, this.clock.now());
    return transaction;
  }

  reject(representative: Representative, transactionId: string, otp: string | undefined, comment: string): UkTransaction {
    const { transaction } = this.approvalTask(representative, transactionId);
    this.representatives.verifyCode(representative, otp);
    transaction.approverId = representative.id;
    transaction.reason = comment;
    this.release(transaction);
    this.finish(transaction, "REJECTED", this.clock.now(), representative.id);
    return transaction;
  }

  /** `POST /transactions.cancel`: an AR of the transferring account cancels a DELAYED transaction. */
  cancelDelayed(representative: Representative, transactionId: string, otp: string | undefined): UkTransaction {
    const transaction = this.transaction(transactionId);
    const from = this.accounts.resolve(transaction.transferringAccountId ?? "", "transferringAccountIdentifier");
    this.accounts.rightOf(from, representative.id);
    if (transaction.status !== "DELAYED") {
      throw new SimError(409, "NOT_DELAYED", `transactionIdentifier: ${transactionId} is ${transaction.status}; only DELAYED transactions can be cancelled`);
    }
    this.representatives.verifyCode(representative, otp);
    this.release(transaction);
    this.finish(transaction, "MANUALLY_CANCELLED", this.clock.now(), representative.id);
    return transaction;
  }

  // ---- time ------------------------------------------------------------------------------------------------

  /** Executes what is due at the clock's time. */
  tick(): void {
    const now = this.clock.now();
    this.tal.activateDue(now);
    const due = [...this.transactions.values()]
      .filter((transaction) => transaction.status === "DELAYED" && transaction.executeAt !== undefined && transaction.executeAt <= now)
      .sort((a, b) => (a.executeAt?.getTime() ?? 0) - (b.executeAt?.getTime() ?? 0));
    for (const transaction of due) this.execute(transaction, transaction.executeAt ?? now);
    this.snapshotStaticStatuses(now);
  }

  // ---- reads -----------------------------------------------------------------------------------------------

  transaction(id: string): UkTransaction {
    const transaction = this.transactions.get(id);
    if (transaction === undefined) throw new SimError(404, "TRANSACTION_NOT_FOUND", `transactionIdentifier: no transaction ${id}`);
    return transaction;
  }

  block(id: number): UnitBlock {
    const block = this.blocks.get(id);
    if (block === undefined) throw new SimError(500, "BLOCK_NOT_FOUND", `no unit block ${id}`);
    return block;
  }

  blocksOf(accountId: string): UnitBlock[] {
    return [...this.blocks.values()].filter((block) => block.accountId === accountId).sort((a, b) => (a.startBlock < b.startBlock ? -1 : 1));
  }

  /** Same holder, or an ACTIVE entry of the transferring account's TAL (`isInternalTrustedAccount`). */
  isTrusted(from: UkAccount, to: UkAccount): boolean {
    return from.holderId === to.holderId || this.tal.trusts(from.id, to.id);
  }

  /** Net units surrendered from `account` by `at`: completed 10-2 less the 10-82 reversals completed by then. */
  surrendered(account: UkAccount, at: Date): bigint {
    let total = 0n;
    for (const transaction of this.transactions.values()) {
      if (transaction.completedAt === undefined || transaction.completedAt > at) continue;
      if (transaction.code === "10-2" && transaction.transferringAccountId === account.id) total += transaction.quantity;
      if (transaction.code === "10-82" && transaction.acquiringAccountId === account.id) total -= transaction.quantity;
    }
    return total;
  }

  complianceStatus(account: UkAccount, at: Date = this.clock.now()): ComplianceStatus {
    return complianceStatus({
      firstYear: account.operator?.firstYear,
      lastYear: account.operator?.lastYear,
      emissions: account.emissions,
      excludedYears: account.excludedYears,
      surrendered: this.surrendered(account, at),
      currentYear: wallTimeIn(this.parameters.timeZone, at).year,
    });
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private snapshotStaticStatuses(now: Date): void {
    const year = wallTimeIn(this.parameters.timeZone, now).year;
    for (const account of this.accounts.accounts.values()) {
      if (account.operator === undefined) continue;
      for (let deadlineYear = account.operator.firstYear + 1; deadlineYear <= year; deadlineYear++) {
        const obligationYear = deadlineYear - 1;
        if (account.staticStatuses.has(obligationYear)) continue;
        const deadline = surrenderDeadlineOf(deadlineYear, this.parameters.surrenderDeadline, this.parameters.timeZone);
        if (now <= deadline) continue;
        account.staticStatuses.set(obligationYear, this.complianceStatus(account, deadline));
      }
    }
  }

  private approvalTask(representative: Representative, transactionId: string): { transaction: UkTransaction; from: UkAccount } {
    const transaction = this.transaction(transactionId);
    const from = this.accounts.resolve(transaction.transferringAccountId ?? "", "transferringAccountIdentifier");
    if (transaction.status !== "AWAITING_APPROVAL") {
      throw new SimError(409, "NOT_AWAITING_APPROVAL", `transactionIdentifier: ${transactionId} is ${transaction.status}`);
    }
    this.accounts.checkApprover(from, representative, transaction.initiatorId, transaction.code);
    return { transaction, from };
  }

  private checkMatrix(code: TransactionCode, from: UkAccount, to: UkAccount): void {
    const rule = TRANSACTION_TYPES[code];
    if (!rule.from.includes(from.type)) throw new SimError(422, "TRANSFERRING_TYPE_NOT_ALLOWED", `transferringAccountIdentifier: a ${from.type} cannot send ${code} (${rule.description})`);
    if (!rule.to.includes(to.type)) throw new SimError(422, "ACQUIRING_TYPE_NOT_ALLOWED", `acquiringAccountIdentifier: a ${to.type} cannot receive ${code} (${rule.description})`);
    if (from.id === to.id) throw new SimError(422, "SAME_ACCOUNT", "acquiringAccountIdentifier: the transferring and acquiring accounts are the same");
    const sending = sendingBlockedReason(from.status, code);
    if (sending !== undefined) throw new SimError(422, "ACCOUNT_CANNOT_SEND", `transferringAccountIdentifier: ${sending}`);
    const receiving = receivingBlockedReason(to.status);
    if (receiving !== undefined) throw new SimError(422, "ACCOUNT_CANNOT_RECEIVE", `acquiringAccountIdentifier: ${receiving}`);
  }

  private approved(transaction: UkTransaction, now: Date): void {
    transaction.approvedAt = now;
    const to = this.accounts.resolve(transaction.acquiringAccountId, "acquiringAccountIdentifier");
    const rule = TRANSACTION_TYPES[transaction.code];
    if (delayApplies(rule, to.type)) {
      const delay = transaction.acquiringTrusted ? 0 : this.parameters.transactionDelayMinutes;
      const schedule = scheduleExecution(this.window, now, delay);
      transaction.startClock = schedule.startClock;
      transaction.executeAt = schedule.executeAt;
      if (schedule.executeAt > now) {
        this.setStatus(transaction, "DELAYED", now);
        return;
      }
    }
    this.execute(transaction, now);
  }

  private reserve(transaction: UkTransaction, from: UkAccount): void {
    const plan = planReservation(this.blocksOf(from.id), transaction.quantity);
    const reserved = [...plan.whole];
    if (plan.partial !== undefined) {
      const split = splitBlock(plan.partial.block, false, plan.partial.newUpperLimit);
      if (split !== undefined) {
        this.blocks.set(split.block.id, split.block);
        this.addBlock(split.created);
        reserved.push(split.block);
      }
    }
    for (const block of reserved) this.block(block.id).reservedForTransaction = transaction.id;
    transaction.blockIds = reserved.map((block) => block.id);
  }

  private release(transaction: UkTransaction): void {
    for (const id of transaction.blockIds) {
      const block = this.block(id);
      if (block.reservedForTransaction === transaction.id) block.reservedForTransaction = undefined;
    }
  }

  private execute(transaction: UkTransaction, at: Date): void {
    const to = this.accounts.resolve(transaction.acquiringAccountId, "acquiringAccountIdentifier");
    const from = transaction.transferringAccountId === undefined ? undefined : this.accounts.resolve(transaction.transferringAccountId, "transferringAccountIdentifier");
    const problem = (from === undefined ? undefined : sendingBlockedReason(from.status, transaction.code)) ?? receivingBlockedReason(to.status);
    if (problem !== undefined && transaction.initiatorId !== "ADMINISTRATOR") {
      transaction.reason = problem;
      this.release(transaction);
      this.finish(transaction, "TERMINATED", at);
      return;
    }
    transaction.blocks = [];
    for (const id of transaction.blockIds) {
      const block = this.block(id);
      block.accountId = to.id;
      block.acquisitionDate = at;
      block.lastModifiedDate = at;
      block.reservedForTransaction = undefined;
      transaction.blocks.push(moved(block));
    }
    this.finish(transaction, "COMPLETED", at);
  }

  private finish(transaction: UkTransaction, status: TransactionStatus, at: Date, by?: string): void {
    if (status === "COMPLETED") transaction.completedAt = at;
    this.setStatus(transaction, status, at, by);
  }

  private setStatus(transaction: UkTransaction, status: TransactionStatus, at: Date, by?: string): void {
    if (FINAL_TRANSACTION_STATUSES.has(transaction.status) && !(transaction.status === "COMPLETED" && status === "REVERSED")) {
      throw new SimError(409, "TRANSACTION_FINAL", `${transaction.id} is already ${transaction.status}`);
    }
    transaction.status = status;
    transaction.history.push({ status, at, by });
  }

  private addBlock(fields: Omit<UnitBlock, "id">): UnitBlock {
    const block: UnitBlock = { ...fields, id: ++this.blockCounter };
    this.blocks.set(block.id, block);
    return block;
  }

  private newTransaction(
    fields: Pick<UkTransaction, "code" | "acquiringAccountId" | "quantity" | "reference" | "initiatorId"> & { transferringAccountId?: string | undefined },
    at: Date,
    status: TransactionStatus = "PROPOSED",
  ): UkTransaction {
    const transaction: UkTransaction = {
      ...fields,
      id: `UK${this.nextTransactionNumber++}`,
      status,
      approvalRequired: false,
      acquiringTrusted: false,
      proposedAt: at,
      blockIds: [],
      blocks: [],
      history: [{ status, at, by: fields.initiatorId }],
    };
    this.transactions.set(transaction.id, transaction);
    return transaction;
  }
}

function moved(block: UnitBlock): MovedBlock {
  const { startBlock, endBlock, unitType, originatingCountryCode, originalPeriod, applicablePeriod, year } = block;
  return { startBlock, endBlock, unitType, originatingCountryCode, originalPeriod, applicablePeriod, year };
}
