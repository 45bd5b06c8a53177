import { BaseError } from "../errors";

/** The contract artifacts are missing, unreadable or differ from the backend's ABI source. Not retryable. */
export class ArtifactError extends BaseError {
  override name = "ArtifactError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "CHAIN_ARTIFACT", retryable: false, details });
  }
}

/** A deployment record (DEPLOYMENT_FILE) cannot be read or lacks a key. Not retryable: the file must be fixed. */
export class DeploymentFileError extends BaseError {
  override name = "DeploymentFileError";
  readonly file: string;
  constructor(file: string, problem: string, cause?: unknown) {
    super(`DEPLOYMENT_FILE ${file}: ${problem}`, { code: "CHAIN_DEPLOYMENT_FILE", retryable: false, details: { file }, cause });
    this.file = file;
  }
}
