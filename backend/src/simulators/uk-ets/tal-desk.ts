import type { SimClock } from "../core/clock";
import type { Representative, RepresentativeDirectory } from "../core/representatives";
import { SimError } from "../core/types";
import type { AccountBook } from "./accounts";
import type { TalEntry, TrustedAccountList } from "./trusted-accounts";
import { scheduleExecution, type TransactionWindow } from "./working-time";

/**
 * Authorised Representatives' requests on a trusted account list (trusted-accounts.ts has the statuses): an AR
 * who may initiate transfers asks, a different AR who may approve them decides, each with a one-time code. An
 * approved addition becomes ACTIVE `activationMinutes` later through the transaction delay algorithm (one working
 * day by default, inside the window).
 */
export class TrustedAccountDesk {
  constructor(
    private readonly accounts: AccountBook,
    private readonly tal: TrustedAccountList,
    private readonly representatives: RepresentativeDirectory,
    private readonly clock: SimClock,
    private readonly window: TransactionWindow,
    private readonly activationMinutes: number,
  ) {}

  request(representative: Representative, accountId: string, trustedId: string, description: string, otp: string | undefined): TalEntry {
    const account = this.accounts.resolve(accountId, "accountIdentifier");
    const trusted = this.accounts.resolve(trustedId, "trustedAccountIdentifier");
    this.accounts.checkInitiator(account, representative, "10-50");
    if (trusted.id === account.id) throw new SimError(422, "SELF_TRUST", "trustedAccountIdentifier: an account cannot trust itself");
    this.representatives.verifyCode(representative, otp);
    return this.tal.add(account.id, trusted.id, description, representative.id, this.clock.now());
  }

  decide(representative: Representative, accountId: string, entryId: number, decision: "approve" | "reject", otp: string | undefined): TalEntry {
    const account = this.accounts.resolve(accountId, "accountIdentifier");
    const entry = this.tal.entry(account.id, entryId);
    if (entry.status !== "PENDING_ADDITION_APPROVAL" && entry.status !== "PENDING_REMOVAL_APPROVAL") {
      throw new SimError(409, "TAL_NOT_PENDING", `entryId: entry ${entryId} is ${entry.status}`);
    }
    this.accounts.checkApprover(account, representative, entry.history.at(-1)?.by ?? entry.requestedBy, "10-50");
    this.representatives.verifyCode(representative, otp);
    const now = this.clock.now();
    if (entry.status === "PENDING_REMOVAL_APPROVAL") {
      this.tal.move(entry, decision === "approve" ? "CANCELLED" : "ACTIVE", now, representative.id);
      return entry;
    }
    if (decision === "reject") {
      this.tal.move(entry, "REJECTED", now, representative.id);
      return entry;
    }
    entry.approvedBy = representative.id;
    entry.approvedAt = now;
    entry.activatesAt = scheduleExecution(this.window, now, this.activationMinutes).executeAt;
    this.tal.move(entry, "PENDING_ACTIVATION", now, representative.id);
    this.tal.activateDue(now);
    return entry;
  }

  requestRemoval(representative: Representative, accountId: string, entryId: number, otp: string | undefined): TalEntry {
    const account = this.accounts.resolve(accountId, "accountIdentifier");
    const entry = this.tal.entry(account.id, entryId);
    this.accounts.checkInitiator(account, representative, "10-50");
    if (entry.status !== "ACTIVE" && entry.status !== "PENDING_ACTIVATION") throw new SimError(409, "TAL_NOT_ACTIVE", `entryId: entry ${entryId} is ${entry.status}`);
    this.representatives.verifyCode(representative, otp);
    this.tal.move(entry, "PENDING_REMOVAL_APPROVAL", this.clock.now(), representative.id);
    return entry;
  }
}
