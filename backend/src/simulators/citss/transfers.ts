import type { SimClock } from "../core/clock";
import type { Representative, RepresentativeDirectory } from "../core/representatives";
import { SimError } from "../core/types";
import { isoDate, wallTimeIn } from "../core/zoned-time";
import { accountId, type Entity, type HoldingsBook } from "./book";
import { parseInstrumentKey } from "./instruments";
import { holdingLimitFor, type CitssParameters } from "./parameters";
import {
  checkTradeData,
  classifyTransfer,
  holdingLimitBreach,
  instrumentAllowed,
  needsAcceptance,
  transferDeadlines,
  type TradeData,
  type TransferKind,
} from "./transfer-rules";

/**
 * The CITSS transfer request and its lifecycle (§95921; QC s.26), who moves it:
 *
 * PROPOSED (a PAR/AAR of the transferor, with a one-time code; the instruments are reserved)
 *   → PENDING_ACCEPTANCE when ANOTHER PAR/AAR of the transferor confirms within `confirmationDays`, or
 *     PENDING_APPROVAL for kinds without an acceptance step (own compliance account, clearing, retirement,
 *     consignment);
 * PENDING_ACCEPTANCE → PENDING_APPROVAL when a PAR/AAR of the transferee accepts within `acceptanceDays` of the
 *   PROPOSAL (not of the confirmation), or DECLINED by one;
 * PENDING_APPROVAL → COMPLETED by the jurisdiction `jurisdictionReviewMinutes` later, or DENIED when it would put
 *   the transferee above its holding limit (§95920) or past the QC voluntary retirement cap;
 * PROPOSED / PENDING_ACCEPTANCE → EXPIRED when their deadline passes; → CANCELLED by a transferor's PAR/AAR.
 * Every end but COMPLETED releases the reserved instruments. Status names are the simulator's [sim].
 */
export type TransferStatus = "PROPOSED" | "PENDING_ACCEPTANCE" | "PENDING_APPROVAL" | "COMPLETED" | "EXPIRED" | "DENIED" | "DECLINED" | "CANCELLED";
const OPEN: ReadonlySet<TransferStatus> = new Set(["PROPOSED", "PENDING_ACCEPTANCE", "PENDING_APPROVAL"]);

export type TransferItem = { instrument: string; quantity: bigint };

export type CitssTransfer = {
  id: string;
  kind: TransferKind;
  fromAccount: string;
  toAccount: string;
  fromEntityId: string;
  toEntityId?: string | undefined;
  items: TransferItem[];
  trade?: TradeData | undefined;
  reference: string;
  status: TransferStatus;
  proposedBy: string;
  proposedAt: Date;
  confirmBy: Date;
  acceptBy: Date;
  confirmedBy?: string | undefined;
  confirmedAt?: Date | undefined;
  acceptedBy?: string | undefined;
  acceptedAt?: Date | undefined;
  reviewAt?: Date | undefined;
  completedAt?: Date | undefined;
  reason?: string | undefined;
  history: Array<{ status: TransferStatus; at: Date; by?: string | undefined }>;
};

export type ProposeTransferParameters = {
  fromAccount: string;
  toAccount: string;
  items: TransferItem[];
  trade?: TradeData | undefined;
  reference?: string | undefined;
  otp: string | undefined;
};

export class TransferDesk {
  readonly transfers = new Map<string, CitssTransfer>();
  private counter = 0;

  constructor(
    private readonly book: HoldingsBook,
    private readonly parameters: CitssParameters,
    private readonly clock: SimClock,
    private readonly representatives: RepresentativeDirectory,
  ) {}

  propose(representative: Representative, params: ProposeTransferParameters): CitssTransfer {
    const from = this.book.endpoint(params.fromAccount, "fromAccount");
    const to = this.book.endpoint(params.toAccount, "toAccount");
    const kind = classifyTransfer(from, to);
    const fromEntity = this.book.entity(from.entityId, "fromAccount");
    this.actingFor(fromEntity, representative);
    if (params.items.length === 0) throw new SimError(400, "NO_ITEMS", "items: at least one instrument and quantity");
    const keys = new Set<string>();
    for (const [index, item] of params.items.entries()) {
      const instrument = parseInstrumentKey(item.instrument, `items[${index}].instrument`);
      if (keys.has(item.instrument)) throw new SimError(400, "DUPLICATE_ITEM", `items[${index}].instrument: ${item.instrument} is listed twice`);
      keys.add(item.instrument);
      if (!instrumentAllowed(kind, instrument)) throw new SimError(422, "INSTRUMENT_NOT_ALLOWED", `items[${index}].instrument: ${item.instrument} cannot be moved by a ${kind}`);
      const holding = this.book.holding(params.fromAccount, item.instrument);
      if (holding.available < item.quantity) {
        throw new SimError(422, "INSUFFICIENT_INSTRUMENTS", `items[${index}].quantity: ${params.fromAccount} holds ${holding.available} available ${item.instrument}, fewer than ${item.quantity}`);
      }
    }
    const now = this.clock.now();
    checkTradeData(kind, params.trade, [...keys], isoDate(wallTimeIn(this.parameters.timeZone, now)));
    if (kind === "VOLUNTARY_RETIREMENT") this.checkRetirementCap(fromEntity, params.items, now);
    this.representatives.verifyCode(representative, params.otp);
    const deadlines = transferDeadlines(now, this.parameters.confirmationDays, this.parameters.acceptanceDays);
    const transfer: CitssTransfer = {
      id: `TR${String(++this.counter).padStart(6, "0")}`,
      kind,
      fromAccount: params.fromAccount,
      toAccount: params.toAccount,
      fromEntityId: fromEntity.id,
      toEntityId: to.entityId === "JURISDICTION" ? undefined : to.entityId,
      items: params.items,
      trade: params.trade,
      reference: params.reference ?? "",
      status: "PROPOSED",
      proposedBy: representative.id,
      proposedAt: now,
      ...deadlines,
      history: [{ status: "PROPOSED", at: now, by: representative.id }],
    };
    for (const item of params.items) this.book.reserve(params.fromAccount, item.instrument, item.quantity, "items");
    this.transfers.set(transfer.id, transfer);
    return transfer;
  }

  confirm(representative: Representative, id: string, otp: string | undefined): CitssTransfer {
    const transfer = this.open(id, "PROPOSED");
    this.actingFor(this.book.entity(transfer.fromEntityId), representative);
    if (representative.id === transfer.proposedBy) {
      throw new SimError(403, "SAME_REPRESENTATIVE", "a different representative of the transferring entity must confirm the transfer request");
    }
    this.representatives.verifyCode(representative, otp);
    const now = this.clock.now();
    transfer.confirmedBy = representative.id;
    transfer.confirmedAt = now;
    if (needsAcceptance(transfer.kind)) this.setStatus(transfer, "PENDING_ACCEPTANCE", now, representative.id);
    else this.awaitApproval(transfer, now, representative.id);
    return transfer;
  }

  accept(representative: Representative, id: string, otp: string | undefined, decision: "accept" | "decline"): CitssTransfer {
    const transfer = this.open(id, "PENDING_ACCEPTANCE");
    this.actingFor(this.book.entity(transfer.toEntityId ?? ""), representative);
    this.representatives.verifyCode(representative, otp);
    const now = this.clock.now();
    if (decision === "decline") return this.end(transfer, "DECLINED", now, "declined by the transferee", representative.id);
    transfer.acceptedBy = representative.id;
    transfer.acceptedAt = now;
    this.awaitApproval(transfer, now, representative.id);
    return transfer;
  }

  cancel(representative: Representative, id: string, otp: string | undefined): CitssTransfer {
    const transfer = this.transfer(id);
    this.actingFor(this.book.entity(transfer.fromEntityId), representative);
    if (!OPEN.has(transfer.status) || transfer.status === "PENDING_APPROVAL") {
      throw new SimError(409, "TRANSFER_NOT_CANCELLABLE", `transferId: ${id} is ${transfer.status}`);
    }
    this.representatives.verifyCode(representative, otp);
    return this.end(transfer, "CANCELLED", this.clock.now(), "cancelled by the transferor", representative.id);
  }

  /** Expires what missed a deadline and decides what the jurisdiction has reviewed. */
  tick(now: Date): void {
    for (const transfer of this.transfers.values()) {
      if (transfer.status === "PROPOSED" && now > transfer.confirmBy) {
        this.end(transfer, "EXPIRED", transfer.confirmBy, `not confirmed by a second representative within ${this.parameters.confirmationDays} days`);
      } else if (transfer.status === "PENDING_ACCEPTANCE" && now > transfer.acceptBy) {
        this.end(transfer, "EXPIRED", transfer.acceptBy, `not accepted by the transferee within ${this.parameters.acceptanceDays} days of the proposal`);
      } else if (transfer.status === "PENDING_APPROVAL" && transfer.reviewAt !== undefined && now >= transfer.reviewAt) {
        this.decide(transfer, transfer.reviewAt);
      }
    }
  }

  /** Ends every open transfer carrying `instrument` (an invalidated offset) as DENIED, releasing its reservation. */
  denyCarrying(instrument: string, reason: string, at: Date): void {
    for (const transfer of this.transfers.values()) {
      if (OPEN.has(transfer.status) && transfer.items.some((item) => item.instrument === instrument)) this.end(transfer, "DENIED", at, reason);
    }
  }

  transfer(id: string): CitssTransfer {
    const transfer = this.transfers.get(id);
    if (transfer === undefined) throw new SimError(404, "TRANSFER_NOT_FOUND", `transferId: no transfer ${id}`);
    return transfer;
  }

  /** 403 unless the representative is the entity's PAR or an AAR (AVAs only view). */
  actingFor(entity: Entity, representative: Representative): void {
    const role = entity.representatives.get(representative.id);
    if (role === undefined) throw new SimError(403, "NOT_A_REPRESENTATIVE", `${representative.id} is not a representative of ${entity.id}`);
    if (role === "AVA") throw new SimError(403, "VIEW_ONLY", `${representative.id} is an account viewing agent of ${entity.id} and cannot act`);
  }

  private decide(transfer: CitssTransfer, at: Date): void {
    const breach = this.approvalBreach(transfer, at);
    if (breach !== undefined) {
      this.end(transfer, "DENIED", at, breach);
      return;
    }
    const price = (instrument: string) => transfer.trade?.prices[instrument];
    const kind = transfer.kind === "VOLUNTARY_RETIREMENT" ? "VOLUNTARY_RETIREMENT" : transfer.kind === "CONSIGNMENT" ? "CONSIGNMENT" : "TRANSFER";
    for (const item of transfer.items) {
      this.book.move({ at, kind, fromAccount: transfer.fromAccount, toAccount: transfer.toAccount, instrument: item.instrument, quantity: item.quantity, transferId: transfer.id, price: price(item.instrument), reference: transfer.reference, fromReserved: true });
    }
    transfer.completedAt = at;
    this.setStatus(transfer, "COMPLETED", at, "JURISDICTION");
  }

  private approvalBreach(transfer: CitssTransfer, at: Date): string | undefined {
    if (transfer.kind === "VOLUNTARY_RETIREMENT") {
      try {
        this.checkRetirementCap(this.book.entity(transfer.fromEntityId), transfer.items, at);
      } catch (error) {
        return (error as Error).message;
      }
    }
    if (transfer.toEntityId === undefined || transfer.kind === "TO_EXCHANGE_CLEARING") return undefined;
    const entity = this.book.entity(transfer.toEntityId);
    if (entity.holdingLimitExempt) return undefined;
    const counted = [accountId(entity.id, "GENERAL"), accountId(entity.id, "COMPLIANCE")];
    const after = this.book.positions(counted);
    if (transfer.fromEntityId !== entity.id) for (const item of transfer.items) after.push({ key: item.instrument, instrument: parseInstrumentKey(item.instrument), quantity: item.quantity });
    const limit = this.parameters.holdingLimit ?? holdingLimitFor(this.parameters.allowanceBudget);
    return holdingLimitBreach(after, limit, wallTimeIn(this.parameters.timeZone, at).year);
  }

  private checkRetirementCap(entity: Entity, items: readonly TransferItem[], at: Date): void {
    if (entity.jurisdiction !== "QC") return;
    const year = wallTimeIn(this.parameters.timeZone, at).year;
    const done = this.book.movements
      .filter((m) => m.kind === "VOLUNTARY_RETIREMENT" && m.fromAccount?.startsWith(`${entity.id}/`) && wallTimeIn(this.parameters.timeZone, m.at).year === year)
      .reduce((sum, m) => sum + m.quantity, 0n);
    const asked = items.reduce((sum, item) => sum + item.quantity, 0n);
    if (done + asked > this.parameters.quebecRetirementCapPerYear) {
      throw new SimError(422, "RETIREMENT_CAP", `items: a Québec entity may retire at most ${this.parameters.quebecRetirementCapPerYear} instruments a year voluntarily (QC s.27); ${done} already retired in ${year}`);
    }
  }

  private awaitApproval(transfer: CitssTransfer, now: Date, by: string): void {
    transfer.reviewAt = new Date(now.getTime() + this.parameters.jurisdictionReviewMinutes * 60_000);
    this.setStatus(transfer, "PENDING_APPROVAL", now, by);
    if (transfer.reviewAt <= now) this.decide(transfer, now);
  }

  private open(id: string, expected: TransferStatus): CitssTransfer {
    this.tick(this.clock.now());
    const transfer = this.transfer(id);
    if (transfer.status !== expected) throw new SimError(409, "WRONG_TRANSFER_STATE", `transferId: ${id} is ${transfer.status}, not ${expected}`);
    return transfer;
  }

  private end(transfer: CitssTransfer, status: TransferStatus, at: Date, reason: string, by?: string): CitssTransfer {
    for (const item of transfer.items) this.book.release(transfer.fromAccount, item.instrument, item.quantity);
    transfer.reason = reason;
    this.setStatus(transfer, status, at, by);
    return transfer;
  }

  private setStatus(transfer: CitssTransfer, status: TransferStatus, at: Date, by?: string): void {
    transfer.status = status;
    transfer.history.push({ status, at, by });
  }
}
