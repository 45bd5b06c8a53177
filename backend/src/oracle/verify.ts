/**
 * The facts an oracle node establishes for itself before it signs: each function takes one item of the platform's
 * to-do list (which only says where to look), reads the registry through the node's own adapter and the chain
 * through its own client, and returns the message to sign, or why there is nothing to sign yet. Nothing here reads
 * the platform's registry-status columns or another node's view. Fiat payments are read the same way, from the
 * bank statement of the collection account through the node's own `PaymentPort`.
 */
import { type Address, type Hex, zeroAddress } from "viem";
import {
  batchIdOf,
  detailsHashOf,
  reasonHashOf,
  registryRefHashOf,
  serialRangeHashOf,
} from "../chain/attestations";
import { batchIdOfSerial, depositAttestationOf } from "../chain/deposits";
import {
  CONDITION_FIAT_PAYMENT_RECEIVED,
  CONDITION_REGISTRY_DELIVERY,
  DEAL_STATUS,
  REQUEST_STATUS,
  paramsTagOf,
  requestKindCode,
} from "../chain/bridge";
import type { ChainReader } from "../chain/reader";
import { registryAccountFromBytes32 } from "../chain/registryAccount";
import { type PaymentPort, paidBy, paymentEvidenceOf } from "../payments";
import { REGISTRY_IDS, type RegistryName } from "../registries/ids";
import type { CreditBlock, RegistryOperation } from "../registries/model";
import type { RegistryPort } from "../registries/port";
import { parseSerial } from "../registries/serials";
import type { ObservationKind, ObservationMessages } from "./messages";

export type Observation = {
  [K in ObservationKind]: { kind: K; subject: string; message: ObservationMessages[K] };
}[ObservationKind];
export type Verdict = Observation | { wait: string };

export type VerifyDeps = {
  registry: RegistryName;
  adapter: RegistryPort;
  custodyAccount: string;
  chain: ChainReader;
  /** Runs a registry call (through the registry guard when the node has one). */
  call: <T>(fn: () => Promise<T>) => Promise<T>;
};

export type RequestWork = {
  requestId: Hex;
  kind: "retirement" | "withdrawal";
  holder: Address;
  batchId: bigint;
  amount: bigint;
  serialPrefix: string;
  details: { beneficiary: string; reason: string } | undefined;
  destinationAccount: Hex | undefined;
};

const wait = (why: string): Verdict => ({ wait: why });

/** The request as the chain holds it must match the to-do row exactly, and still be pending. */
async function checkOnChain(deps: VerifyDeps, work: RequestWork, extra: Hex): Promise<string | undefined> {
  if (batchIdOf(REGISTRY_IDS[deps.registry], work.serialPrefix) !== work.batchId)
    return "batch id does not derive from registry and prefix";
  const onChain = await deps.chain.requestOf(work.requestId);
  const kind = requestKindCode(work.kind);
  if (onChain.kind !== kind || onChain.status !== REQUEST_STATUS.Pending) return "request is not pending on chain";
  if (onChain.paramsTag !== paramsTagOf(kind, work.holder, work.batchId, work.amount, extra))
    return "request parameters differ from the chain";
  return undefined;
}

/** The one block a confirmed operation produced, read back from the registry. */
async function resultBlock(deps: VerifyDeps, op: RegistryOperation): Promise<CreditBlock | undefined> {
  if (op.resultRecordIds.length !== 1) return undefined;
  return deps.call(() => deps.adapter.getBlock(op.resultRecordIds[0] as string));
}

/** Retirement and withdrawal answers: the registry operation carrying the request id as its memo. */
export async function verifyRequest(deps: VerifyDeps, work: RequestWork): Promise<Verdict> {
  const retirement = work.kind === "retirement";
  if (retirement && work.details === undefined) return wait("request has no retirement details");
  if (!retirement && work.destinationAccount === undefined) return wait("request has no destination account");
  const extra = retirement ? detailsHashOf(work.details!) : (work.destinationAccount as Hex);
  const mismatch = await checkOnChain(deps, work, extra);
  if (mismatch !== undefined) return wait(mismatch);
  const op = await deps.call(() => deps.adapter.findOperationByMemo(work.requestId));
  if (op === undefined || op.status === "PENDING") return wait("registry has no answer yet");
  const base = { requestId: work.requestId, holder: work.holder, batchId: work.batchId, amount: work.amount };
  const expectedKinds = retirement ? ["RETIRE", "REDEEM"] : ["TRANSFER"];
  if (!expectedKinds.includes(op.kind) || op.fromAccount !== deps.custodyAccount)
    return wait(`registry operation ${op.operationId} is not this request's`);
  if (op.status === "REJECTED") {
    const reasonHash = reasonHashOf(op.rejectionReason ?? "");
    return retirement
      ? { kind: "RetirementRejected", subject: work.requestId, message: { ...base, detailsHash: extra, reasonHash } }
      : { kind: "WithdrawalRejected", subject: work.requestId, message: { ...base, registryAccount: extra, reasonHash } };
  }
  if (op.quantity !== work.amount) return wait(`registry operation ${op.operationId} moved ${op.quantity}, not ${work.amount}`);
  const block = await resultBlock(deps, op);
  if (block === undefined || block.serialPrefix !== work.serialPrefix || block.quantity !== work.amount) {
    return wait(`registry operation ${op.operationId} did not produce one block of ${work.amount} units of the batch`);
  }
  if (retirement) {
    const r = block.retirement;
    const details = work.details!;
    if (block.status !== "RETIRED" || block.holderAccount !== deps.custodyAccount)
      return wait(`block ${block.registryRecordId} is not retired in custody`);
    const expected = asRecorded(deps.registry, details);
    if (r?.memo !== work.requestId || (r.beneficiary ?? "") !== expected.beneficiary || (r.reason ?? "") !== expected.reason) {
      return wait(`retired block ${block.registryRecordId} carries other retirement details`);
    }
    return {
      kind: "RetirementConfirmed",
      subject: work.requestId,
      message: {
        ...base,
        detailsHash: extra,
        retirementIdHash: registryRefHashOf(op.operationId),
        serialRangeHash: serialRangeHashOf(block.serial),
      },
    };
  }
  const destination = registryAccountFromBytes32(extra);
  if (op.toAccount !== destination || block.holderAccount !== destination)
    return wait(`block ${block.registryRecordId} is not in ${destination}`);
  if (block.blockStart === undefined || block.blockEnd === undefined)
    return wait(`block ${block.registryRecordId} carries no unit range`);
  return {
    kind: "WithdrawalConfirmed",
    subject: work.requestId,
    message: {
      ...base,
      registryAccount: extra,
      registryTxHash: registryRefHashOf(op.operationId),
      serialRangeHash: serialRangeHashOf(block.serial),
      // the bridge releases the block when it is exactly a deposited one, and refuses a range of another size
      blockStart: block.blockStart,
      blockEnd: block.blockEnd,
    },
  };
}

/**
 * The retirement details as the registry can record them: India CCTS keeps only the purpose class of a surrender
 * (`COMPLIANCE_SURRENDER` or `VOLUNTARY_RETIREMENT`, see its adapter), the others keep the text; an empty text
 * may come back absent.
 */
function asRecorded(
  registry: RegistryName,
  details: { beneficiary: string; reason: string },
): { beneficiary: string; reason: string } {
  if (registry !== "IN_CCTS") return details;
  return {
    beneficiary: details.beneficiary,
    reason: details.reason === "COMPLIANCE_SURRENDER" ? details.reason : "VOLUNTARY_RETIREMENT",
  };
}

export type DepositWork = { intentId: Hex; holder: Address };

/** A deposit: the holder's transfer with the intent id as memo, into custody, immobilized, never tokenized. */
export async function verifyDeposit(deps: VerifyDeps, work: DepositWork): Promise<Verdict> {
  if (await deps.chain.isDepositUsed(work.intentId)) return wait("deposit id already used on chain");
  const op = await deps.call(() => deps.adapter.findOperationByMemo(work.intentId));
  if (op === undefined || op.status !== "CONFIRMED") return wait("no confirmed transfer with the intent id");
  if (op.kind !== "TRANSFER" || op.toAccount !== deps.custodyAccount)
    return wait(`operation ${op.operationId} is not a transfer into custody`);
  const block = await resultBlock(deps, op);
  if (block === undefined || block.holderAccount !== deps.custodyAccount) return wait("the transferred block is not in custody");
  if (block.status !== "IMMOBILIZED") return wait(`block ${block.registryRecordId} is ${block.status}, not immobilized`);
  if (block.quantity !== op.quantity)
    return wait(`block ${block.registryRecordId} no longer holds the ${op.quantity} units that arrived`);
  const parsed = parseSerial({ serial: block.serial, registry: deps.registry });
  const message = depositAttestationOf({ depositId: work.intentId, holder: work.holder, block: parsed });
  if (await deps.chain.isBlockDeposited(batchIdOfSerial(parsed), message.blockStart, message.blockEnd)) {
    return wait(`block ${block.serial} is already tokenized`);
  }
  return { kind: "DepositConfirmed", subject: work.intentId, message };
}

export type DealWork = { dealId: Hex };

/** `CONDITION_REGISTRY_DELIVERY`: the deal's delivery withdrawal is confirmed on the bridge and at the registry. */
export async function verifyDealDelivery(deps: VerifyDeps, work: DealWork): Promise<Verdict> {
  const deal = await deps.chain.deal(work.dealId);
  if (
    deal.status !== DEAL_STATUS.Delivering ||
    (deal.conditions & CONDITION_REGISTRY_DELIVERY) === 0 ||
    (deal.satisfied & CONDITION_REGISTRY_DELIVERY) !== 0
  ) {
    return wait("deal is not waiting for its registry delivery");
  }
  if ((await deps.chain.requestOf(deal.deliveryRequestId)).status !== REQUEST_STATUS.Confirmed)
    return wait("delivery withdrawal not confirmed on chain");
  const op = await deps.call(() => deps.adapter.findOperationByMemo(deal.deliveryRequestId));
  const destination = registryAccountFromBytes32(deal.buyerRegistryAccount);
  if (op?.status !== "CONFIRMED" || op.kind !== "TRANSFER" || op.toAccount !== destination || op.quantity !== deal.amount) {
    return wait("registry shows no confirmed delivery to the buyer's account");
  }
  return {
    kind: "DealConditionAttested",
    subject: `${work.dealId}:${CONDITION_REGISTRY_DELIVERY}`,
    message: { dealId: work.dealId, condition: CONDITION_REGISTRY_DELIVERY, evidence: registryRefHashOf(op.operationId) },
  };
}

export type PaymentVerifyDeps = {
  /** This node's own reader of the collection account's statement. */
  payments: PaymentPort;
  /** ISO 4217 code of fiat legs (`FIAT_CURRENCY`): their unit price is in its minor unit, as the price. */
  currency: string;
  chain: ChainReader;
};

/**
 * `CONDITION_FIAT_PAYMENT_RECEIVED`: the deal is Open on chain with a fiat leg whose condition is pending, its
 * deadline not yet reached by the chain's clock, and the bank shows booked credits into the collection account
 * with the deal id as reference, in the fiat currency and booked before the deadline (by the bank's clock), adding
 * up to at least the price (`paidBy`; a partial payment signs nothing). The evidence is `paymentEvidenceOf` the
 * bank's ids of the paying credits.
 *
 * Nothing is signed once the chain has passed the deadline, even for money booked in time: from then on the
 * seller may reclaim the credits, and an attestation racing that reclaim would decide the deal by relay timing. A
 * payment that was not attested before the deadline is the platform's to refund off-chain.
 */
export async function verifyFiatPayment(deps: PaymentVerifyDeps, work: DealWork): Promise<Verdict> {
  const FIAT = CONDITION_FIAT_PAYMENT_RECEIVED;
  const deal = await deps.chain.deal(work.dealId);
  if (
    deal.status !== DEAL_STATUS.Open ||
    deal.paymentToken !== zeroAddress ||
    (deal.conditions & FIAT) === 0 ||
    (deal.satisfied & FIAT) !== 0
  ) {
    return wait("deal is not waiting for its fiat payment");
  }
  if ((await deps.chain.latestTimestamp()) >= deal.deadline) return wait("deal deadline has passed on chain");
  const credits = await deps.payments.findCredits(work.dealId);
  const paid = paidBy({
    credits,
    currency: deps.currency,
    price: deal.price,
    bookedBefore: new Date(Number(deal.deadline) * 1000),
  });
  if (!paid.paid)
    return wait(`bank shows ${paid.total} of ${deal.price} minor units of ${deps.currency} booked before the deadline`);
  return {
    kind: "DealConditionAttested",
    subject: `${work.dealId}:${FIAT}`,
    message: {
      dealId: work.dealId,
      condition: FIAT,
      evidence: paymentEvidenceOf(paid.credits.map((credit) => credit.transactionId)),
    },
  };
}

export type ReserveBatch = { batchId: bigint; serialPrefix: string };

/**
 * `ReserveAttested` for each batch of the registry registered on chain: units of its prefix the custody account
 * holds ACTIVE or IMMOBILIZED, as of `asOf` (seconds, aligned by the caller so honest nodes sign the same message).
 */
export async function verifyReserves(deps: VerifyDeps, batches: readonly ReserveBatch[], asOf: bigint): Promise<Observation[]> {
  const { blocks } = await deps.call(() => deps.adapter.listHoldings({ account: deps.custodyAccount }));
  const units = new Map<string, bigint>();
  for (const block of blocks) {
    if (block.holderAccount !== deps.custodyAccount || (block.status !== "ACTIVE" && block.status !== "IMMOBILIZED")) continue;
    units.set(block.serialPrefix, (units.get(block.serialPrefix) ?? 0n) + block.quantity);
  }
  const out: Observation[] = [];
  for (const batch of batches) {
    if (batchIdOf(REGISTRY_IDS[deps.registry], batch.serialPrefix) !== batch.batchId) continue;
    if (!(await deps.chain.batchRegistered(batch.batchId)) || (await deps.chain.reserveAsOf(batch.batchId)) >= asOf) continue;
    const message = { batchId: batch.batchId, units: units.get(batch.serialPrefix) ?? 0n, asOf };
    out.push({ kind: "ReserveAttested", subject: `${batch.batchId}:${asOf}`, message });
  }
  return out;
}
