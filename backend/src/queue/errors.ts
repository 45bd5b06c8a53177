import { BaseError } from "../errors";

/** A queue operation that cannot be done as asked (not a dead letter, a race lost). Not retryable. */
export class QueueError extends BaseError {
  override name = "QueueError";
  constructor(message: string, code: string, details?: Record<string, unknown>) {
    super(message, { code, retryable: false, details });
  }
}

/** The attempt's lease was lost (it expired and another worker claimed the job): retrying the attempt is safe. */
export class QueueLeaseLostError extends BaseError {
  override name = "QueueLeaseLostError";
  constructor(jobId: string) {
    super(`job ${jobId} lost its lease: another attempt owns it`, {
      code: "QUEUE_LEASE_LOST",
      retryable: true,
      details: { jobId },
    });
  }
}
