/** The registry-agnostic state every simulator keeps in memory; each simulator renders it in its native schema. */

export type SimStatus = "ACTIVE" | "IMMOBILIZED" | "RETIRED" | "CANCELLED" | "ON_HOLD";
export type SimOperationKind = "TRANSFER" | "IMMOBILIZE" | "RETIRE";
export type SimOperationStatus = "PENDING" | "CONFIRMED" | "REJECTED";

export type SimAccount = {
  id: string;
  name: string;
  /** Native account type, e.g. I-REC `Issue | Redemption | Trade`. */
  type: string;
  /** Platform custody accounts may immobilize, and are the only ones that may move immobilized units. */
  platform: boolean;
};

export type SimProject = { id: string; name: string; country: string; attributes: Record<string, unknown> };

export type SimRetirement = {
  beneficiary?: string | undefined;
  reason?: string | undefined;
  details?: string | undefined;
  periodStart?: string | undefined;
  periodEnd?: string | undefined;
  memo: string;
  retiredAt: string;
};

export type SimBlock = {
  /** The registry's record id (numeric text, so Verra's `entityId` sort is meaningful). */
  id: string;
  /** Serial as the registry prints it; recomputed on every split. */
  serial: string;
  blockStart: bigint;
  blockEnd: bigint;
  projectId: string;
  account: string;
  status: SimStatus;
  /** The block this one was split from. */
  parentId?: string | undefined;
  immobilizedBy?: string | undefined;
  /** The status a hold interrupted, restored on release (an immobilized block stays immobilized). */
  statusBeforeHold?: SimStatus | undefined;
  retirement?: SimRetirement | undefined;
  cancellation?: { reason: string; cancelledAt: string } | undefined;
  /** An accepted, not yet confirmed operation holds the whole block. */
  pendingOperationId?: string | undefined;
  /** Native fields that are not part of the shared model (vintage, fuel, labels...). */
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
};

export type SimOperationRequest = {
  kind: SimOperationKind;
  memo: string;
  blockId: string;
  quantity: bigint;
  actingAccount: string;
  toAccount?: string | undefined;
  retirement?: Omit<SimRetirement, "memo" | "retiredAt"> | undefined;
};

export type SimOperation = SimOperationRequest & {
  id: string;
  status: SimOperationStatus;
  /** Units the operation takes, fixed when accepted (low end first). */
  rangeStart: bigint;
  rangeEnd: bigint;
  resultBlockIds: string[];
  rejectionReason?: string | undefined;
  createdAt: string;
  confirmedAt?: string | undefined;
};

export type SimEvent = {
  id: string;
  sequence: number;
  type:
    | "operation.accepted"
    | "operation.confirmed"
    | "operation.rejected"
    | "block.split"
    | "block.status_changed"
    | "block.created";
  occurredAt: string;
  operationId?: string | undefined;
  memo?: string | undefined;
  blockIds: string[];
  data: Record<string, unknown>;
};

export { SimError } from "./errors";
