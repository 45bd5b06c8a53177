import { BaseError } from "../errors";

/** A batch proposal did not get the quorum's batch signatures in time: proposed again on a later pass. */
export class OracleBatchUnsignedError extends BaseError {
  override name = "OracleBatchUnsignedError";
  constructor(batchId: string, signatures: number, threshold: number) {
    super(`batch proposal ${batchId} got ${signatures} of ${threshold} oracle signatures in time`, {
      code: "ORACLE_BATCH_UNSIGNED",
      retryable: true,
      details: { batchId, signatures, threshold },
    });
  }
}
