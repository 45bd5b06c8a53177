import { BaseError } from "../errors";

/** A port the process means to listen on is taken: start-up stops naming it and the setting that moves it. */
export class PortInUseError extends BaseError {
  override name = "PortInUseError";
  constructor(message: string, details: Record<string, unknown>) {
    super(message, { code: "PORT_IN_USE", retryable: false, details });
  }
}
