/** The chain log that answered a request (a read of `chain_events`), for the certificate route. */
import type { Queryable } from "../../db/queryable";

export type ConfirmationRow = { block_number: string; tx_hash: string; log_index: number; args: Record<string, unknown> };

/** The indexed `RetirementConfirmed` / `WithdrawalConfirmed` log of a request, when there is one. */
export async function getConfirmationEvent(db: Queryable, requestId: string): Promise<ConfirmationRow | undefined> {
  const { rows } = await db.query<ConfirmationRow>(
    `SELECT block_number::text, tx_hash, log_index, args FROM chain_events
      WHERE event_name IN ('RetirementConfirmed', 'WithdrawalConfirmed') AND lower(args->>'requestId') = $1
      ORDER BY chain_events.block_number DESC, chain_events.log_index DESC LIMIT 1`,
    [requestId.toLowerCase()],
  );
  return rows[0];
}
