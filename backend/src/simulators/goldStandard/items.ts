import type { Ledger } from "../core/ledger";
import type { SimBlock, SimOperation } from "../core/types";

/** Native Gold Standard item shapes (snake_case, string ids, numeric counts). */

const STATUS: Record<SimBlock["status"], string> = {
  ACTIVE: "ISSUED",
  IMMOBILIZED: "IMMOBILIZED",
  ON_HOLD: "ON_HOLD",
  RETIRED: "RETIRED",
  CANCELLED: "CANCELLED",
};

export function projectItem(ledger: Ledger, projectId: string) {
  const project = ledger.projects.get(projectId);
  return {
    id: Number(projectId),
    name: project?.name ?? `Project GS${projectId}`,
    status: "GOLD_STANDARD_CERTIFIED_PROJECT",
    sustaincert_id: Number(projectId),
    country: project?.attributes.countryName ?? project?.country ?? null,
    country_code: project?.country ?? null,
    methodology: project?.attributes.methodology ?? null,
    type: project?.attributes.type ?? null,
    carbon_stream: project?.attributes.carbonStream ?? null,
  };
}

export function creditItem(ledger: Ledger, block: SimBlock) {
  const live = block.status === "ACTIVE";
  const vintage = /-(\d{4})-\d+-\d+-\d+$/.exec(block.serial)?.[1];
  return {
    id: block.id,
    created_at: block.createdAt,
    updated_at: block.updatedAt,
    number_of_credits: Number(block.blockEnd - block.blockStart + 1n),
    starting_credit_number: Number(block.blockStart),
    ending_credit_number: Number(block.blockEnd),
    batch_number: Number(block.serial.split("-")[6]),
    serial_number: block.serial,
    certified_date: block.attributes.certifiedDate ?? block.createdAt.slice(0, 10),
    monitoring_period_start_date: block.attributes.monitoringPeriodStart ?? null,
    monitoring_period_end_date: block.attributes.monitoringPeriodEnd ?? null,
    status: STATUS[block.status],
    vintage: vintage === undefined ? null : Number(vintage),
    is_active: block.status !== "CANCELLED",
    is_transferable: live,
    is_retirable: live,
    is_cancelable: live,
    is_corsia_eligible: block.attributes.corsiaEligible === true,
    note: block.retirement?.memo ?? null,
    using_entity: block.retirement?.beneficiary ?? null,
    retirement_reason: block.retirement?.reason ?? null,
    account_id: block.account,
    parent_id: block.parentId ?? null,
    project: projectItem(ledger, block.projectId),
    product: { name: "Verified Emission Reduction", abbreviation: "VER" },
    labels: (block.attributes.labels as string[] | undefined) ?? [],
  };
}

const TYPE = { TRANSFER: "transfer", IMMOBILIZE: "immobilization", RETIRE: "retirement" } as const;

export function operationItem(operation: SimOperation) {
  return {
    id: operation.id,
    type: TYPE[operation.kind],
    status: operation.status === "CONFIRMED" ? "completed" : operation.status.toLowerCase(),
    credit_id: operation.blockId,
    number_of_credits: Number(operation.quantity),
    account_id: operation.actingAccount,
    destination_account_id: operation.toAccount ?? null,
    using_entity: operation.retirement?.beneficiary ?? null,
    retirement_reason: operation.retirement?.reason ?? null,
    note: operation.memo,
    result_credit_ids: operation.resultBlockIds,
    rejection_reason: operation.rejectionReason ?? null,
    created_at: operation.createdAt,
    completed_at: operation.confirmedAt ?? null,
  };
}
