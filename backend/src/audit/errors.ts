import { BaseError } from "../errors";

/** The request does not exist, is not a retirement or is not confirmed: there is no certificate to verify. */
export class AuditNotFoundError extends BaseError {
  override name = "AuditNotFoundError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "AUDIT_NOT_FOUND", retryable: false, details });
  }
}

/** The auditor could not read what it needs from the node (connection, missing block, refused query). */
export class AuditRpcError extends BaseError {
  override name = "AuditRpcError";
  constructor(message: string, cause?: unknown) {
    super(message, { code: "AUDIT_RPC", retryable: true, cause });
  }
}

/** An export file that is not one `carbon audit export` wrote (not JSON, a field missing or malformed). */
export class AuditExportFormatError extends BaseError {
  override name = "AuditExportFormatError";
  constructor(message: string) {
    super(message, { code: "AUDIT_EXPORT_FORMAT", retryable: false });
  }
}
