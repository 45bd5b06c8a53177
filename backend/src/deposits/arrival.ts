/**
 * Does what arrived at the registry match the intent? A pure decision over the registry's answers (the operation
 * carrying the intent id as memo, and the block it produced), so the watcher and its tests read the same rules:
 *
 * - the operation is a CONFIRMED TRANSFER into the custody account (anything else: not arrived yet);
 * - the resulting block exists, is held by the custody account and is ACTIVE (not on hold, cancelled, retired,
 *   already immobilized);
 * - it has a unit range in the declared batch (same serial prefix), lying within the declared range: a holder may
 *   move a part of the declared block (the registry splits it), never units outside it.
 */
import { REGISTRY_IDS, type RegistryName } from "../registries/ids";
import type { CreditBlock, RegistryOperation } from "../registries/model";
import { batchIdOf } from "../chain/attestations";
import type { Arrival, DepositIntent } from "./store";

export type ArrivalDecision = { kind: "rejected"; detail: string } | { kind: "arrived"; arrival: Arrival };

/** What the memo lookup says about the holder's transfer, before the block is read. */
export function transferState(
  operation: RegistryOperation | undefined,
  custodyAccount: string,
): { kind: "waiting"; detail: string | null } | { kind: "confirmed"; recordId: string } {
  if (operation === undefined) return { kind: "waiting", detail: null };
  if (operation.kind !== "TRANSFER" || operation.toAccount !== custodyAccount) {
    return {
      kind: "waiting",
      detail: `the operation ${operation.operationId} with this memo is a ${operation.kind} to ` +
        `${operation.toAccount ?? "no account"}, not a transfer to ${custodyAccount}`,
    };
  }
  if (operation.status === "PENDING")
    return {
      kind: "waiting",
      detail: `transfer ${operation.operationId} is pending at the registry`,
    };
  if (operation.status === "REJECTED") {
    return {
      kind: "waiting",
      detail: `transfer ${operation.operationId} was rejected by the registry: ${operation.rejectionReason ?? "no reason given"}`,
    };
  }
  const recordId = operation.resultRecordIds.at(-1);
  if (recordId === undefined)
    return {
      kind: "waiting",
      detail: `transfer ${operation.operationId} is confirmed but names no resulting record`,
    };
  return { kind: "confirmed", recordId };
}

export function judgeArrival(
  intent: DepositIntent,
  block: CreditBlock | undefined,
  recordId: string,
  custodyAccount: string,
): ArrivalDecision {
  if (block === undefined)
    return {
      kind: "rejected",
      detail: `the registry has no record ${recordId}`,
    };
  if (block.status !== "ACTIVE") {
    return {
      kind: "rejected",
      detail: `record ${recordId} arrived ${block.status} (registry status ` +
        `${block.nativeStatus}); only ACTIVE blocks are tokenized`,
    };
  }
  if (block.holderAccount !== custodyAccount) {
    return {
      kind: "rejected",
      detail: `record ${recordId} is held by ${block.holderAccount ?? "nobody"}, not by ${custodyAccount}`,
    };
  }
  if (block.blockStart === undefined || block.blockEnd === undefined) {
    return {
      kind: "rejected",
      detail: `record ${recordId} (${block.serial}) carries no unit range`,
    };
  }
  const { declaredPrefix, declaredStart, declaredEnd } = intent;
  if (declaredPrefix === null || declaredStart === null || declaredEnd === null) {
    return { kind: "rejected", detail: "the intent declares no unit range (declared before ranges were recorded)" };
  }
  if (block.serialPrefix !== declaredPrefix) {
    return {
      kind: "rejected",
      detail: `record ${recordId} is from batch ${block.serialPrefix}, not the declared ${declaredPrefix}`,
    };
  }
  if (block.blockStart < declaredStart || block.blockEnd > declaredEnd) {
    return {
      kind: "rejected",
      detail: `record ${recordId} holds units ` +
        `${block.blockStart}-${block.blockEnd}, outside the declared ${declaredStart}-${declaredEnd}`,
    };
  }
  return {
    kind: "arrived",
    arrival: {
      recordId,
      serialPrefix: block.serialPrefix,
      blockStart: block.blockStart,
      blockEnd: block.blockEnd,
      batchId: batchIdOf(REGISTRY_IDS[intent.registry as RegistryName], block.serialPrefix),
    },
  };
}
