/** A statement request or booking the bank refuses; rendered as `{error: {code, message}}` with `status`. */
export class BankSimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
