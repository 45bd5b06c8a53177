/**
 * The seam to the platform's fiat collection account (the client-money account buyers pay escrow deals into), as
 * `registries/port.ts` is the seam to a registry. An oracle node reads it through an adapter of its own to decide
 * whether a deal's FIAT_PAYMENT_RECEIVED condition holds; nothing here moves money.
 */

/** One booked incoming payment on the collection account's statement. */
export type PaymentCredit = {
  /** The bank's own id of the statement entry (unique per account). */
  transactionId: string;
  /** The remittance reference the payer gave (buyers give the deal id). */
  reference: string;
  /** In the currency's minor unit (cents for USD). */
  amountMinor: bigint;
  /** ISO 4217 code, upper case. */
  currency: string;
  /** The payer as the bank names it (name or account); informative only. */
  payer: string;
  /** When the bank booked it. */
  bookedAt: Date;
};

export type PaymentPort = {
  /**
   * Booked credits into the collection account whose reference equals `reference` exactly, in booking order.
   * Pending, reversed and outgoing entries are never returned.
   */
  findCredits(reference: string): Promise<PaymentCredit[]>;
};
