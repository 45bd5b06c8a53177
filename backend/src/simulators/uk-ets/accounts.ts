import { SimError } from "../core/types";
import { formatAccountId, parseAccountId } from "./account-id";
import type { ComplianceStatus } from "./compliance";
import type { Representative } from "../core/representatives";
import { ETS_KYOTO_TYPE_CODE, mayApprove, mayInitiate, type AccessRight, type AccountStatus, type AccountType, type TransactionCode } from "./rules";

/** An ETS account as the simulator keeps it. */
export type UkAccount = {
  /** Full identifier, e.g. `UK-100-10000050-0-5`. */
  id: string;
  identifier: bigint;
  type: AccountType;
  name: string;
  holderId: string;
  holderName: string;
  status: AccountStatus;
  /** `approval_second_ar_required`: every transfer needs a second AR, trusted acquirer or not. */
  approvalSecondArRequired: boolean;
  /** `transfers_outside_tal`: transfers to accounts neither on the TAL nor of the same holder are allowed. */
  transfersOutsideTal: boolean;
  /** `single_person_approval_required`: surrenders need an approval. */
  singlePersonApprovalRequired: boolean;
  representatives: Map<string, AccessRight>;
  /** Operator accounts: the installation / aircraft operator / ship operator data of the compliance reports. */
  operator?: OperatorData | undefined;
  /** Verified emissions per year (what METS sends the registry over Kafka; the admin route here). */
  emissions: Map<number, bigint>;
  excludedYears: Set<number>;
  /** Static surrender status per obligation year, fixed at each year's deadline. */
  staticStatuses: Map<number, ComplianceStatus>;
  openedAt: Date;
};

export type OperatorData = {
  operatorId: string;
  permitId: string;
  installationName: string;
  regulator: string;
  firstYear: number;
  lastYear?: number | undefined;
};

export type OpenAccountParameters = {
  type: AccountType;
  name?: string | undefined;
  holderId: string;
  holderName?: string | undefined;
  status?: AccountStatus | undefined;
  approvalSecondArRequired?: boolean | undefined;
  transfersOutsideTal?: boolean | undefined;
  singlePersonApprovalRequired?: boolean | undefined;
  operator?: OperatorData | undefined;
};

/** The accounts, numbered from the account identifier sequence, looked up by identifier after the check digits pass. */
export class AccountBook {
  readonly accounts = new Map<string, UkAccount>();
  private nextIdentifier: bigint;

  constructor(
    firstIdentifier: bigint,
    private readonly defaultTransfersOutsideTal: boolean,
  ) {
    this.nextIdentifier = firstIdentifier;
  }

  open(params: OpenAccountParameters, at: Date): UkAccount {
    const identifier = this.nextIdentifier++;
    const account: UkAccount = {
      id: formatAccountId(ETS_KYOTO_TYPE_CODE, identifier),
      identifier,
      type: params.type,
      name: params.name ?? `${params.type} ${identifier}`,
      holderId: params.holderId,
      holderName: params.holderName ?? params.holderId,
      status: params.status ?? "OPEN",
      approvalSecondArRequired: params.approvalSecondArRequired ?? false,
      transfersOutsideTal: params.transfersOutsideTal ?? this.defaultTransfersOutsideTal,
      singlePersonApprovalRequired: params.singlePersonApprovalRequired ?? false,
      representatives: new Map(),
      operator: params.operator,
      emissions: new Map(),
      excludedYears: new Set(),
      staticStatuses: new Map(),
      openedAt: at,
    };
    this.accounts.set(String(identifier), account);
    return account;
  }

  /** The account an identifier text names; 400 for a malformed id or bad check digits, 404 for none. */
  resolve(text: string, field: string): UkAccount {
    const parts = parseAccountId(text, field);
    const account = this.accounts.get(parts.identifier.toString());
    if (account === undefined || parts.typeCode !== ETS_KYOTO_TYPE_CODE) throw new SimError(404, "ACCOUNT_NOT_FOUND", `${field}: no account ${text}`);
    return account;
  }

  ofType(type: AccountType): UkAccount {
    const account = [...this.accounts.values()].find((candidate) => candidate.type === type);
    if (account === undefined) throw new SimError(500, "NO_CENTRAL_ACCOUNT", `no ${type}`);
    return account;
  }

  rightOf(account: UkAccount, representativeId: string): AccessRight {
    const right = account.representatives.get(representativeId);
    if (right === undefined) throw new SimError(403, "NOT_AUTHORISED_REPRESENTATIVE", `${representativeId} is not an Authorised Representative of ${account.id}`);
    return right;
  }

  /** 403 unless the representative may initiate `code` on the account. */
  checkInitiator(account: UkAccount, representative: Representative, code: TransactionCode): void {
    if (!mayInitiate(this.rightOf(account, representative.id), code)) {
      throw new SimError(403, "MAY_NOT_INITIATE", `${representative.id} may not initiate ${code} on ${account.id}`);
    }
  }

  /** 403 unless the representative may approve `code` on the account and is not the initiator (four eyes). */
  checkApprover(account: UkAccount, representative: Representative, initiatorId: string, code: TransactionCode): void {
    if (!mayApprove(this.rightOf(account, representative.id), code)) {
      throw new SimError(403, "MAY_NOT_APPROVE", `${representative.id} may not approve ${code} on ${account.id}`);
    }
    if (representative.id === initiatorId) throw new SimError(403, "FOUR_EYES", "You cannot approve a task initiated by you");
  }
}
