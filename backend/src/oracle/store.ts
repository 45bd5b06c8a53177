/**
 * SQL of the oracle network (migration `0008_oracle.sql`): the platform's to-do list a node reads (where to look,
 * never what is true; requests and deposit intents as their owners read them), the signed observations nodes
 * publish, batch proposals and votes, and what the aggregator relayed. Addresses are stored lowercase.
 */
import type { Pool } from "pg";
import type { Address, Hex } from "viem";
import { attestableIntentsFor } from "../deposits/store";
import type { RegistryName } from "../registries/ids";
import { pendingRequestsUnobservedBy } from "../requests/store";
import type { BatchKind, ObservationKind } from "./messages";
import type { DealWork, DepositWork, RequestWork, ReserveBatch } from "./verify";

const lower = (a: string) => a.toLowerCase();

/** Pending requests (chain side) this signer has not answered yet, as the requests module reads them. */
export async function pendingRequests(
  pool: Pool,
  signer: Address,
  limit: number,
): Promise<Array<RequestWork & { registry: RegistryName }>> {
  const rows = await pendingRequestsUnobservedBy(pool, signer, limit);
  return rows.map((row) => {
    const details = row.retirement;
    return {
      registry: row.registry_id as RegistryName,
      requestId: row.request_id,
      kind: row.kind,
      holder: row.holder as Address,
      batchId: BigInt(row.batch_id),
      amount: BigInt(row.amount),
      serialPrefix: row.serial_prefix,
      details:
        typeof details?.beneficiary === "string" && typeof details.reason === "string"
          ? { beneficiary: details.beneficiary, reason: details.reason }
          : undefined,
      destinationAccount: (row.destination_account as Hex | null) ?? undefined,
    };
  });
}

/** Deposit intents whose block arrived (or was immobilized) and that this signer has not attested yet. */
export async function openDeposits(
  pool: Pool,
  signer: Address,
  limit: number,
): Promise<Array<DepositWork & { registry: RegistryName }>> {
  const intents = await attestableIntentsFor(pool, signer, limit);
  return intents.map((i) => ({ intentId: i.intentId as Hex, holder: i.holder as Address, registry: i.registry as RegistryName }));
}

/** Open deals delivering into a registry account whose delivery condition this signer has not attested yet. */
export async function deliveringDeals(
  pool: Pool,
  signer: Address,
  limit: number,
): Promise<Array<DealWork & { registry: RegistryName }>> {
  const { rows } = await pool.query<{ deal_id: Hex; registry_id: RegistryName }>(
    `SELECT d.deal_id, b.registry_id FROM deals d JOIN batches b ON b.batch_id = d.batch_id
      WHERE d.status = 'open' AND d.delivery_request_id IS NOT NULL
        AND d.conditions ? 'REGISTRY_DELIVERY' AND NOT d.conditions_satisfied ? 'REGISTRY_DELIVERY'
        AND NOT EXISTS (SELECT 1 FROM oracle_observations o WHERE o.signer = $1 AND o.subject = d.deal_id || ':2')
      ORDER BY d.created_at LIMIT $2`,
    [lower(signer), limit],
  );
  return rows.map((row) => ({ dealId: row.deal_id, registry: row.registry_id }));
}

/**
 * Open deals with a fiat leg whose FIAT_PAYMENT_RECEIVED condition neither the quorum confirmed nor this signer
 * attested yet. Whether the money arrived is the bank's to say, never this table's.
 */
export async function payingDeals(pool: Pool, signer: Address, limit: number): Promise<DealWork[]> {
  const { rows } = await pool.query<{ deal_id: Hex }>(
    `SELECT d.deal_id FROM deals d
      WHERE d.status = 'open' AND d.payment_token IS NULL
        AND d.conditions ? 'FIAT_PAYMENT_RECEIVED' AND NOT d.conditions_satisfied ? 'FIAT_PAYMENT_RECEIVED'
        AND NOT EXISTS (SELECT 1 FROM oracle_observations o WHERE o.signer = $1 AND o.subject = d.deal_id || ':1')
      ORDER BY d.created_at LIMIT $2`,
    [lower(signer), limit],
  );
  return rows.map((row) => ({ dealId: row.deal_id }));
}

/**
 * Batches registered on chain, per registry, for reserve attestations. Batches with a pending request are left
 * out: between the registry's answer and the burn the custody holds less than the supply, which is no shortfall.
 */
export async function reserveBatches(pool: Pool): Promise<Map<RegistryName, ReserveBatch[]>> {
  const { rows } = await pool.query<{ batch_id: string; registry_id: RegistryName; serial_prefix: string }>(
    `SELECT b.batch_id, b.registry_id, b.serial_prefix FROM batches b
      WHERE b.registered_block IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.batch_id = b.batch_id AND r.chain_status = 'pending')`,
  );
  const out = new Map<RegistryName, ReserveBatch[]>();
  for (const row of rows) {
    const list = out.get(row.registry_id) ?? [];
    list.push({ batchId: BigInt(row.batch_id), serialPrefix: row.serial_prefix });
    out.set(row.registry_id, list);
  }
  return out;
}

export type PublishParameters = {
  kind: ObservationKind;
  subject: string;
  digest: Hex;
  message: Record<string, unknown>;
  signer: Address;
  signature: Hex;
};

/** Publishes one signed observation; true when it is new. */
export async function publishObservation(pool: Pool, p: PublishParameters): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO oracle_observations (kind, subject, digest, message, signer, signature) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (signer, digest) DO NOTHING`,
    [p.kind, p.subject, lower(p.digest), JSON.stringify(p.message), lower(p.signer), p.signature],
  );
  return rowCount === 1;
}

export type ObservationRow = {
  kind: ObservationKind;
  subject: string;
  digest: Hex;
  message: Record<string, unknown>;
  signer: Address;
  signature: Hex;
};

/**
 * Observations of messages that `threshold` distinct signers published in the last `maxAgeDays` and that were
 * neither relayed nor closed: at most `limit` messages, oldest first, every row of each. The signer column is
 * only a claim here (the aggregator recovers each signature); the filter just keeps single-signer messages, such
 * as a forgery, out of every pass. Honest nodes sign an answer within a few passes of each other, so an older
 * message still short of the quorum is a minority view or a forgery.
 */
export async function quorumCandidates(pool: Pool, threshold: number, limit: number, maxAgeDays = 7): Promise<ObservationRow[]> {
  const { rows } = await pool.query<ObservationRow>(
    `WITH candidates AS (
       SELECT o.digest FROM oracle_observations o
        WHERE o.created_at > now() - make_interval(days => $3)
          AND NOT EXISTS (SELECT 1 FROM oracle_relays r WHERE r.digest = o.digest)
        GROUP BY o.digest HAVING count(DISTINCT o.signer) >= $1
        ORDER BY min(o.id) LIMIT $2)
     SELECT o.kind, o.subject, o.digest, o.message, o.signer, o.signature
       FROM oracle_observations o JOIN candidates c ON c.digest = o.digest ORDER BY o.id`,
    [threshold, limit, maxAgeDays],
  );
  return rows;
}

/**
 * Observations of subjects about which signers published more than one message (different digests, of one kind or
 * of two, e.g. a confirmation against a rejection): honest nodes reading the same registry sign the same message,
 * so this is a wrong or compromised node, or a registry answering nodes differently. Recent ones only; the caller
 * checks the signatures.
 */
export async function conflictingObservations(pool: Pool, maxAgeDays = 7): Promise<ObservationRow[]> {
  const { rows } = await pool.query<ObservationRow>(
    `WITH conflicts AS (
       SELECT subject FROM oracle_observations
        WHERE created_at > now() - make_interval(days => $1)
        GROUP BY subject HAVING count(DISTINCT digest) > 1)
     SELECT o.kind, o.subject, o.digest, o.message, o.signer, o.signature
       FROM oracle_observations o JOIN conflicts c USING (subject)
      WHERE o.created_at > now() - make_interval(days => $1) ORDER BY o.id`,
    [maxAgeDays],
  );
  return rows;
}

/**
 * Every observation of the messages first published more than `olderThanMs` ago (within `maxAgeDays`) about
 * subjects nothing was relayed or closed for, reserve attestations left out, with when each row was published.
 * The caller checks the signatures and counts the signers.
 */
export async function strandedObservations(
  pool: Pool,
  olderThanMs: number,
  maxAgeDays = 7,
): Promise<Array<ObservationRow & { created_at: Date }>> {
  const { rows } = await pool.query<ObservationRow & { created_at: Date }>(
    `WITH old AS (
       SELECT digest FROM oracle_observations
        WHERE kind <> 'ReserveAttested' AND created_at > now() - make_interval(days => $2)
        GROUP BY digest HAVING min(created_at) < now() - make_interval(secs => $1::double precision / 1000))
     SELECT o.kind, o.subject, o.digest, o.message, o.signer, o.signature, o.created_at
       FROM oracle_observations o JOIN old USING (digest)
      WHERE NOT EXISTS (SELECT 1 FROM oracle_relays r WHERE r.subject = o.subject)
      ORDER BY o.id LIMIT 1000`,
    [olderThanMs, maxAgeDays],
  );
  return rows;
}

/** This signer's own observations among `digests`. */
export async function ownObservations(pool: Pool, signer: Address, digests: readonly Hex[]): Promise<Map<string, Hex>> {
  const { rows } = await pool.query<{ digest: Hex; signature: Hex }>(
    "SELECT digest, signature FROM oracle_observations WHERE signer = $1 AND digest = ANY($2::text[])",
    [lower(signer), digests.map(lower)],
  );
  return new Map(rows.map((row) => [row.digest, row.signature]));
}

export type RelayRecord = {
  digest: Hex;
  kind: ObservationKind;
  subject: string;
  status: "relayed" | "closed";
  txHash?: Hex;
  error?: string;
};

export async function recordRelay(pool: Pool, r: RelayRecord): Promise<void> {
  await pool.query(
    `INSERT INTO oracle_relays (digest, kind, subject, status, tx_hash, error) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (digest) DO NOTHING`,
    [lower(r.digest), r.kind, r.subject, r.status, r.txHash ?? null, r.error ?? null],
  );
}

export async function proposeBatch(
  pool: Pool,
  kind: BatchKind,
  digest: Hex,
  items: readonly Record<string, unknown>[],
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    "INSERT INTO oracle_batches (kind, digest, items) VALUES ($1, $2, $3) RETURNING id",
    [kind, lower(digest), JSON.stringify(items)],
  );
  return (rows[0] as { id: string }).id;
}

export async function setBatchStatus(pool: Pool, id: string, status: "signed" | "abandoned"): Promise<void> {
  await pool.query("UPDATE oracle_batches SET status = $2, updated_at = now() WHERE id = $1", [id, status]);
}

/** Proposals left open by an earlier aggregator process (nobody waits for them any more). */
export async function abandonOpenBatches(pool: Pool): Promise<void> {
  await pool.query("UPDATE oracle_batches SET status = 'abandoned', updated_at = now() WHERE status = 'open'");
}

export async function batchSignatures(pool: Pool, id: string): Promise<Array<{ signer: Address; signature: Hex }>> {
  const { rows } = await pool.query<{ signer: Address; signature: Hex }>(
    "SELECT signer, signature FROM oracle_batch_votes WHERE batch_id = $1 AND signature IS NOT NULL",
    [id],
  );
  return rows;
}

export type OpenBatch = { id: string; kind: BatchKind; items: Record<string, unknown>[] };

/** Open proposals this signer has not answered. */
export async function unansweredBatches(pool: Pool, signer: Address): Promise<OpenBatch[]> {
  const { rows } = await pool.query<OpenBatch>(
    `SELECT b.id, b.kind, b.items FROM oracle_batches b
      WHERE b.status = 'open' AND NOT EXISTS (SELECT 1 FROM oracle_batch_votes v WHERE v.batch_id = b.id AND v.signer = $1)
      ORDER BY b.id`,
    [lower(signer)],
  );
  return rows;
}

export async function recordVote(
  pool: Pool,
  batchId: string,
  signer: Address,
  vote: { signature: Hex } | { refusal: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO oracle_batch_votes (batch_id, signer, signature, refusal) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [batchId, lower(signer), "signature" in vote ? vote.signature : null, "refusal" in vote ? vote.refusal : null],
  );
}
