import { BaseError } from "../errors";

/**
 * Errors of payment sources (the bank statement adapter). As with registries, each says whether the same call can
 * succeed later; an oracle node only logs them and looks again on its next pass.
 */
type PaymentErrorParameters = { status?: number | undefined; retryAfterMs?: number | undefined; cause?: unknown };

/** 5xx, 429, timeouts, refused connections: the bank could not answer now. Retryable. */
export class PaymentSourceUnavailableError extends BaseError {
  override name = "PaymentSourceUnavailableError";
  constructor(message: string, params: PaymentErrorParameters = {}) {
    super(message, {
      code: "PAYMENT_SOURCE_UNAVAILABLE",
      retryable: true,
      retryAfterMs: params.retryAfterMs,
      details: { status: params.status },
      cause: params.cause,
    });
  }
}

/** 4xx: the bank refused the request as asked (credentials, unknown account). Retrying the same call cannot help. */
export class PaymentSourceRejectedError extends BaseError {
  override name = "PaymentSourceRejectedError";
  constructor(message: string, params: PaymentErrorParameters = {}) {
    super(message, {
      code: "PAYMENT_SOURCE_REJECTED",
      retryable: false,
      details: { status: params.status },
      cause: params.cause,
    });
  }
}

/** The bank answered something this adapter does not understand. */
export class PaymentSourceProtocolError extends BaseError {
  override name = "PaymentSourceProtocolError";
  constructor(message: string, params: PaymentErrorParameters = {}) {
    super(message, {
      code: "PAYMENT_SOURCE_PROTOCOL",
      retryable: false,
      details: { status: params.status },
      cause: params.cause,
    });
  }
}
