import type { Queryable } from "../../db/queryable";

export type WalletEventRow = {
  id: string;
  block_number: string;
  tx_hash: string;
  log_index: number;
  contract: string;
  event_name: string;
  args: Record<string, unknown>;
};

/**
 * The indexed chain events after `afterId` (the `chain_events` id, the stream's cursor) in which `wallet` appears
 * as any argument (maker, taker, holder, seller, buyer, from, to...), oldest first. The match is on the event's
 * arguments as text, so it needs no per-event list of party fields and follows new events by itself.
 */
export async function listWalletEvents(
  db: Queryable,
  params: { wallet: string; afterId: string; limit: number },
): Promise<WalletEventRow[]> {
  const { rows } = await db.query<WalletEventRow>(
    `SELECT id::text, block_number::text, tx_hash, log_index, contract, event_name, args
       FROM chain_events
      WHERE id > $1::bigint AND strpos(lower(args::text), $2) > 0
      ORDER BY id LIMIT $3`,
    [params.afterId, params.wallet.toLowerCase(), params.limit],
  );
  return rows;
}

/** The newest `chain_events` id (0 when there is none): where a stream without a cursor starts. */
export async function latestEventId(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>("SELECT coalesce(max(id), 0)::text AS id FROM chain_events");
  return rows[0]!.id;
}
