import { BaseError } from "../errors";

/** The offer moved on (accepted, countered or withdrawn by the other side) or the terms exist already. */
export class DealOfferConflictError extends BaseError {
  override name = "DealOfferConflictError";
  constructor(message: string) {
    super(message, { code: "DEAL_OFFER_CONFLICT", retryable: false });
  }
}
