/**
 * The bank simulator's books: accounts and their statement entries, in memory for the life of the process. Only
 * incoming credits are booked (the platform's collection account receives buyers' transfers); entries are never
 * edited or removed, as on a real statement.
 */
import { BankSimError } from "./errors";

export { BankSimError };
export type BankAccount = { accountId: string; name: string; currency: string };

export type BankTransaction = {
  transactionId: string;
  accountId: string;
  direction: "credit";
  status: "booked";
  amountMinor: bigint;
  currency: string;
  reference: string;
  payer: string;
  bookedAt: string;
};

export type BookCreditParameters = {
  accountId: string;
  reference: string;
  amountMinor: bigint;
  currency: string;
  payer: string;
  /** ISO 8601; now when absent. */
  bookedAt?: string | undefined;
};

export class BankStatement {
  readonly accounts = new Map<string, BankAccount>();
  readonly transactions: BankTransaction[] = [];

  addAccount(account: BankAccount): BankAccount {
    if (this.accounts.has(account.accountId))
      throw new BankSimError(409, "ACCOUNT_EXISTS", `account ${account.accountId} already exists`);
    this.accounts.set(account.accountId, account);
    return account;
  }

  account(accountId: string): BankAccount {
    const account = this.accounts.get(accountId);
    if (account === undefined) throw new BankSimError(404, "ACCOUNT_NOT_FOUND", `no account ${accountId}`);
    return account;
  }

  /** Books an incoming transfer ("the buyer's bank transfer arrived"). */
  bookCredit(params: BookCreditParameters): BankTransaction {
    this.account(params.accountId);
    if (params.amountMinor <= 0n) throw new BankSimError(422, "INVALID_AMOUNT", "amountMinor must be positive");
    const transaction: BankTransaction = {
      transactionId: `TX-${String(this.transactions.length + 1).padStart(8, "0")}`,
      accountId: params.accountId,
      direction: "credit",
      status: "booked",
      amountMinor: params.amountMinor,
      currency: params.currency,
      reference: params.reference,
      payer: params.payer,
      bookedAt: params.bookedAt ?? new Date().toISOString(),
    };
    this.transactions.push(transaction);
    return transaction;
  }

  /** Entries of `accountId`, oldest first, optionally with exactly this reference. */
  entries(accountId: string, reference?: string): BankTransaction[] {
    this.account(accountId);
    return this.transactions.filter((t) => t.accountId === accountId && (reference === undefined || t.reference === reference));
  }

  /** Sum of the account's entries per currency (minor units). */
  balances(accountId: string): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    for (const t of this.entries(accountId)) out[t.currency] = (out[t.currency] ?? 0n) + t.amountMinor;
    return out;
  }
}
