import { SimError } from "../core/types";
import { accountId, COMPLIANCE_RETIRED, type HoldingsBook } from "./book";
import { instrumentKey, parseIssuanceId, type IssuanceIdParts } from "./instruments";

/**
 * ARB offset credits (COMPLIANCE_REGISTRIES.md §2.3, §2.6; §95982, §95985, §95990): one record per CARB
 * issuance, with the columns of CARB's "ARB Offset Credit Issuance" table. At issuance forest credits contribute
 * to the Forest Buffer Account; the rest go to the operator's holding account.
 *
 * CARB may invalidate an issuance within its invalidation timeframe: 8 years, or 3 after a second verification by
 * another body, counted from the end of the reporting period (compliance projects) or from issuance (Early
 * Action). Invalidation takes every credit of the issuance still held, in a compliance account or already
 * surrendered into the Invalidation Account. Credits that had been surrendered for compliance must be replaced
 * by the entities that surrendered them (obligations.ts); voluntarily retired ones stay retired.
 */
export type OffsetIssuance = IssuanceIdParts & {
  issuanceId: string;
  oprProjectId: string;
  reportingPeriodStart: string;
  reportingPeriodEnd: string;
  vintage: number;
  issued: bigint;
  bufferContribution: bigint;
  issuanceDate: string;
  invalidationYears: 8 | 3;
  invalidationStart: string;
  periodReducedOn?: string | undefined;
  projectName: string;
  operatorName: string;
  operatorEntityId: string;
  verificationBody: string;
  state: string;
  debs: boolean;
  invalidatedOn?: string | undefined;
};

export type IssueOffsetsParameters = Omit<OffsetIssuance, keyof IssuanceIdParts | "invalidationStart" | "periodReducedOn" | "invalidatedOn" | "invalidationYears"> & {
  earlyAction: boolean;
};

export type InvalidationResult = {
  issuance: OffsetIssuance;
  invalidated: bigint;
  /** Per entity: credits of the issuance it had surrendered for compliance, to be replaced. */
  surrenderedBy: Map<string, bigint>;
};

function addYears(date: string, years: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return `${String(year + years).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The last day CARB may invalidate the issuance. */
export function invalidationDeadline(issuance: Pick<OffsetIssuance, "invalidationStart" | "invalidationYears">): string {
  return addYears(issuance.invalidationStart, issuance.invalidationYears);
}

export class OffsetRegistry {
  readonly issuances = new Map<string, OffsetIssuance>();

  constructor(private readonly book: HoldingsBook) {}

  issue(params: IssueOffsetsParameters, at: Date): OffsetIssuance {
    const parts = parseIssuanceId(params.issuanceId);
    if (this.issuances.has(params.issuanceId)) throw new SimError(409, "ISSUANCE_EXISTS", `issuanceId: ${params.issuanceId} was already issued`);
    if (parts.earlyAction !== params.earlyAction) {
      throw new SimError(400, "EARLY_ACTION_MISMATCH", `earlyAction: CARB ids of Early Action projects have 0 as their fifth character; ${params.issuanceId} ${parts.earlyAction ? "is" : "is not"} one`);
    }
    if (params.bufferContribution > params.issued) throw new SimError(400, "BAD_BUFFER", "bufferContribution: larger than the credits issued");
    if (params.bufferContribution > 0n && parts.projectType !== "U.S. Forest") throw new SimError(400, "BAD_BUFFER", "bufferContribution: only forest projects contribute to the Forest Buffer Account");
    const entity = this.book.entity(params.operatorEntityId, "operatorEntityId");
    const issuance: OffsetIssuance = {
      ...params,
      ...parts,
      invalidationYears: 8,
      // Compliance projects: the end of the reporting period; Early Action: issuance (§95985(b), §95990(a)(3)).
      invalidationStart: parts.earlyAction ? params.issuanceDate : params.reportingPeriodEnd,
    };
    this.issuances.set(issuance.issuanceId, issuance);
    const key = instrumentKey({ type: "ARBOC", issuanceId: issuance.issuanceId });
    this.book.move({ at, kind: "ISSUANCE", toAccount: accountId(entity.id, "GENERAL"), instrument: key, quantity: params.issued - params.bufferContribution });
    if (params.bufferContribution > 0n) {
      this.book.move({ at, kind: "BUFFER_CONTRIBUTION", toAccount: "JURISDICTION/FOREST_BUFFER", instrument: key, quantity: params.bufferContribution });
    }
    return issuance;
  }

  issuance(id: string): OffsetIssuance {
    const issuance = this.issuances.get(id);
    if (issuance === undefined) throw new SimError(404, "ISSUANCE_NOT_FOUND", `issuanceId: no issuance ${id}`);
    return issuance;
  }

  /** A second verification by a different body cut the timeframe to 3 years (§95985(b)). */
  reduceInvalidationPeriod(id: string, on: string): OffsetIssuance {
    const issuance = this.issuance(id);
    issuance.invalidationYears = 3;
    issuance.periodReducedOn = on;
    return issuance;
  }

  /** Invalidates the issuance on `on` (a date); 422 once its timeframe is over or when already invalidated. */
  invalidate(id: string, on: string, at: Date): InvalidationResult {
    const issuance = this.issuance(id);
    if (issuance.invalidatedOn !== undefined) throw new SimError(422, "ALREADY_INVALIDATED", `issuanceId: ${id} was invalidated on ${issuance.invalidatedOn}`);
    const deadline = invalidationDeadline(issuance);
    if (on > deadline) {
      throw new SimError(422, "INVALIDATION_PERIOD_OVER", `issuanceId: the ${issuance.invalidationYears}-year invalidation timeframe of ${id} ended on ${deadline}`);
    }
    issuance.invalidatedOn = on;
    const key = instrumentKey({ type: "ARBOC", issuanceId: id });
    let invalidated = 0n;
    for (const [account, holdings] of this.book.holdings) {
      const holding = holdings.get(key);
      if (holding === undefined || account.startsWith("JURISDICTION/") || holding.available === 0n) continue;
      invalidated += holding.available;
      this.book.move({ at, kind: "INVALIDATION", fromAccount: account, toAccount: "JURISDICTION/INVALIDATION", instrument: key, quantity: holding.available });
    }
    const surrenderedBy = new Map<string, bigint>();
    for (const movement of this.book.movements) {
      if (movement.kind !== "COMPLIANCE_SURRENDER" || movement.instrument !== key || movement.fromAccount === undefined) continue;
      const entityId = movement.fromAccount.split("/")[0] ?? "";
      surrenderedBy.set(entityId, (surrenderedBy.get(entityId) ?? 0n) + movement.quantity);
    }
    const retired = this.book.holding(COMPLIANCE_RETIRED, key).available;
    if (retired > 0n) {
      invalidated += retired;
      this.book.move({ at, kind: "INVALIDATION", fromAccount: COMPLIANCE_RETIRED, toAccount: "JURISDICTION/INVALIDATION", instrument: key, quantity: retired });
    }
    return { issuance, invalidated, surrenderedBy };
  }
}
