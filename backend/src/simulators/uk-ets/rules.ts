/**
 * The UK ETS registry's fixed tables (COMPLIANCE_REGISTRIES.md §1.2, §1.6, §1.7, read from the registry's source
 * `AccountType.java`, `AccountStatus.java`, `TransactionType.java`, `TransactionStatus.java`,
 * `ApprovalService.isApprovalRequired`, `TransactionDelayService.isTransactionValidForDelay`). Pure data and
 * pure decisions: the registry state (registry.ts) asks these.
 */
/** Central accounts the simulator opens at start, one each (`getCentralTypes()`, `getReadOnlyCentralTypes()`). */
const CENTRAL_ACCOUNT_TYPES = [
  "UK_TOTAL_QUANTITY_ACCOUNT",
  "UK_AUCTION_ACCOUNT",
  "UK_ALLOCATION_ACCOUNT",
  "UK_NEW_ENTRANTS_RESERVE_ACCOUNT",
  "UK_GENERAL_HOLDING_ACCOUNT",
  "UK_SURRENDER_ACCOUNT",
  "UK_DELETION_ACCOUNT",
] as const;
export const ACCOUNT_TYPES = [
  "OPERATOR_HOLDING_ACCOUNT",
  "AIRCRAFT_OPERATOR_HOLDING_ACCOUNT",
  "MARITIME_OPERATOR_HOLDING_ACCOUNT",
  "TRADING_ACCOUNT",
  "UK_AUCTION_DELIVERY_ACCOUNT",
  "NATIONAL_HOLDING_ACCOUNT",
  ...CENTRAL_ACCOUNT_TYPES,
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export const CENTRAL_TYPES: readonly AccountType[] = CENTRAL_ACCOUNT_TYPES;

/** Operator holding accounts (installation, aircraft, maritime): the accounts with a surrender obligation. */
export const OPERATOR_TYPES: readonly AccountType[] = ["OPERATOR_HOLDING_ACCOUNT", "AIRCRAFT_OPERATOR_HOLDING_ACCOUNT", "MARITIME_OPERATOR_HOLDING_ACCOUNT"];
/** Government accounts: the central ones and the national holding account. Transfers to them are never delayed. */
export function isGovernmentAccount(type: AccountType): boolean {
  return type === "NATIONAL_HOLDING_ACCOUNT" || CENTRAL_TYPES.includes(type);
}

/** Every ETS account type maps to Kyoto type code 100 (PARTY_HOLDING_ACCOUNT) and registry code `UK`. */
export const ETS_KYOTO_TYPE_CODE = 100;

export const ACCOUNT_STATUSES = [
  "OPEN",
  "ALL_TRANSACTIONS_RESTRICTED",
  "SOME_TRANSACTIONS_RESTRICTED",
  "SUSPENDED_PARTIALLY",
  "SUSPENDED",
  "TRANSFER_PENDING",
  "CLOSURE_PENDING",
  "CLOSED",
] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const TRANSACTION_CODES = ["1-40", "10-51", "10-40", "10-50", "10-2", "10-82", "10-90"] as const;
export type TransactionCode = (typeof TRANSACTION_CODES)[number];

export type TransactionTypeRule = {
  code: TransactionCode;
  name: string;
  description: string;
  /** Account types units may leave; empty for issuance (units are created). */
  from: readonly AccountType[];
  to: readonly AccountType[];
  /** Who starts it: an Authorised Representative through the API, or the registry (administrator, authority, system). */
  initiatedBy: "REPRESENTATIVE" | "ADMINISTRATOR";
  /** `delayApplies`: the transaction window and the TAL delay apply. */
  delayApplies: boolean;
  /** Approval by a second person: always, never, or decided by the account flags and the TAL. */
  approval: "ALWAYS" | "NEVER" | "SINGLE_PERSON_FLAG" | "TRUST";
};

const TRANSFERABLE: readonly AccountType[] = [
  "UK_GENERAL_HOLDING_ACCOUNT",
  ...OPERATOR_TYPES,
  "TRADING_ACCOUNT",
  "UK_AUCTION_DELIVERY_ACCOUNT",
];

export const TRANSACTION_TYPES: Record<TransactionCode, TransactionTypeRule> = {
  "1-40": { code: "1-40", name: "IssueAllowances", description: "Issuance of allowances", from: [], to: ["UK_TOTAL_QUANTITY_ACCOUNT"], initiatedBy: "ADMINISTRATOR", delayApplies: false, approval: "ALWAYS" },
  "10-51": {
    code: "10-51",
    name: "CentralTransferAllowances",
    description: "Transfer of allowances between central accounts",
    from: ["UK_TOTAL_QUANTITY_ACCOUNT", "UK_AUCTION_ACCOUNT", "UK_ALLOCATION_ACCOUNT", "UK_NEW_ENTRANTS_RESERVE_ACCOUNT", "UK_GENERAL_HOLDING_ACCOUNT"],
    to: ["UK_TOTAL_QUANTITY_ACCOUNT", "UK_AUCTION_ACCOUNT", "UK_ALLOCATION_ACCOUNT", "UK_NEW_ENTRANTS_RESERVE_ACCOUNT", "UK_GENERAL_HOLDING_ACCOUNT"],
    initiatedBy: "ADMINISTRATOR",
    delayApplies: false,
    approval: "ALWAYS",
  },
  "10-40": { code: "10-40", name: "AllocateAllowances", description: "Allocation of allowances", from: ["UK_ALLOCATION_ACCOUNT", "UK_NEW_ENTRANTS_RESERVE_ACCOUNT"], to: OPERATOR_TYPES, initiatedBy: "ADMINISTRATOR", delayApplies: false, approval: "NEVER" },
  "10-50": { code: "10-50", name: "TransferAllowances", description: "Transfer of allowances", from: TRANSFERABLE, to: TRANSFERABLE, initiatedBy: "REPRESENTATIVE", delayApplies: true, approval: "TRUST" },
  "10-2": { code: "10-2", name: "SurrenderAllowances", description: "Surrender of allowances", from: OPERATOR_TYPES, to: ["UK_SURRENDER_ACCOUNT"], initiatedBy: "REPRESENTATIVE", delayApplies: false, approval: "SINGLE_PERSON_FLAG" },
  "10-82": { code: "10-82", name: "ReverseSurrenderAllowances", description: "Reversal of surrender of allowances", from: ["UK_SURRENDER_ACCOUNT"], to: OPERATOR_TYPES, initiatedBy: "ADMINISTRATOR", delayApplies: false, approval: "NEVER" },
  "10-90": { code: "10-90", name: "DeletionOfAllowances", description: "Deletion of allowances", from: [...OPERATOR_TYPES, "TRADING_ACCOUNT"], to: ["UK_DELETION_ACCOUNT"], initiatedBy: "REPRESENTATIVE", delayApplies: false, approval: "ALWAYS" },
};

/** Transaction statuses with their numeric codes (`TransactionStatus.java`). */
export const TRANSACTION_STATUS_CODES = {
  AWAITING_APPROVAL: 0,
  PROPOSED: 1,
  CHECKED_NO_DISCREPANCY: 2,
  CHECKED_DISCREPANCY: 3,
  COMPLETED: 4,
  TERMINATED: 5,
  REJECTED: 6,
  CANCELLED: 7,
  ACCEPTED: 8,
  STL_CHECKED_NO_DISCREPANCY: 9,
  STL_CHECKED_DISCREPANCY: 10,
  REVERSED: 20,
  DELAYED: 30,
  MANUALLY_CANCELLED: 40,
  FAILED: -1,
  CORRECTED: 92,
} as const;
export type TransactionStatus = keyof typeof TRANSACTION_STATUS_CODES;

export const FINAL_TRANSACTION_STATUSES: ReadonlySet<TransactionStatus> = new Set([
  "COMPLETED",
  "TERMINATED",
  "REJECTED",
  "CANCELLED",
  "REVERSED",
  "FAILED",
  "MANUALLY_CANCELLED",
  "CORRECTED",
]);

/** Why the account may not send this type of transaction, or undefined when it may (`AccountStatus.java`). */
export function sendingBlockedReason(status: AccountStatus, code: TransactionCode): string | undefined {
  if (status === "OPEN") return undefined;
  // SOME_TRANSACTIONS_RESTRICTED allows surrender, return of excess allocation and reversal of allocation; of
  // these the simulator implements surrender (10-2).
  if (status === "SOME_TRANSACTIONS_RESTRICTED") return code === "10-2" ? undefined : `the account is ${status}: only surrender may leave it`;
  return `the account is ${status} and cannot send units`;
}

/**
 * Why the account may not receive, or undefined. SUSPENDED_PARTIALLY and TRANSFER_PENDING can receive
 * (`AccountStatus.java`); SOME_TRANSACTIONS_RESTRICTED receiving is not stated: the simulator allows it.
 */
export function receivingBlockedReason(status: AccountStatus): string | undefined {
  return ["OPEN", "SOME_TRANSACTIONS_RESTRICTED", "SUSPENDED_PARTIALLY", "TRANSFER_PENDING"].includes(status) ? undefined : `the acquiring account is ${status} and cannot receive units`;
}

export type ApprovalFacts = {
  rule: TransactionTypeRule;
  acquiringType: AccountType;
  acquiringTrusted: boolean;
  /** Account flags of the transferring account. */
  approvalSecondArRequired: boolean;
  singlePersonApprovalRequired: boolean;
};

/**
 * `ApprovalService.isApprovalRequired`, in its order: the type's fixed flag; surrender exactly when the account's
 * `single_person_approval_required` flag is set (its intended meaning is not stated; the code reads so); a
 * government acquiring account always; otherwise `!acquiringTrusted || approval_second_ar_required`.
 */
export function approvalRequired(facts: ApprovalFacts): boolean {
  if (facts.rule.approval === "ALWAYS") return true;
  if (facts.rule.approval === "NEVER") return false;
  if (facts.rule.approval === "SINGLE_PERSON_FLAG") return facts.singlePersonApprovalRequired;
  if (isGovernmentAccount(facts.acquiringType)) return true;
  return !facts.acquiringTrusted || facts.approvalSecondArRequired;
}

/** `isTransactionValidForDelay`: the window and delay apply to delay types not bound for a government account. */
export function delayApplies(rule: TransactionTypeRule, acquiringType: AccountType): boolean {
  return rule.delayApplies && !isGovernmentAccount(acquiringType);
}

/** Authorised Representative access rights (`AccountAccessRight.java`). */
export const ACCESS_RIGHTS = ["ROLE_BASED", "INITIATE_AND_APPROVE", "APPROVE", "INITIATE", "SURRENDER_INITIATE_AND_APPROVE", "READ_ONLY"] as const;
export type AccessRight = (typeof ACCESS_RIGHTS)[number];

export function mayInitiate(right: AccessRight, code: TransactionCode): boolean {
  if (right === "SURRENDER_INITIATE_AND_APPROVE") return code === "10-2";
  return right === "ROLE_BASED" || right === "INITIATE_AND_APPROVE" || right === "INITIATE";
}

export function mayApprove(right: AccessRight, code: TransactionCode): boolean {
  if (right === "SURRENDER_INITIATE_AND_APPROVE") return code === "10-2";
  return right === "ROLE_BASED" || right === "INITIATE_AND_APPROVE" || right === "APPROVE";
}

/** Trusted account list entry statuses (`TrustedAccountStatus.java`). */
export const TAL_STATUSES = ["PENDING_ADDITION_APPROVAL", "PENDING_ACTIVATION", "ACTIVE", "REJECTED", "CANCELLED", "PENDING_REMOVAL_APPROVAL"] as const;
export type TalStatus = (typeof TAL_STATUSES)[number];
