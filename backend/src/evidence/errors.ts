/** Errors of the evidence module: each says whether trying again can help. */
import { BaseError } from "../errors";

/** The package cannot be built from what was asked: unknown id, empty scope, unsupported scope or chain data. */
export class EvidenceInputError extends BaseError {
  override name = "EvidenceInputError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "EVIDENCE_INPUT", retryable: false, details });
  }
}

/** A source (node, database) could not be read; trying again later may work. */
export class EvidenceSourceError extends BaseError {
  override name = "EvidenceSourceError";
  constructor(message: string, cause?: unknown) {
    super(message, { code: "EVIDENCE_SOURCE", retryable: true, cause });
  }
}

/** The TSA could not be reached, refused, or answered with a token that does not verify. */
export class TimestampError extends BaseError {
  override name = "TimestampError";
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, { code: "EVIDENCE_TIMESTAMP", retryable, cause });
  }
}

/** The bundle could not be made (a duplicate top-level name, an import of something that is not a module here). */
export class VerifierBundleError extends BaseError {
  override name = "VerifierBundleError";
  constructor(message: string) {
    super(message, { code: "EVIDENCE_VERIFIER_BUNDLE", retryable: false });
  }
}
