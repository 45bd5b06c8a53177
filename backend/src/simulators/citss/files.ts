import { toCsv, toXlsx, type Cell } from "../core/files";
import { accountId, type Entity, type Movement } from "./book";
import { parseInstrumentKey } from "./instruments";
import { invalidationDeadline } from "./offsets";
import type { CitssRegistry } from "./registry";
import type { CitssTransfer } from "./transfers";

/**
 * CITSS offers no live query API to anyone outside (COMPLIANCE_REGISTRIES.md §2.7): an entity's representatives
 * see their accounts in the web application, and the public sees CARB's files. The simulator gives the
 * representatives downloadable CSVs [design: CITSS's own export layout is not published] and publishes xlsx
 * files in the shapes of CARB's Compliance Instrument Report, ARB Offset Credit Issuance table and compliance
 * report. Statements list executed movements only: a transfer request that is still open (or expired, denied,
 * declined, cancelled) is in its transfer details, never in a statement.
 */
const iso = (date: Date | undefined) => date?.toISOString() ?? "";

function instrumentCells(key: string): Cell[] {
  const instrument = parseInstrumentKey(key);
  return [key, instrument.type, instrument.vintage, instrument.issuanceId];
}

export const STATEMENT_COLUMNS = [
  "Entity ID",
  "Account",
  "Movement ID",
  "Event",
  "Completed (UTC)",
  "Direction",
  "Counterparty account",
  "Instrument",
  "Instrument type",
  "Vintage",
  "CARB Issuance ID",
  "Quantity",
  "Price",
  "Currency",
  "Transaction type",
  "Agreement date",
  "Transfer ID",
  "Obligation ID",
  "Reference",
];

export function entityStatementCsv(registry: CitssRegistry, entity: Entity, range: { from?: Date | undefined; to?: Date | undefined }): string {
  const accounts = new Set(entity.accounts.map((kind) => accountId(entity.id, kind)));
  const rows: Cell[][] = [];
  for (const m of registry.book.movements) {
    if (range.from !== undefined && m.at < range.from) continue;
    if (range.to !== undefined && m.at > range.to) continue;
    for (const [account, direction] of sides(m, accounts)) {
      const transfer = m.transferId === undefined ? undefined : registry.transfers.transfer(m.transferId);
      const counterparty = direction === "IN" ? m.fromAccount : m.toAccount;
      rows.push([
        entity.id,
        account,
        m.id,
        m.kind,
        iso(m.at),
        direction,
        counterparty ?? "",
        ...instrumentCells(m.instrument),
        m.quantity,
        m.price,
        transfer?.trade?.currency,
        transfer?.trade?.tradeType,
        transfer?.trade?.agreementDate,
        m.transferId,
        m.obligationId,
        m.reference,
      ]);
    }
  }
  return toCsv(STATEMENT_COLUMNS, rows);
}

function sides(m: Movement, accounts: ReadonlySet<string>): Array<[string, "IN" | "OUT"]> {
  const out: Array<[string, "IN" | "OUT"]> = [];
  if (m.fromAccount !== undefined && accounts.has(m.fromAccount)) out.push([m.fromAccount, "OUT"]);
  if (accounts.has(m.toAccount)) out.push([m.toAccount, "IN"]);
  return out;
}

export const HOLDINGS_COLUMNS = ["Entity ID", "Account", "As of (UTC)", "Instrument", "Instrument type", "Vintage", "CARB Issuance ID", "Available", "Pending transfer"];

export function entityHoldingsCsv(registry: CitssRegistry, entity: Entity): string {
  const asOf = iso(registry.clock.now());
  const rows: Cell[][] = [];
  for (const kind of entity.accounts) {
    const account = accountId(entity.id, kind);
    for (const [key, holding] of [...registry.book.holdingsOf(account)].sort(([a], [b]) => a.localeCompare(b))) {
      if (holding.available + holding.reserved === 0n) continue;
      rows.push([entity.id, account, asOf, ...instrumentCells(key), holding.available, holding.reserved]);
    }
  }
  return toCsv(HOLDINGS_COLUMNS, rows);
}

export const TRANSFER_COLUMNS = [
  "Transfer ID",
  "Kind",
  "Status",
  "From account",
  "To account",
  "Proposed by",
  "Proposed (UTC)",
  "Confirm by (UTC)",
  "Confirmed by",
  "Accept by (UTC)",
  "Accepted by",
  "Completed (UTC)",
  "Reason",
  "Transaction type",
  "Agreement date",
  "Currency",
  "Reference",
  "Instrument",
  "Quantity",
  "Price",
];

export function transferDetailsCsv(t: CitssTransfer): string {
  const head: Cell[] = [
    t.id,
    t.kind,
    t.status,
    t.fromAccount,
    t.toAccount,
    t.proposedBy,
    iso(t.proposedAt),
    iso(t.confirmBy),
    t.confirmedBy,
    t.kind === "TRANSFER" ? iso(t.acceptBy) : "",
    t.acceptedBy,
    iso(t.completedAt),
    t.reason,
    t.trade?.tradeType,
    t.trade?.agreementDate,
    t.trade?.currency,
    t.reference,
  ];
  return toCsv(TRANSFER_COLUMNS, t.items.map((item) => [...head, item.instrument, item.quantity, t.trade?.prices[item.instrument]]));
}

/** Quarterly Compliance Instrument Report shape: instrument rows, entity vs jurisdiction accounts. */
export const CIR_COLUMNS = ["Instrument", "Vintage", "Entity Accounts", "Jurisdiction Accounts", "All Accounts"];

export function complianceInstrumentReportXlsx(registry: CitssRegistry): Promise<Buffer> {
  const totals = new Map<string, { label: string; vintage: string; entity: bigint; jurisdiction: bigint; order: string }>();
  for (const [account, holdings] of registry.book.holdings) {
    const jurisdiction = account.startsWith("JURISDICTION/");
    for (const [key, holding] of holdings) {
      const quantity = holding.available + holding.reserved;
      if (quantity === 0n) continue;
      const instrument = parseInstrumentKey(key);
      const issuance = instrument.issuanceId === undefined ? undefined : registry.offsets.issuances.get(instrument.issuanceId);
      const row =
        instrument.type === "CCA" || instrument.type === "QCA"
          ? { label: `${instrument.type === "CCA" ? "California" : "Québec"} Allowances`, vintage: String(instrument.vintage), order: `0${instrument.type}${instrument.vintage}` }
          : instrument.type === "ARBOC"
            ? { label: `ARB Offset Credits - ${issuance?.projectType ?? "?"}${issuance?.earlyAction === true ? " (Early Action)" : ""}`, vintage: "", order: `2${issuance?.projectType}${issuance?.earlyAction}` }
            : { label: instrument.type === "APCR" ? "Non-Vintage Price Containment Reserve Allowances" : "Non-Vintage Québec Early Action Allowances (QC)", vintage: "Non-Vintage", order: `1${instrument.type}` };
      const entry = totals.get(row.order) ?? { ...row, entity: 0n, jurisdiction: 0n };
      if (jurisdiction) entry.jurisdiction += quantity;
      else entry.entity += quantity;
      totals.set(row.order, entry);
    }
  }
  const rows = [...totals.values()].sort((a, b) => a.order.localeCompare(b.order)).map((e) => [e.label, e.vintage, e.entity, e.jurisdiction, e.entity + e.jurisdiction]);
  return toXlsx([{ name: "Compliance Instrument Report", columns: CIR_COLUMNS, rows }]);
}

/** Columns A–AC of CARB's "ARB Offset Credit Issuance" sheet. */
export const ISSUANCE_COLUMNS = [
  "CARB Issuance ID",
  "OPR Project ID",
  "Project Type",
  "Early Action/ Compliance",
  "Reporting Period Start Date",
  "Reporting Period End Date",
  "Vintage",
  "ARB Offset Credits Issued",
  "Forest Buffer Account Contribution",
  "Issuance Date",
  "Invalidation Timeframe",
  "Date Invalidation Period Reduced",
  "Start of Invalidation Timeframe",
  "Offset Project Name",
  "Offset Project Operator",
  "Verification Body",
  "State",
  "Provides DEBS",
  "Section 95989(b) Documentation",
  "Project Documentation",
  "Buffer Pool Retired",
  "Retired for Intentional Reversal",
  "Retired Voluntarily",
  "Retired 1st Compliance Period (CA)",
  "Retired 2nd Compliance Period (CA)",
  "Retired 3rd Compliance Period (CA)",
  "Retired 4th Compliance Period (CA)",
  "Retired for Compliance in Quebec",
  "Comment",
];

export function offsetIssuanceXlsx(registry: CitssRegistry): Promise<Buffer> {
  const obligations = new Map(registry.office.obligations.map((o) => [o.id, o]));
  const rows = [...registry.offsets.issuances.values()].map((i) => {
    const key = `ARBOC-${i.issuanceId}`;
    const retired = (predicate: (m: Movement) => boolean) => registry.book.movements.filter((m) => m.instrument === key && predicate(m)).reduce((sum, m) => sum + m.quantity, 0n);
    const inPeriod = (period: string, jurisdiction: string) => (m: Movement) =>
      m.kind === "COMPLIANCE_SURRENDER" && obligations.get(m.obligationId ?? "")?.period === period && (m.fromAccount ?? "").startsWith(jurisdiction);
    return [
      i.issuanceId,
      i.oprProjectId,
      i.projectType,
      i.earlyAction ? "EA" : "COP",
      i.reportingPeriodStart,
      i.reportingPeriodEnd,
      i.vintage,
      i.issued,
      i.bufferContribution,
      i.issuanceDate,
      i.invalidatedOn !== undefined ? "INVALIDATED" : `${i.invalidationYears} years`,
      i.periodReducedOn,
      i.invalidationStart,
      i.projectName,
      i.operatorName,
      i.verificationBody,
      i.state,
      i.debs ? "Yes" : "No",
      "",
      "",
      0n,
      0n,
      retired((m) => m.kind === "VOLUNTARY_RETIREMENT"),
      retired(inPeriod("CP1", "CA")),
      retired(inPeriod("CP2", "CA")),
      retired(inPeriod("CP3", "CA")),
      retired(inPeriod("CP4", "CA")),
      retired((m) => m.kind === "COMPLIANCE_SURRENDER" && (m.fromAccount ?? "").startsWith("QC")),
      i.invalidatedOn === undefined ? `invalidation possible until ${invalidationDeadline(i)}` : `invalidated on ${i.invalidatedOn}`,
    ];
  });
  return toXlsx([{ name: "ARB Offset Credit Issuance", columns: ISSUANCE_COLUMNS, rows }]);
}

export const COMPLIANCE_COLUMNS = ["Entity ID", "Legal Name", "ARB GHG ID", "Obligation", "Compliance Obligation", "Allowances Surrendered", "Offsets Surrendered", "Total Surrendered", "Status"];

/** The compliance report: one row per processed obligation, Fulfilled / Unfulfilled, with detail tabs. */
export function complianceReportXlsx(registry: CitssRegistry): Promise<Buffer> {
  const processed = registry.office.obligations.filter((o) => o.status !== "PENDING");
  const summary = processed.map((o) => {
    const entity = registry.book.entity(o.entityId);
    const offsets = o.retired.filter((r) => r.instrument.startsWith("ARBOC-")).reduce((sum, r) => sum + r.quantity, 0n);
    const total = o.retired.reduce((sum, r) => sum + r.quantity, 0n);
    return [entity.id, entity.name, entity.arbGhgId, o.label, o.quantity, total - offsets, offsets, total, o.status === "FULFILLED" ? "Fulfilled" : "Unfulfilled"];
  });
  const allowanceDetail: Cell[][] = [];
  const offsetDetail: Cell[][] = [];
  for (const o of processed) {
    for (const r of o.retired) {
      const instrument = parseInstrumentKey(r.instrument);
      if (instrument.type === "ARBOC") {
        const vintage = registry.offsets.issuances.get(instrument.issuanceId ?? "")?.vintage;
        offsetDetail.push([o.entityId, o.label, vintage, r.quantity, instrument.issuanceId]);
      } else {
        allowanceDetail.push([o.entityId, o.label, instrument.vintage ?? "Non-Vintage", r.quantity]);
      }
    }
  }
  return toXlsx([
    { name: "Compliance", columns: COMPLIANCE_COLUMNS, rows: summary },
    { name: "Allowance Detail", columns: ["Entity ID", "Obligation", "Vintage", "Quantity"], rows: allowanceDetail },
    { name: "Offset Detail", columns: ["Entity ID", "Obligation", "Vintage", "Quantity", "ARB Project ID #"], rows: offsetDetail },
  ]);
}

