import { BaseError } from "../errors";

/** The contracts could not be compiled (or are not, and cannot be): the embedded chain cannot be deployed. */
export class CompileError extends BaseError {
  override name = "CompileError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "CONTRACTS_NOT_COMPILED", retryable: false, details });
  }
}

export class WebBuildError extends BaseError {
  override name = "WebBuildError";
  constructor(message: string) {
    super(message, { code: "WEB_BUILD_FAILED", retryable: false });
  }
}
