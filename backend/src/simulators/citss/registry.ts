import type { SimClock } from "../core/clock";
import type { RepresentativeDirectory } from "../core/representatives";
import { SimError } from "../core/types";
import { isoDate, wallTimeIn } from "../core/zoned-time";
import { accountId, HoldingsBook, type Entity, type EntityType, type Jurisdiction, type RepresentativeRole } from "./book";
import { instrumentKey, parseInstrumentKey, type Instrument } from "./instruments";
import { invalidationDeadline, OffsetRegistry, type IssueOffsetsParameters, type OffsetIssuance } from "./offsets";
import { ComplianceOffice } from "./obligations";
import type { CitssParameters } from "./parameters";
import { TransferDesk } from "./transfers";

/**
 * The CITSS simulator's state: entities and holdings (book.ts), transfers (transfers.ts), ARB offsets
 * (offsets.ts) and the compliance events (obligations.ts), on the simulator clock. `tick()` runs after every
 * request and clock move: expiries, jurisdiction decisions, then compliance deadlines.
 */
export type OpenEntityParameters = {
  jurisdiction: Jurisdiction;
  name: string;
  entityType: EntityType;
  arbGhgId?: string | undefined;
  holdingLimitExempt?: boolean | undefined;
  limitedUse?: boolean | undefined;
  exchangeClearing?: boolean | undefined;
};

export class CitssRegistry {
  readonly book: HoldingsBook;
  readonly transfers: TransferDesk;
  readonly offsets: OffsetRegistry;
  readonly office: ComplianceOffice;

  constructor(
    readonly parameters: CitssParameters,
    readonly clock: SimClock,
    readonly representatives: RepresentativeDirectory,
  ) {
    this.book = new HoldingsBook(parameters.firstEntityNumber);
    this.transfers = new TransferDesk(this.book, parameters, clock, representatives);
    this.offsets = new OffsetRegistry(this.book);
    this.office = new ComplianceOffice(this.book, this.offsets, parameters);
  }

  tick(): void {
    const now = this.clock.now();
    this.transfers.tick(now);
    this.office.tick(now);
  }

  openEntity(params: OpenEntityParameters): Entity {
    return this.book.addEntity({ ...params, holdingLimitExempt: params.holdingLimitExempt ?? false });
  }

  /** §95832(a): exactly one primary account representative, at most `maxAlternateRepresentatives` alternates. */
  appoint(entityId: string, representativeId: string, role: RepresentativeRole): Entity {
    const entity = this.book.entity(entityId);
    this.representatives.get(representativeId);
    const roles = [...entity.representatives.entries()].filter(([id]) => id !== representativeId).map(([, r]) => r);
    if (role === "PAR" && roles.includes("PAR")) throw new SimError(409, "PAR_EXISTS", `role: ${entity.id} already has a primary account representative`);
    if (role === "AAR" && roles.filter((r) => r === "AAR").length >= this.parameters.maxAlternateRepresentatives) {
      throw new SimError(409, "TOO_MANY_AARS", `role: ${entity.id} already has ${this.parameters.maxAlternateRepresentatives} alternate account representatives`);
    }
    entity.representatives.set(representativeId, role);
    return entity;
  }

  /** Allowances into an entity's holding or limited use account: what auctions, allocation and reserve sales deliver. */
  deliverAllowances(entityId: string, instrument: Instrument, quantity: bigint, account: "GENERAL" | "LIMITED_USE" = "GENERAL"): void {
    if (instrument.type === "ARBOC") throw new SimError(400, "INVALID_INSTRUMENT", "instrument: offsets are issued through /_admin/offsets");
    const entity = this.book.entity(entityId);
    const target = this.book.endpoint(accountId(entity.id, account), "account");
    if (quantity <= 0n) throw new SimError(400, "BAD_QUANTITY", "quantity: must be positive");
    this.book.move({ at: this.clock.now(), kind: "ISSUANCE", toAccount: accountId(target.entityId, target.kind), instrument: instrumentKey(instrument), quantity });
  }

  issueOffsets(params: IssueOffsetsParameters): OffsetIssuance {
    return this.offsets.issue(params, this.clock.now());
  }

  /** An invalidation event: open transfers of the credits are denied, the credits invalidated, replacements due. */
  invalidate(issuanceId: string): { issuance: OffsetIssuance; invalidated: bigint; replacements: ReturnType<ComplianceOffice["replaceInvalidated"]> } {
    const now = this.clock.now();
    const key = instrumentKey({ type: "ARBOC", issuanceId });
    const issuance = this.offsets.issuance(issuanceId);
    const today = isoDate(wallTimeIn(this.parameters.timeZone, now));
    // Deny first (releasing reservations) only when the invalidation will go through; offsets.invalidate checks again.
    if (issuance.invalidatedOn === undefined && today <= invalidationDeadline(issuance)) this.transfers.denyCarrying(key, `the offset credits ${issuanceId} were invalidated`, now);
    const result = this.offsets.invalidate(issuanceId, today, now);
    return { issuance: result.issuance, invalidated: result.invalidated, replacements: this.office.replaceInvalidated(issuanceId, result.surrenderedBy, now) };
  }

  instrument(key: string): Instrument {
    return parseInstrumentKey(key);
  }
}
