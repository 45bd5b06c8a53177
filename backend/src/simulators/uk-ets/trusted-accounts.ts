import { SimError } from "../core/types";
import type { TalStatus } from "./rules";

/**
 * The trusted account list (TAL) of each account (COMPLIANCE_REGISTRIES.md §1.7, `TrustedAccountStatus.java`,
 * `TrustedAccountTaskService`): an Authorised Representative asks to add an account (PENDING_ADDITION_APPROVAL),
 * a different representative approves (PENDING_ACTIVATION), and the entry becomes ACTIVE one working day later
 * (the `trustedAccountActivationMinutes` parameter through the delay algorithm); or the approver rejects it
 * (REJECTED). Removal: asked (PENDING_REMOVAL_APPROVAL, still trusted meanwhile), approved by another
 * representative (CANCELLED at once: the simulator does not delay a removal, which only makes transfers stricter;
 * whether the registry does is not stated). Accounts of the same holder are trusted without an entry.
 */
export type TalEntry = {
  id: number;
  accountId: string;
  trustedAccountId: string;
  description: string;
  status: TalStatus;
  requestedBy: string;
  requestedAt: Date;
  approvedBy?: string | undefined;
  approvedAt?: Date | undefined;
  activatesAt?: Date | undefined;
  history: Array<{ status: TalStatus; at: Date; by?: string | undefined }>;
};

export class TrustedAccountList {
  readonly entries = new Map<number, TalEntry>();
  private counter = 0;

  add(accountId: string, trustedAccountId: string, description: string, requestedBy: string, at: Date): TalEntry {
    const open = this.entriesOf(accountId).find(
      (entry) => entry.trustedAccountId === trustedAccountId && !["REJECTED", "CANCELLED"].includes(entry.status),
    );
    if (open !== undefined) throw new SimError(409, "ALREADY_ON_TAL", `trustedAccountIdentifier: ${trustedAccountId} is already on the list (${open.status})`);
    const entry: TalEntry = {
      id: ++this.counter,
      accountId,
      trustedAccountId,
      description,
      status: "PENDING_ADDITION_APPROVAL",
      requestedBy,
      requestedAt: at,
      history: [{ status: "PENDING_ADDITION_APPROVAL", at, by: requestedBy }],
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  entry(accountId: string, id: number): TalEntry {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.accountId !== accountId) throw new SimError(404, "TAL_ENTRY_NOT_FOUND", `entryId: no trusted account entry ${id} on ${accountId}`);
    return entry;
  }

  entriesOf(accountId: string): TalEntry[] {
    return [...this.entries.values()].filter((entry) => entry.accountId === accountId);
  }

  /** True when `trustedAccountId` is an ACTIVE entry (or one whose removal awaits approval) of `accountId`. */
  trusts(accountId: string, trustedAccountId: string): boolean {
    return this.entriesOf(accountId).some(
      (entry) => entry.trustedAccountId === trustedAccountId && (entry.status === "ACTIVE" || entry.status === "PENDING_REMOVAL_APPROVAL"),
    );
  }

  move(entry: TalEntry, status: TalStatus, at: Date, by?: string): void {
    entry.status = status;
    entry.history.push({ status, at, by });
  }

  /** Entries whose activation time has come become ACTIVE; returns them. */
  activateDue(at: Date): TalEntry[] {
    const due = [...this.entries.values()].filter((entry) => entry.status === "PENDING_ACTIVATION" && entry.activatesAt !== undefined && entry.activatesAt <= at);
    for (const entry of due) this.move(entry, "ACTIVE", entry.activatesAt ?? at);
    return due;
  }
}
