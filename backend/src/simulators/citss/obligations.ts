import { wallTimeIn } from "../core/zoned-time";
import { accountId, COMPLIANCE_RETIRED, type Entity, type HoldingsBook } from "./book";
import {
  annualObligation,
  deadlineOf,
  offsetAllowance,
  offsetLimits,
  periodOf,
  selectForSurrender,
  untimelyObligation,
  type EligibleHolding,
} from "./compliance";
import { parseInstrumentKey } from "./instruments";
import type { OffsetRegistry } from "./offsets";
import type { CitssParameters } from "./parameters";

/**
 * The Executive Officer's compliance events (COMPLIANCE_REGISTRIES.md §2.5, §2.6), run by the clock: at each
 * deadline the obligations due are computed from the emissions on record and instruments are retired from each
 * covered entity's compliance account (compliance.ts). A shortfall leaves the obligation UNFULFILLED and creates
 * an UNTIMELY one of `untimelyMultiplier` × the shortfall; an invalidation creates REPLACEMENT obligations due
 * `invalidationReplacementMonths` later. Voluntarily retired instruments are in the Retirement account, never in
 * a compliance account, so they never count.
 */
export type ObligationKind = "ANNUAL" | "FULL_PERIOD" | "UNTIMELY" | "REPLACEMENT";

export type Obligation = {
  id: string;
  entityId: string;
  kind: ObligationKind;
  /** `2024 annual`, `CP5`, `untimely 2024 annual`, `replacement CAFR5003-A`. */
  label: string;
  period: string;
  /** The year whose vintage rule applies (the annual year; the period's last year). */
  obligationYear: number;
  quantity: bigint;
  offsetLimit: bigint;
  nonDebsLimit: bigint;
  dueAt: Date;
  status: "PENDING" | "FULFILLED" | "UNFULFILLED";
  retired: Array<{ instrument: string; quantity: bigint }>;
  shortfall: bigint;
  /** The obligation an untimely or replacement obligation follows from. */
  follows?: string | undefined;
};

export class ComplianceOffice {
  readonly obligations: Obligation[] = [];
  private readonly scheduled = new Set<string>();

  constructor(
    private readonly book: HoldingsBook,
    private readonly offsets: OffsetRegistry,
    private readonly parameters: CitssParameters,
  ) {}

  /** Runs every compliance event due at `now`, in deadline order. */
  tick(now: Date): void {
    const year = wallTimeIn(this.parameters.timeZone, now).year;
    for (const entity of this.book.entities.values()) {
      if (entity.entityType === "VOLUNTARILY_ASSOCIATED_ENTITY") continue;
      for (const emissionYear of [...entity.emissions.keys()].sort()) {
        if (emissionYear >= year) continue;
        this.schedule(entity, emissionYear, now);
      }
    }
    const due = this.obligations.filter((o) => o.status === "PENDING" && o.dueAt <= now).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    for (const obligation of due) this.process(obligation);
  }

  /** Replacement obligations after an invalidation (§95857(a)(2): six months to replace). */
  replaceInvalidated(issuanceId: string, surrenderedBy: ReadonlyMap<string, bigint>, at: Date): Obligation[] {
    const dueAt = new Date(at);
    dueAt.setUTCMonth(dueAt.getUTCMonth() + this.parameters.invalidationReplacementMonths);
    const created: Obligation[] = [];
    for (const [entityId, quantity] of surrenderedBy) {
      const original = this.obligations.find((o) => o.entityId === entityId && o.retired.some((r) => r.instrument === `ARBOC-${issuanceId}`));
      const obligationYear = original?.obligationYear ?? wallTimeIn(this.parameters.timeZone, at).year;
      created.push(this.add({ entityId, kind: "REPLACEMENT", label: `replacement ${issuanceId}`, period: original?.period ?? "", obligationYear, quantity, offsetLimit: quantity, nonDebsLimit: quantity, dueAt, follows: original?.id }));
    }
    return created;
  }

  of(entityId: string): Obligation[] {
    return this.obligations.filter((o) => o.entityId === entityId);
  }

  private schedule(entity: Entity, emissionYear: number, now: Date): void {
    const period = periodOf(emissionYear, this.parameters.periods);
    const deadline = deadlineOf(emissionYear + 1, this.parameters.surrenderDeadline, this.parameters.timeZone);
    if (now < deadline) return;
    if (emissionYear < period.lastYear) {
      const key = `${entity.id}:ANNUAL:${emissionYear}`;
      if (this.scheduled.has(key)) return;
      this.scheduled.add(key);
      const quantity = annualObligation(entity.emissions.get(emissionYear) ?? 0n, this.parameters.annualSurrenderPercent);
      const limits = offsetLimits(offsetAllowance(quantity, this.parameters.offsetLimitBasisPoints(emissionYear)), emissionYear >= this.parameters.debsRuleFromYear);
      this.add({ entityId: entity.id, kind: "ANNUAL", label: `${emissionYear} annual`, period: period.name, obligationYear: emissionYear, quantity, ...limits, dueAt: deadline });
      return;
    }
    const key = `${entity.id}:FULL:${period.name}`;
    if (this.scheduled.has(key)) return;
    this.scheduled.add(key);
    const annuals = this.obligations.filter((o) => o.entityId === entity.id && o.kind === "ANNUAL" && o.period === period.name);
    let emitted = 0n;
    let allowance = 0n;
    for (let y = period.firstYear; y <= period.lastYear; y++) {
      const emissions = entity.emissions.get(y) ?? 0n;
      emitted += emissions;
      allowance += offsetAllowance(emissions, this.parameters.offsetLimitBasisPoints(y));
    }
    const annualQuantity = annuals.reduce((sum, o) => sum + o.quantity, 0n);
    const offsetsUsed = annuals.reduce((sum, o) => sum + o.retired.filter((r) => r.instrument.startsWith("ARBOC-")).reduce((s, r) => s + r.quantity, 0n), 0n);
    const quantity = emitted > annualQuantity ? emitted - annualQuantity : 0n;
    const limits = offsetLimits(allowance - offsetsUsed, period.lastYear >= this.parameters.debsRuleFromYear);
    this.add({ entityId: entity.id, kind: "FULL_PERIOD", label: period.name, period: period.name, obligationYear: period.lastYear, quantity, ...limits, dueAt: deadline });
  }

  private process(obligation: Obligation): void {
    const compliance = accountId(obligation.entityId, "COMPLIANCE");
    const holdings: EligibleHolding[] = [...this.book.holdingsOf(compliance)].map(([key, holding]) => {
      const instrument = parseInstrumentKey(key);
      const debs = instrument.issuanceId === undefined ? undefined : this.offsets.issuances.get(instrument.issuanceId)?.debs;
      return { key, quantity: holding.available, debs };
    });
    const selection = selectForSurrender(holdings, {
      quantity: obligation.quantity,
      obligationYear: obligation.obligationYear,
      offsetLimit: obligation.offsetLimit,
      nonDebsLimit: obligation.nonDebsLimit,
      vintageExceptions: this.parameters.vintageExceptions,
    });
    for (const pick of selection.picks) {
      this.book.move({ at: obligation.dueAt, kind: "COMPLIANCE_SURRENDER", fromAccount: compliance, toAccount: COMPLIANCE_RETIRED, instrument: pick.key, quantity: pick.quantity, obligationId: obligation.id });
      obligation.retired.push({ instrument: pick.key, quantity: pick.quantity });
    }
    obligation.shortfall = selection.shortfall;
    obligation.status = selection.shortfall === 0n ? "FULFILLED" : "UNFULFILLED";
    if (selection.shortfall > 0n && obligation.kind !== "UNTIMELY") {
      const untimely = untimelyObligation(selection.shortfall, this.parameters.untimelyMultiplier, this.parameters.untimelyOffsetPercent);
      this.add({
        entityId: obligation.entityId,
        kind: "UNTIMELY",
        label: `untimely ${obligation.label}`,
        period: obligation.period,
        obligationYear: obligation.obligationYear,
        quantity: untimely.quantity,
        offsetLimit: untimely.offsetLimit,
        nonDebsLimit: untimely.offsetLimit,
        dueAt: new Date(obligation.dueAt.getTime() + this.parameters.untimelyDueDays * 86_400_000),
        follows: obligation.id,
      });
    }
  }

  private add(fields: Omit<Obligation, "id" | "status" | "retired" | "shortfall">): Obligation {
    const obligation: Obligation = { ...fields, id: `OB${String(this.obligations.length + 1).padStart(5, "0")}`, status: "PENDING", retired: [], shortfall: 0n };
    this.obligations.push(obligation);
    return obligation;
  }
}
