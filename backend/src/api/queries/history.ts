import type { Pool } from "pg";

export type ChainEventRow = {
  block_number: string;
  block_hash: string;
  tx_hash: string;
  log_index: number;
  contract: string;
  event_name: string;
  args: Record<string, unknown>;
};

type HistoryParameters = { after?: string[] | undefined; limit: number };

const EVENT_SELECT = `SELECT block_number::text, block_hash, tx_hash, log_index, contract, event_name, args FROM chain_events`;
const KEYSET = `($2::bigint IS NULL OR (block_number, log_index) > ($2::bigint, $3::int))`;

/** Chain order, oldest first: every indexed log about the batch (the indexer's `chain_events.batch_ids`). */
export async function batchHistory(pool: Pool, batchId: string, params: HistoryParameters): Promise<ChainEventRow[]> {
  const [block, log] = params.after ?? [null, null];
  const { rows } = await pool.query<ChainEventRow>(
    `${EVENT_SELECT}
      WHERE batch_ids @> ARRAY[$1::numeric]::uint256[]
        AND ${KEYSET}
      ORDER BY chain_events.block_number, chain_events.log_index LIMIT $4`,
    [batchId, block, log, params.limit + 1],
  );
  return rows;
}

/** Chain order, oldest first: every indexed log with the address as one of its top-level arguments. */
export async function holderHistory(pool: Pool, holder: string, params: HistoryParameters): Promise<ChainEventRow[]> {
  const [block, log] = params.after ?? [null, null];
  const { rows } = await pool.query<ChainEventRow>(
    `${EVENT_SELECT}
      WHERE EXISTS (SELECT 1 FROM jsonb_each(args) a WHERE jsonb_typeof(a.value) = 'string' AND lower(a.value #>> '{}') = $1)
        AND ${KEYSET}
      ORDER BY chain_events.block_number, chain_events.log_index LIMIT $4`,
    [holder.toLowerCase(), block, log, params.limit + 1],
  );
  return rows;
}
