/**
 * Which bank credits pay a fiat deal, decided the same way by every honest oracle node so they sign the same
 * evidence whenever they look: the credits in the deal's currency booked before its deadline, in booking order,
 * up to the first one that brings the total to the price. Credits booked later (a second transfer, an
 * over-payment) never change that set, so a node looking after them signs what a node looking before did.
 */
import { type Hex, encodeAbiParameters, keccak256 } from "viem";
import type { PaymentCredit } from "./port";

export type PaidByParameters = {
  credits: readonly PaymentCredit[];
  /** ISO 4217 code of the deal's fiat leg. */
  currency: string;
  /** The deal's price, in minor units of `currency`. */
  price: bigint;
  /** Credits booked at or after this instant do not count (the deal's deadline). */
  bookedBefore: Date;
};

export type PaidByReturnType =
  | { paid: true; credits: PaymentCredit[]; total: bigint }
  | { paid: false; total: bigint };

/** The credits that paid the deal, or the total received so far when they do not reach the price. */
export function paidBy(params: PaidByParameters): PaidByReturnType {
  const counted = params.credits
    .filter((credit) => credit.currency === params.currency && credit.amountMinor > 0n && credit.bookedAt < params.bookedBefore)
    .sort(
      (a, b) =>
        a.bookedAt.getTime() - b.bookedAt.getTime() ||
        (a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0),
    );
  let total = 0n;
  for (const [index, credit] of counted.entries()) {
    total += credit.amountMinor;
    if (total >= params.price) return { paid: true, credits: counted.slice(0, index + 1), total };
  }
  return { paid: false, total };
}

/**
 * The `evidence` of a FIAT_PAYMENT_RECEIVED attestation: `keccak256(abi.encode(string[] transactionIds))` of the
 * bank's ids of the paying credits, in booking order. An auditor holding the bank statement recomputes it.
 */
export function paymentEvidenceOf(transactionIds: readonly string[]): Hex {
  return keccak256(encodeAbiParameters([{ type: "string[]" }], [[...transactionIds]]));
}
