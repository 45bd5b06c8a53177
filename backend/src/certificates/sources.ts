/**
 * Where each thing a retirement certificate states comes from, read in one place (read-only: every table here has
 * its own owner):
 *
 * | what | table (owner) |
 * |---|---|
 * | holder, batch, amount, beneficiary, reason, request and answer transactions | `requests` (indexer, workers) |
 * | the registry's retirement reference (its operation id) | `requests.registry_reference` (workers, from its answer) |
 * | the hashes the oracles attested (`retirementIdHash`, `serialRangeHash`) | `requests` (indexer, RetirementConfirmed) |
 * | retired serial range, its status and record at the registry | `custody_blocks` row with the request id as memo (watchers) |
 * | project name, methodology, type | `custody_blocks` rows of the batch (the registry's native records) |
 * | when it was sent to the registry | `jobs` row keyed by the request id (queue) |
 * | which oracles attested it, when | `oracle_observations` (oracle nodes) |
 * | the oracle set (N of M) | last `OracleSetUpdated` in `chain_events` (indexer) |
 */
import type { Pool } from "pg";

export type RequestSource = {
  request_id: string;
  kind: "retirement" | "withdrawal";
  holder: string;
  batch_id: string;
  amount: string;
  status: string;
  chain_status: string;
  retirement: { beneficiary?: unknown; reason?: unknown } | null;
  destination_account: string | null;
  registry_status: string | null;
  registry_reference: string | null;
  registry_ref_hash: string | null;
  serial_range_hash: string | null;
  requested_block: string | null;
  requested_tx_hash: string | null;
  answered_block: string | null;
  answered_tx_hash: string | null;
  created_at: Date;
  updated_at: Date;
  registry_id: string;
  serial_prefix: string;
  batch_unit_type: string | null;
};

export type RegistryBlockSource = {
  native_id: string;
  serial: string;
  block_start: string | null;
  block_end: string | null;
  quantity: string;
  status: string;
  native_status: string | null;
  holder_account: string | null;
  payload: Record<string, unknown>;
  observed_at: Date;
  changed_at: Date;
};

export type ChainLogSource = {
  block_number: string;
  tx_hash: string;
  log_index: number;
  contract: string;
  args: Record<string, unknown>;
  indexed_at: Date;
};

export type AttestationSource = { signer: string; created_at: Date };

export type SentSource = {
  state: string;
  attempts: number;
  created_at: Date;
  finished_at: Date | null;
  last_error: string | null;
};

export type CertificateSources = {
  request: RequestSource;
  /** The block the registry retired for this request (memo = request id), when the watchers have seen it. */
  retiredBlock: RegistryBlockSource | undefined;
  /** Native records of the batch's blocks (most specific first), for the project's name and kind. */
  projectRecords: unknown[];
  requested: ChainLogSource | undefined;
  confirmed: ChainLogSource | undefined;
  sent: SentSource | undefined;
  attestations: AttestationSource[];
  oracleSet: { oracles: string[]; threshold: number } | undefined;
};

const REQUEST = `
SELECT r.request_id, r.kind::text AS kind, r.holder, r.batch_id::text, r.amount::text, r.status::text AS status,
       r.chain_status, r.retirement, r.destination_account, r.registry_status, r.registry_reference,
       r.registry_ref_hash, r.serial_range_hash, r.requested_block::text, r.requested_tx_hash,
       r.answered_block::text, r.answered_tx_hash, r.created_at, r.updated_at,
       b.registry_id, b.serial_prefix, b.unit_type AS batch_unit_type
  FROM requests r JOIN batches b ON b.batch_id = r.batch_id
 WHERE r.request_id = $1`;

async function chainLog(pool: Pool, event: string, requestId: string): Promise<ChainLogSource | undefined> {
  const { rows } = await pool.query<ChainLogSource>(
    `SELECT block_number::text, tx_hash, log_index, contract, args, indexed_at FROM chain_events
      WHERE event_name = $1 AND lower(args->>'requestId') = $2
      ORDER BY block_number DESC, log_index DESC LIMIT 1`,
    [event, requestId],
  );
  return rows[0];
}

/** Everything the certificate and the timeline of request `requestId` are built from; undefined for no request. */
export async function loadCertificateSources(pool: Pool, requestId: string): Promise<CertificateSources | undefined> {
  const id = requestId.toLowerCase();
  const { rows } = await pool.query<RequestSource>(REQUEST, [id]);
  const request = rows[0];
  if (request === undefined) return undefined;
  const kindEvents =
    request.kind === "retirement"
      ? ["RetirementRequested", "RetirementConfirmed"]
      : ["WithdrawalRequested", "WithdrawalConfirmed"];
  const [retired, records, requested, confirmed, sent, attestations, oracleSet] = await Promise.all([
    pool.query<RegistryBlockSource>(
      `SELECT native_id, serial, block_start::text, block_end::text, quantity::text, status::text AS status, native_status,
              holder_account, payload, observed_at, changed_at
         FROM custody_blocks WHERE registry_id = $1 AND lower(memo) = $2
        ORDER BY (status IN ('RETIRED', 'ACTIVE')) DESC, changed_at DESC LIMIT 1`,
      [request.registry_id, id],
    ),
    pool.query<{ payload: unknown }>(
      `SELECT payload FROM custody_blocks WHERE registry_id = $1 AND serial_prefix = $2
        ORDER BY (status = 'RETIRED') ASC, observed_at DESC LIMIT 5`,
      [request.registry_id, request.serial_prefix],
    ),
    chainLog(pool, kindEvents[0]!, id),
    chainLog(pool, kindEvents[1]!, id),
    pool.query<SentSource>("SELECT state, attempts, created_at, finished_at, last_error FROM jobs WHERE key = $1", [id]),
    pool.query<AttestationSource>(
      `SELECT signer, min(created_at) AS created_at FROM oracle_observations
        WHERE subject = $1 AND kind IN ('RetirementConfirmed', 'WithdrawalConfirmed') GROUP BY signer ORDER BY 2`,
      [id],
    ),
    pool.query<{ args: { oracles?: string[]; threshold?: string | number } }>(
      "SELECT args FROM chain_events WHERE event_name = 'OracleSetUpdated' ORDER BY block_number DESC, log_index DESC LIMIT 1",
    ),
  ]);
  const set = oracleSet.rows[0]?.args;
  return {
    request,
    retiredBlock: retired.rows[0],
    projectRecords: [retired.rows[0]?.payload, ...records.rows.map((row) => row.payload)].filter((p) => p !== undefined),
    requested,
    confirmed,
    sent: sent.rows[0],
    attestations: attestations.rows,
    oracleSet: set?.oracles === undefined ? undefined : { oracles: set.oracles, threshold: Number(set.threshold ?? 0) },
  };
}
