import { z } from "zod";
import { SimError } from "../core/types";
import { isAllowance, isVintaged, type Instrument } from "./instruments";

/**
 * Which CITSS transfers exist and what each needs (COMPLIANCE_REGISTRIES.md §2.1, §2.4; CCR §95831, §95921,
 * QC s.25, s.26, s.26.1), pure.
 *
 * | from → to | kind | steps after the proposal |
 * |---|---|---|
 * | holding → another entity's holding | TRANSFER | second rep of the transferor confirms ≤ 2 days; a rep of the transferee accepts ≤ 3 days from the proposal; jurisdiction approval |
 * | holding → own compliance | TO_OWN_COMPLIANCE | confirmation; approval (no destination step, §95921) |
 * | holding → exchange clearing holding | TO_EXCHANGE_CLEARING | confirmation; approval (no acceptance, QC s.26.1; CA's flow is [U]) |
 * | holding → Retirement (jurisdiction) | VOLUNTARY_RETIREMENT | confirmation; approval; never counts for compliance |
 * | limited use holding → Auction (jurisdiction) | CONSIGNMENT | confirmation; approval |
 *
 * Refused: anything out of a compliance account (only the Executive Officer removes instruments, §95831(a));
 * a limited use holding account receiving, or sending anywhere but the auction; a compliance account of another
 * entity receiving (our reading [U]); offsets consigned (only allowances are consigned).
 */
export type AccountKind = "GENERAL" | "COMPLIANCE" | "LIMITED_USE" | "EXCHANGE_CLEARING";
export type JurisdictionAccountKind = "AUCTION" | "RETIREMENT" | "INVALIDATION" | "FOREST_BUFFER";
export type TransferKind = "TRANSFER" | "TO_OWN_COMPLIANCE" | "TO_EXCHANGE_CLEARING" | "VOLUNTARY_RETIREMENT" | "CONSIGNMENT";

export type Endpoint = { entityId: string; kind: AccountKind } | { entityId: "JURISDICTION"; kind: JurisdictionAccountKind };

export function classifyTransfer(from: Endpoint, to: Endpoint): TransferKind {
  const refuse = (field: string, message: string) => new SimError(422, "TRANSFER_NOT_ALLOWED", `${field}: ${message}`);
  if (from.entityId === "JURISDICTION") throw refuse("fromAccount", "jurisdiction accounts are moved by the Executive Officer only");
  if (from.kind === "COMPLIANCE") throw refuse("fromAccount", "instruments in a compliance account may not be removed by the entity; only the Executive Officer retires them");
  if (from.kind === "LIMITED_USE") {
    if (to.entityId === "JURISDICTION" && to.kind === "AUCTION") return "CONSIGNMENT";
    throw refuse("toAccount", "a limited use holding account can send only to the Auction Holding Account (consignment)");
  }
  if (from.kind === "EXCHANGE_CLEARING") throw refuse("fromAccount", "exchange clearing transfers out are the clearing house's, not modelled");
  if (to.entityId === "JURISDICTION") {
    if (to.kind === "RETIREMENT") return "VOLUNTARY_RETIREMENT";
    throw refuse("toAccount", `instruments cannot be transferred into the ${to.kind} account`);
  }
  if (to.kind === "LIMITED_USE") throw refuse("toAccount", "a limited use holding account cannot receive from other accounts");
  if (to.kind === "COMPLIANCE") {
    if (to.entityId === from.entityId) return "TO_OWN_COMPLIANCE";
    throw refuse("toAccount", "only the entity itself moves instruments into its compliance account");
  }
  if (to.kind === "EXCHANGE_CLEARING") return "TO_EXCHANGE_CLEARING";
  if (to.entityId === from.entityId) throw refuse("toAccount", "the source and destination are the same account");
  return "TRANSFER";
}

export function needsAcceptance(kind: TransferKind): boolean {
  return kind === "TRANSFER";
}

export function needsTradeData(kind: TransferKind): boolean {
  return kind === "TRANSFER" || kind === "TO_EXCHANGE_CLEARING";
}

/** Instrument kinds a transfer kind may carry. */
export function instrumentAllowed(kind: TransferKind, instrument: Instrument): boolean {
  return kind !== "CONSIGNMENT" || (isAllowance(instrument) && isVintaged(instrument));
}

export type TransferDeadlines = { confirmBy: Date; acceptBy: Date };

export function transferDeadlines(proposedAt: Date, confirmationDays: number, acceptanceDays: number): TransferDeadlines {
  const day = 86_400_000;
  return { confirmBy: new Date(proposedAt.getTime() + confirmationDays * day), acceptBy: new Date(proposedAt.getTime() + acceptanceDays * day) };
}

/**
 * The trade data a transfer between entities must carry (CA: agreement date, type, price per vintage, 2014
 * ICIS guide; QC s.25: settlement price per type/vintage and pricing method). A price may be left out for
 * transfers between related entities or bundled with other products (QC s.25).
 */
export const TRADE_TYPES = ["EXCHANGE", "OTC_DELIVERY_WITHIN_3_DAYS", "OTC_LATER_OR_BUNDLED"] as const;
export const tradeDataSchema = z.object({
  tradeType: z.enum(TRADE_TYPES),
  agreementDate: z.iso.date(),
  currency: z.enum(["USD", "CAD"]),
  /** Price per instrument (`CCA-2024`, `ARBOC-CAFR5003-A`...), a decimal with at most two places. */
  prices: z.record(z.string(), z.string().regex(/^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/, "expected a price such as 31.25")).default({}),
  pricingMethod: z.enum(["FIXED", "INDEX", "OTHER"]).optional(),
  relatedParty: z.boolean().default(false),
  bundled: z.boolean().default(false),
  exchangeCode: z.string().min(1).optional(),
  contractCode: z.string().min(1).optional(),
});
export type TradeData = z.output<typeof tradeDataSchema>;

/** 400 naming the first missing or inconsistent field. */
export function checkTradeData(kind: TransferKind, data: TradeData | undefined, instrumentKeys: readonly string[], today: string): void {
  if (!needsTradeData(kind)) return;
  if (data === undefined) throw new SimError(400, "TRADE_DATA_REQUIRED", "trade: a transfer between entities needs its trade data (tradeType, agreementDate, currency, prices)");
  if (data.agreementDate > today) throw new SimError(400, "BAD_AGREEMENT_DATE", `trade.agreementDate: ${data.agreementDate} is in the future`);
  if (!data.relatedParty && !data.bundled) {
    for (const key of instrumentKeys) {
      if (data.prices[key] === undefined) throw new SimError(400, "PRICE_REQUIRED", `trade.prices.${key}: a price per instrument and vintage is required (unless related party or bundled)`);
    }
  }
  if (kind === "TO_EXCHANGE_CLEARING" && (data.exchangeCode === undefined || data.contractCode === undefined)) {
    throw new SimError(400, "EXCHANGE_CODES_REQUIRED", "trade.exchangeCode: transfers to a clearing account carry the exchange and contract codes (QC s.26.1)");
  }
}

/**
 * §95920 at approval: the transferee's allowances of current and past vintages (non-vintage included), and of
 * each future vintage on its own, must stay within the holding limit. Offsets do not count; limited use and
 * exchange clearing accounts are excluded by the caller. Returns the breach, or undefined.
 */
export function holdingLimitBreach(holdings: ReadonlyArray<{ instrument: Instrument; quantity: bigint }>, limit: bigint, currentYear: number): string | undefined {
  const buckets = new Map<string, bigint>();
  for (const { instrument, quantity } of holdings) {
    if (!isAllowance(instrument)) continue;
    const vintage = instrument.vintage;
    const bucket = vintage !== undefined && vintage > currentYear ? `vintage ${vintage}` : `current and past vintages (to ${currentYear})`;
    buckets.set(bucket, (buckets.get(bucket) ?? 0n) + quantity);
  }
  for (const [bucket, total] of buckets) {
    if (total > limit) return `the transfer would put the transferee's ${bucket} allowances at ${total}, above the holding limit of ${limit} (§95920)`;
  }
  return undefined;
}
