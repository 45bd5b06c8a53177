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
