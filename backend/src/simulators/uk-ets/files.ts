import { toCsv, toXlsx, type Cell } from "../core/files";
import type { UkAccount } from "./accounts";
import { quantityOf, type UnitBlock } from "./blocks";
import type { MovedBlock, UkEtsRegistry, UkTransaction } from "./registry";
import { TRANSACTION_STATUS_CODES, TRANSACTION_TYPES, type AccountType } from "./rules";

/**
 * What the UK ETS registry gives a third party instead of a query API (COMPLIANCE_REGISTRIES.md §1.9, §1.10):
 * files. The registry's own account statement (R0035) and transaction details (R0034) are PDFs whose layout is
 * not published; these CSVs carry the same facts in columns an adapter can read [design]. The public xlsx reports
 * copy the published column lists of R0031 and R0017. Times are UTC ISO 8601; numbers are decimal integers.
 *
 * A statement lists only EXECUTED transactions (those with a completion time): a proposal awaiting approval, a
 * DELAYED transfer or a rejected one appears in no statement, only in its own transaction details.
 */
export const ACCOUNT_TYPE_LABELS: Partial<Record<AccountType, string>> = {
  OPERATOR_HOLDING_ACCOUNT: "ETS - Operator holding account",
  AIRCRAFT_OPERATOR_HOLDING_ACCOUNT: "ETS - Aircraft operator holding account",
  MARITIME_OPERATOR_HOLDING_ACCOUNT: "ETS - Maritime operator holding account",
  TRADING_ACCOUNT: "ETS - Trading account",
  UK_AUCTION_DELIVERY_ACCOUNT: "ETS - UK Auction delivery account",
  NATIONAL_HOLDING_ACCOUNT: "ETS - National holding account",
};

const iso = (date: Date | undefined): string => date?.toISOString() ?? "";
const blockCells = (block: MovedBlock): Cell[] => [
  quantityOf(block),
  block.unitType,
  block.originatingCountryCode,
  block.originalPeriod,
  block.applicablePeriod,
  block.year,
  block.startBlock,
  block.endBlock,
];
const BLOCK_COLUMNS = ["Quantity", "Unit type", "Originating country", "Original period", "Applicable period", "Year", "Start block", "End block"];

export const STATEMENT_COLUMNS = [
  "Account number",
  "Transaction ID",
  "Transaction type",
  "Transaction description",
  "Status",
  "Completed (UTC)",
  "Direction",
  "Counterparty account",
  "Reference",
  ...BLOCK_COLUMNS,
];

export type StatementRange = { from?: Date | undefined; to?: Date | undefined };

/** The account statement: one row per block moved by an executed transaction in or out of the account. */
export function accountStatementCsv(registry: UkEtsRegistry, account: UkAccount, range: StatementRange): string {
  const executed = [...registry.transactions.values()]
    .filter((t) => t.completedAt !== undefined && (t.transferringAccountId === account.id || t.acquiringAccountId === account.id))
    .filter((t) => (range.from === undefined || (t.completedAt ?? 0) >= range.from) && (range.to === undefined || (t.completedAt ?? 0) <= range.to))
    .sort((a, b) => (a.completedAt?.getTime() ?? 0) - (b.completedAt?.getTime() ?? 0) || a.id.localeCompare(b.id));
  const rows = executed.flatMap((t) => {
    const incoming = t.acquiringAccountId === account.id;
    const head: Cell[] = [account.id, t.id, t.code, TRANSACTION_TYPES[t.code].description, t.status, iso(t.completedAt), incoming ? "IN" : "OUT", incoming ? (t.transferringAccountId ?? "") : t.acquiringAccountId, t.reference];
    return t.blocks.map((block) => [...head, ...blockCells(block)]);
  });
  return toCsv(STATEMENT_COLUMNS, rows);
}

export const HOLDINGS_COLUMNS = ["Account number", "As of (UTC)", ...BLOCK_COLUMNS, "Acquisition date (UTC)", "Reserved for transaction"];

/** The account's unit blocks now, reserved ones included and marked (they are held, not yet gone). */
export function holdingsCsv(registry: UkEtsRegistry, account: UkAccount): string {
  const asOf = iso(registry.clock.now());
  const rows = registry.blocksOf(account.id).map((block: UnitBlock) => [account.id, asOf, ...blockCells(block), iso(block.acquisitionDate), block.reservedForTransaction ?? ""]);
  return toCsv(HOLDINGS_COLUMNS, rows);
}

export const TRANSACTION_DETAILS_COLUMNS = [
  "Transaction ID",
  "Transaction type",
  "Transaction description",
  "Status",
  "Status code",
  "Transferring account",
  "Acquiring account",
  "Total quantity",
  "Reference",
  "Initiated by",
  "Approved by",
  "Acquiring account trusted",
  "Proposed (UTC)",
  "Approved (UTC)",
  "Execution due (UTC)",
  "Completed (UTC)",
  "Reason",
  ...BLOCK_COLUMNS,
];

/** One transaction: its header on every row, one row per block (reserved blocks while it is pending). */
export function transactionDetailsCsv(registry: UkEtsRegistry, t: UkTransaction): string {
  const head: Cell[] = [
    t.id,
    t.code,
    TRANSACTION_TYPES[t.code].description,
    t.status,
    TRANSACTION_STATUS_CODES[t.status],
    t.transferringAccountId ?? "",
    t.acquiringAccountId,
    t.quantity,
    t.reference,
    t.initiatorId,
    t.approverId ?? "",
    t.acquiringTrusted ? "Yes" : "No",
    iso(t.proposedAt),
    iso(t.approvedAt),
    iso(t.executeAt),
    iso(t.completedAt),
    t.reason ?? "",
  ];
  const blocks: MovedBlock[] = t.blocks.length > 0 ? t.blocks : t.status === "COMPLETED" ? [] : t.blockIds.map((id) => registry.block(id));
  const rows = blocks.length === 0 ? [[...head, ...BLOCK_COLUMNS.map(() => "")]] : blocks.map((block) => [...head, ...blockCells(block)]);
  return toCsv(TRANSACTION_DETAILS_COLUMNS, rows);
}

export const TAL_COLUMNS = ["Account number", "Entry ID", "Trusted account", "Description", "Status", "Requested by", "Requested (UTC)", "Approved by", "Activates (UTC)"];

export function trustedAccountsCsv(registry: UkEtsRegistry, account: UkAccount): string {
  const rows = registry.tal
    .entriesOf(account.id)
    .map((e) => [account.id, e.id, e.trustedAccountId, e.description, e.status, e.requestedBy, iso(e.requestedAt), e.approvedBy ?? "", iso(e.activatesAt)]);
  return toCsv(TAL_COLUMNS, rows);
}

/** The years the published compliance reports have columns for. */
export const REPORT_YEARS = [2021, 2022, 2023, 2024, 2025, 2026, 2027, 2028, 2029, 2030];

export const R0031_COLUMNS = [
  "Regulator",
  "Account Holder Name",
  "Account type",
  "Account status",
  "Operator ID",
  "Permit ID or Monitoring plan ID",
  "Installation name",
  "First Year of Operation",
  "Last Year of Operation",
  ...REPORT_YEARS.map((year) => `Recorded emissions ${year}`),
  "Cumulative emissions",
  ...REPORT_YEARS.map((year) => `Static surrender status ${year}`),
];

/** R0031 "Compliance Report - Emissions (only)", one row per operator account. */
export function complianceReportXlsx(registry: UkEtsRegistry): Promise<Buffer> {
  const rows = [...registry.accounts.accounts.values()]
    .filter((account) => account.operator !== undefined)
    .map((account) => {
      const operator = account.operator;
      const cumulative = [...account.emissions.values()].reduce((sum, value) => sum + value, 0n);
      return [
        operator?.regulator,
        account.holderName,
        ACCOUNT_TYPE_LABELS[account.type] ?? account.type,
        account.status,
        operator?.operatorId,
        operator?.permitId,
        operator?.installationName,
        operator?.firstYear,
        operator?.lastYear,
        ...REPORT_YEARS.map((year) => account.emissions.get(year)),
        cumulative,
        ...REPORT_YEARS.map((year) => account.staticStatuses.get(year)),
      ];
    });
  return toXlsx([{ name: "R0031", columns: R0031_COLUMNS, rows }]);
}

export const R0017_COLUMNS = ["Number of Units", "Type of Transaction", "Number of Transactions"];

/** R0017 "Transaction List": completed transactions of the year (UTC) per type. */
export function transactionListXlsx(registry: UkEtsRegistry, year: number): Promise<Buffer> {
  const byType = new Map<string, { units: bigint; count: number }>();
  for (const t of registry.transactions.values()) {
    if (t.completedAt === undefined || t.completedAt.getUTCFullYear() !== year) continue;
    const label = `${t.code} ${TRANSACTION_TYPES[t.code].description}`;
    const entry = byType.get(label) ?? { units: 0n, count: 0 };
    byType.set(label, { units: entry.units + t.quantity, count: entry.count + 1 });
  }
  const rows = [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, entry]) => [entry.units, label, entry.count]);
  return toXlsx([{ name: "R0017", columns: R0017_COLUMNS, rows }]);
}
