import type { Ledger } from "../core/ledger";
import type { SimBlock, SimOperation } from "../core/types";

/** Native I-REC (Evident) shapes. Certificate numbers are opaque strings; we print 13 zero-padded digits. */

export const certNumber = (value: bigint) => value.toString().padStart(13, "0");

const STATUS: Record<SimBlock["status"], string> = {
  ACTIVE: "Active",
  IMMOBILIZED: "Immobilised",
  ON_HOLD: "OnHold",
  RETIRED: "Redeemed",
  CANCELLED: "Cancelled",
};

export function itemOf(ledger: Ledger, block: SimBlock) {
  const a = block.attributes;
  const device = ledger.projects.get(block.projectId);
  return {
    code: block.id,
    volume: Number(block.blockEnd - block.blockStart + 1n),
    start_date: (a.startDate as string | undefined) ?? "2024-01-01",
    end_date: (a.endDate as string | undefined) ?? "2024-01-31",
    fuel: {
      code: (a.fuelCode as string | undefined) ?? "ES100",
      description: (a.fuelDescription as string | undefined) ?? "Solar",
    },
    type: {
      code: (a.typeCode as string | undefined) ?? "TC110",
      description: (a.typeDescription as string | undefined) ?? "Photovoltaic",
    },
    device: { code: block.projectId, name: device?.name ?? `Device ${block.projectId}` },
    country: device?.country ?? "IN",
    product: "I-REC(E)",
    status: STATUS[block.status],
    account_code: block.account,
    parent_code: block.parentId ?? null,
    redemption:
      block.retirement === undefined
        ? null
        : {
            beneficiary_id: block.retirement.beneficiary ?? null,
            purpose: block.retirement.reason ?? null,
            period_start: block.retirement.periodStart ?? null,
            period_end: block.retirement.periodEnd ?? null,
            notes: block.retirement.memo,
            redeemed_at: block.retirement.retiredAt,
          },
  };
}

const TYPE = { TRANSFER: "Transfer", IMMOBILIZE: "Immobilisation", RETIRE: "Redemption" } as const;
const STATE = { PENDING: "Pending", CONFIRMED: "Completed", REJECTED: "Rejected" } as const;

export function operationOf(operation: SimOperation) {
  return {
    code: operation.id,
    type: TYPE[operation.kind],
    status: STATE[operation.status],
    source_account_code: operation.actingAccount,
    destination_account_code: operation.toAccount ?? null,
    reservation_items: [{ item_code: operation.blockId, amount: Number(operation.quantity) }],
    notes: operation.memo,
    beneficiary_id: operation.retirement?.beneficiary ?? null,
    purpose: operation.retirement?.reason ?? null,
    period_start: operation.retirement?.periodStart ?? null,
    period_end: operation.retirement?.periodEnd ?? null,
    result_item_codes: operation.resultBlockIds,
    rejection_reason: operation.rejectionReason ?? null,
    created_at: operation.createdAt,
    completed_at: operation.confirmedAt ?? null,
  };
}
