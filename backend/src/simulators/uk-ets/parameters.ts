import { ENGLAND_AND_WALES_BANK_HOLIDAYS } from "./bank-holidays";

/**
 * Every UK ETS rule whose production value the registry does not publish, as a simulator parameter. Each
 * default names its source (S1 = UKGovernmentBEIS/ukets-registry @4e80ded9, as COMPLIANCE_REGISTRIES.md cites it).
 */
export type UkEtsParameters = {
  /**
   * Transaction window, local time. Default 10:00–16:00 Europe/London: the guidance
   * (`transaction-hours.component.html`, S1) says "Monday to Friday 10am to 4pm (UK time)"; the code's own defaults
   * are 09:00–18:00 and its test configuration 10:00–16:00.
   */
  windowStart: string;
  windowEnd: string;
  timeZone: string;
  /** England and Wales bank holidays (`YYYY-MM-DD`). Default: bank-holidays.ts (GOV.UK's list, 2021–2027). */
  bankHolidays: readonly string[];
  /**
   * Delay of a transfer to an account that is not trusted, in minutes, counted in working days. Default 1440: the
   * guidance says "24 hour delay" and its worked examples add one working day; the production setting is not in
   * S1 (code default 1, test configuration 3).
   */
  transactionDelayMinutes: number;
  /**
   * Delay before a trusted-account-list addition becomes ACTIVE, in minutes. Default 1440: the guidance says an
   * addition "takes 1 working day"; the production setting is not in S1 (code default 7).
   */
  trustedAccountActivationMinutes: number;
  /** Calendar days during which a surrender can be reversed (10-82). Default 14: S1 `...reverse.transaction.active.days:14`, check 3020. */
  reverseSurrenderDays: number;
  /**
   * The annual surrender deadline, local time, `MM-DDTHH:MM`. Default `04-30T23:59`: S1 e-mail templates say
   * "the deadline: 30 April, 11:59pm (UK time)"; static statuses are "computed at 30 April each year"
   * (`ComplianceService.java`). Surrenders completed up to the end of that minute count.
   */
  surrenderDeadline: string;
  /** First unit number of the registry-wide issuance sequence. Default 10,000,000,000: S1 `issuance_seq`, changelog v0.5.0. */
  firstSerial: bigint;
  /** First account identifier. Default 10000050: S1 `account_identifier_seq` restarted there, changelog v0.16.0. */
  firstAccountIdentifier: bigint;
  /** First transaction number (ids `UK100000`...). Default 100000: S1 `transaction_identifier_seq`, changelog v0.5.0. */
  firstTransactionNumber: number;
  /**
   * Whether an account may transfer to accounts not on its trusted list, for accounts opened without saying.
   * Default true: S1 has the flag `transfers_outside_tal` per account but no default for it [U].
   */
  defaultTransfersOutsideTal: boolean;
};

export const UK_ETS_DEFAULTS: UkEtsParameters = {
  windowStart: "10:00",
  windowEnd: "16:00",
  timeZone: "Europe/London",
  bankHolidays: ENGLAND_AND_WALES_BANK_HOLIDAYS,
  transactionDelayMinutes: 1440,
  trustedAccountActivationMinutes: 1440,
  reverseSurrenderDays: 14,
  surrenderDeadline: "04-30T23:59",
  firstSerial: 10_000_000_000n,
  firstAccountIdentifier: 10_000_050n,
  firstTransactionNumber: 100_000,
  defaultTransfersOutsideTal: true,
};
