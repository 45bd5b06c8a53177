import type { Ledger } from "../core/ledger";
import type { SimBlock, SimEvent, SimOperation } from "../core/types";

/** Native Verra row shapes (field names as REGISTRIES.md lists them; mixed camelCase and snake_case). */

const VERRA_STATE: Record<SimBlock["status"], string> = {
  ACTIVE: "ISSUED",
  IMMOBILIZED: "IMMOBILIZED",
  ON_HOLD: "ON_HOLD",
  RETIRED: "RETIRED",
  CANCELLED: "CANCELLED",
};

const quantityOf = (block: SimBlock) => Number(block.blockEnd - block.blockStart + 1n);

export function issuanceRow(ledger: Ledger, block: SimBlock) {
  const project = ledger.projects.get(block.projectId);
  const a = block.attributes;
  return {
    entityId: Number(block.id),
    projectId: Number(block.projectId),
    vcsProjectId: block.projectId,
    projectName: project?.name ?? `Project ${block.projectId}`,
    vintage: a.vintage ?? null,
    holdingQuantity: quantityOf(block),
    serialNo: block.serial,
    unitType: "VCU",
    issueDate: a.issueDate ?? block.createdAt,
    periodStartDate: a.periodStartDate ?? null,
    periodEndDate: a.periodEndDate ?? null,
    countryName: project?.country ?? null,
    sectoralScope: a.sectoralScope ?? null,
    methodologies: a.methodologies ?? [],
    stateCode: "ISSUED",
    modifiedDate: block.updatedAt,
  };
}

export function holdingRow(ledger: Ledger, block: SimBlock) {
  return {
    ...issuanceRow(ledger, block),
    accountId: block.account,
    accountName: ledger.accounts.get(block.account)?.name ?? block.account,
    stateCode: VERRA_STATE[block.status],
    parentEntityId: block.parentId === undefined ? null : Number(block.parentId),
    labels: block.attributes.labels ?? [],
  };
}

export function retirementRow(ledger: Ledger, block: SimBlock) {
  return {
    entityId: Number(block.id),
    vcsProjectId: block.projectId,
    serialNo: block.serial,
    holdingQuantity: quantityOf(block),
    retiredDate: block.retirement?.retiredAt ?? block.updatedAt,
    beneficialOwner: block.retirement?.beneficiary ?? null,
    retirementReason: block.retirement?.reason ?? null,
    retirementReasonDetails: block.retirement?.details ?? null,
    retirementRemarks: block.retirement?.memo ?? null,
    stateCode: "RETIRED",
    accountId: block.account,
    accountName: ledger.accounts.get(block.account)?.name ?? block.account,
    parentEntityId: block.parentId === undefined ? null : Number(block.parentId),
  };
}

export function cancellationRow(block: SimBlock) {
  return {
    entityId: Number(block.id),
    serial_no: block.serial,
    block_start: Number(block.blockStart),
    block_end: Number(block.blockEnd),
    cancellation_date: block.cancellation?.cancelledAt ?? block.updatedAt,
    cancellationReason: block.cancellation?.reason ?? null,
    corresponding_adjustment_status: block.attributes.correspondingAdjustment ?? "NOT_APPLICABLE",
    status: "Cancelled",
  };
}

const OPERATION_STATE = { PENDING: "PENDING", CONFIRMED: "COMPLETED", REJECTED: "REJECTED" } as const;
const OPERATION_TYPE = { TRANSFER: "TRANSFER", IMMOBILIZE: "IMMOBILIZATION", RETIRE: "RETIREMENT" } as const;

export function operationRow(operation: SimOperation) {
  return {
    entityId: Number(operation.id.replace(/^OP-/, "")),
    operationId: operation.id,
    operationType: OPERATION_TYPE[operation.kind],
    remarks: operation.memo,
    stateCode: OPERATION_STATE[operation.status],
    sourceEntityId: Number(operation.blockId),
    holdingQuantity: Number(operation.quantity),
    accountId: operation.actingAccount,
    destinationAccountId: operation.toAccount ?? null,
    resultEntityIds: operation.resultBlockIds.map(Number),
    beneficialOwner: operation.retirement?.beneficiary ?? null,
    retirementReason: operation.retirement?.reason ?? null,
    retirementReasonDetails: operation.retirement?.details ?? null,
    rejectionReason: operation.rejectionReason ?? null,
    createdDate: operation.createdAt,
    completedDate: operation.confirmedAt ?? null,
  };
}

export function eventRow(event: SimEvent) {
  return {
    entityId: event.sequence,
    eventId: event.id,
    eventType: event.type,
    occurredDate: event.occurredAt,
    operationId: event.operationId ?? null,
    remarks: event.memo ?? null,
    entityIds: event.blockIds.map(Number),
    details: event.data,
  };
}
