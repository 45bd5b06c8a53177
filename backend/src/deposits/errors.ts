import { BaseError } from "../errors";

/** A deposit job that cannot go on as asked (`retryable` says whether a later attempt can). */
export class DepositError extends BaseError {
  override name = "DepositError";
}
