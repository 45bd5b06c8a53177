/** An error a simulator answers with `status`; each simulator renders it in its native error shape. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
