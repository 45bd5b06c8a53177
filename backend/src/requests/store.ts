/**
 * The `requests` table (migrations 0001, 0002): one row per retirement or withdrawal request, and every statement
 * on it. Nobody else writes the table; the indexer, the registry workers and the registry watchers call these.
 *
 * Who moves what, in which direction (the status machine):
 *
 * | column(s) | writer | moves |
 * |---|---|---|
 * | the row; `kind`, `holder`, `batch_id`, `amount`, `deadline`, `idempotency_key`, `requested_block`,
 * `requested_tx_hash`, `retirement_bytes` |
 * indexer, `RetirementRequested` / `WithdrawalRequested` (`recordRequested`) | inserted, or
 * filled in on a row that exists (its `retirement` / `destination_account` are kept when the event has none) |
 * | `chain_status` | indexer, the bridge's answer (`recordAnswer`) | `pending` -> `confirmed` / `rejected` |
 * | `status` | indexer (`recordAnswer`, `flagOverdue`) | any -> `confirmed` / `rejected`; `requested` / `submitted` ->
 * `overdue` |
 * | `status` | registry workers (`recordSubmission`) | `requested` -> `submitted`, nothing else |
 * | `registry_status`, `registry_reference` | workers at submission (`recordSubmission`), watchers from the registry's
 * own word (`recordRegistryWords`) | forward only: NULL -> `PENDING` -> `CONFIRMED` / `REJECTED`; a final word is never
 * replaced; the reference is filled in when missing |
 * | `overdue_flagged` | indexer (`flagOverdue`) | false -> true |
 * | `answered_block`, `answered_tx_hash`, `registry_ref_hash`, `serial_range_hash`, `reason_hash`, `released_block_key`
 * | indexer (`recordAnswer`, `recordReleasedBlockKey`) | set once per answer |
 * | everything the indexer sets | indexer reorg (`resetForReplay`, then the replay) | back to `pending` / `requested`;
 * a worker's `submitted` and the registry's word survive |
 * | the row | indexer reorg (`deleteUnrequested`) | deleted when its request event was dropped |
 *
 * The registry's word moves forward only because it arrives from two writers in any order: a worker recording its
 * submission (PENDING) can land after the watchers recorded the registry's confirmation, and a watcher's read can be
 * older than another's. Reads for the API, the workers and the oracle nodes share one row type (`RequestRow`).
 */
import type { Hex } from "viem";
import { newestFirst } from "../db/keyset";
import { unescapeStorableText } from "../db/storable";
import type { Queryable } from "../db/queryable";

export const REQUEST_KINDS = ["retirement", "withdrawal"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const REQUEST_STATUSES = ["requested", "submitted", "confirmed", "rejected", "overdue"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const CHAIN_STATUSES = ["pending", "confirmed", "rejected"] as const;
export type ChainStatus = (typeof CHAIN_STATUSES)[number];
/** Statuses whose units sit in the bridge (locked, waiting for the registry's answer). */
export const PENDING_STATUSES: readonly RequestStatus[] = ["requested", "submitted", "overdue"];

/** A request with its batch's registry and serial prefix, as every reader gets it. */
export type RequestRow = {
  request_id: Hex;
  kind: RequestKind;
  holder: string;
  batch_id: string;
  registry_id: string;
  serial_prefix: string;
  amount: string;
  status: RequestStatus;
  registry_status: string | null;
  registry_reference: string | null;
  destination_account: string | null;
  retirement: { beneficiary?: unknown; reason?: unknown; [key: string]: unknown } | null;
  deadline: Date | null;
  chain_status: ChainStatus;
  requested_tx_hash: string | null;
  answered_tx_hash: string | null;
  created_at: Date;
  updated_at: Date;
};

const REQUEST_SELECT = `
SELECT r.request_id, r.kind::text AS kind, r.holder, r.batch_id::text, b.registry_id, b.serial_prefix, r.amount::text,
       r.status::text AS status, r.registry_status, r.registry_reference, r.destination_account, r.retirement,
       r.deadline, r.chain_status, r.requested_tx_hash, r.answered_tx_hash, r.created_at, r.updated_at
  FROM requests r JOIN batches b ON b.batch_id = r.batch_id`;

/**
 * A row as readers need it: the chain's own strings. The indexer stores chain strings in their storable form
 * (`db/storable.ts`: NUL escaped, `\` doubled); workers send the beneficiary to the registry and oracles hash it
 * against the on-chain `detailsHash`, so both must see the original text, not the escape.
 */
function fromStored(row: RequestRow): RequestRow {
  const retirement =
    row.retirement === null
      ? null
      : Object.fromEntries(
        Object.entries(row.retirement).map(([key, value]) => [
          key,
          typeof value === "string" ? unescapeStorableText(value) : value,
        ]),
      );
  return { ...row, serial_prefix: unescapeStorableText(row.serial_prefix), retirement };
}

export async function getRequest(db: Queryable, requestId: string): Promise<RequestRow | undefined> {
  const { rows } = await db.query<RequestRow>(`${REQUEST_SELECT} WHERE r.request_id = $1`, [requestId.toLowerCase()]);
  return rows[0] === undefined ? undefined : fromStored(rows[0]);
}

export type ListRequestsParameters = {
  holder?: string | undefined;
  batchId?: string | undefined;
  kind?: RequestKind | undefined;
  status?: RequestStatus | undefined;
  after?: string[] | undefined;
  limit: number;
};

/** Newest first by (created_at, request_id); `limit + 1` rows, so a caller paging them knows whether more follow. */
export async function listRequests(db: Queryable, params: ListRequestsParameters): Promise<RequestRow[]> {
  const [created, id] = params.after ?? [null, null];
  const { rows } = await db.query<RequestRow>(
    `${REQUEST_SELECT}
      WHERE ($1::text IS NULL OR lower(r.holder) = $1)
        AND ($2::numeric IS NULL OR r.batch_id = $2::numeric)
        AND ($3::request_kind IS NULL OR r.kind = $3::request_kind)
        AND ($4::request_status IS NULL OR r.status = $4::request_status)
        AND ${newestFirst("r.created_at", "r.request_id", 5)}`,
    [params.holder?.toLowerCase() ?? null, params.batchId ?? null, params.kind ?? null, params.status ?? null, created, id,
      params.limit + 1],
  );
  return rows.map(fromStored);
}

/** Requests pending on chain that `signer` has published no observation about yet, oldest first (an oracle's to-do). */
export async function pendingRequestsUnobservedBy(db: Queryable, signer: string, limit: number): Promise<RequestRow[]> {
  const { rows } = await db.query<RequestRow>(
    `${REQUEST_SELECT}
      WHERE r.chain_status = 'pending'
        AND NOT EXISTS (SELECT 1 FROM oracle_observations o WHERE o.signer = $1 AND o.subject = r.request_id)
      ORDER BY r.created_at LIMIT $2`,
    [signer.toLowerCase(), limit],
  );
  return rows.map(fromStored);
}

/** The batch of a request (for events that name only the request), or undefined. */
export async function batchOfRequest(db: Queryable, requestId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ batch_id: string }>("SELECT batch_id FROM requests WHERE request_id = $1", [requestId]);
  return rows[0]?.batch_id;
}

/** A request event as the indexer stored it (addresses lowercase, numbers as decimal strings). */
export type RequestedEvent = {
  requestId: string;
  kind: RequestKind;
  holder: string;
  batchId: string;
  amount: string;
  /** Retirements: the event's `details` ({beneficiary, reason}) as storable text; null for withdrawals. */
  retirement: unknown;
  /** Retirements: the exact bytes (hex) of `details`' strings, by field; null for withdrawals. */
  retirementBytes?: Record<string, string> | null | undefined;
  /** Withdrawals: the bytes32 registry account; null for retirements. */
  destinationAccount: string | null;
  /** Unix seconds. */
  deadline: string;
  idempotencyKey: string;
  blockNumber: string;
  txHash: string;
};

/** Indexer: a request event inserts the row, or fills in one the platform created first (keeping its own columns). */
export async function recordRequested(db: Queryable, event: RequestedEvent): Promise<void> {
  await db.query(
    `INSERT INTO requests (request_id, kind, holder, batch_id, amount, status, retirement, destination_account, deadline,
       chain_status, idempotency_key, requested_block, requested_tx_hash, retirement_bytes)
     VALUES ($1, $2, $3, $4, $5, 'requested', $6::jsonb, $7, to_timestamp($8), 'pending', $9, $10, $11, $12::jsonb)
     ON CONFLICT (request_id) DO UPDATE SET kind = excluded.kind, holder = excluded.holder, batch_id = excluded.batch_id,
       amount = excluded.amount, retirement = coalesce(excluded.retirement, requests.retirement),
       retirement_bytes = coalesce(excluded.retirement_bytes, requests.retirement_bytes),
       destination_account = coalesce(excluded.destination_account, requests.destination_account),
       deadline = excluded.deadline, idempotency_key = excluded.idempotency_key,
       requested_block = excluded.requested_block, requested_tx_hash = excluded.requested_tx_hash, updated_at = now()`,
    [
      event.requestId,
      event.kind,
      event.holder,
      event.batchId,
      event.amount,
      event.kind === "retirement" ? JSON.stringify(event.retirement ?? null) : null,
      event.kind === "withdrawal" ? event.destinationAccount : null,
      event.deadline,
      event.idempotencyKey,
      event.blockNumber,
      event.txHash,
      event.kind === "retirement" && event.retirementBytes != null ? JSON.stringify(event.retirementBytes) : null,
    ],
  );
}

/** The bridge's answer to a request, as indexed. */
export type RequestAnswer = {
  requestId: string;
  outcome: "confirmed" | "rejected";
  blockNumber: string;
  txHash: string;
  /** Confirmations: `retirementIdHash` / `registryTxHash` and `serialRangeHash`. */
  registryRefHash?: string | undefined;
  serialRangeHash?: string | undefined;
  /** Rejections. */
  reasonHash?: string | undefined;
};

/** Indexer: `chain_status` and `status` become the bridge's answer, with its hashes. */
export async function recordAnswer(db: Queryable, answer: RequestAnswer): Promise<void> {
  await db.query(
    `UPDATE requests SET chain_status = $2::text, status = $2::text::request_status, answered_block = $3,
       answered_tx_hash = $4, registry_ref_hash = coalesce($5, registry_ref_hash),
       serial_range_hash = coalesce($6, serial_range_hash), reason_hash = coalesce($7, reason_hash), updated_at = now()
     WHERE request_id = $1`,
    [
      answer.requestId,
      answer.outcome,
      answer.blockNumber,
      answer.txHash,
      answer.registryRefHash ?? null,
      answer.serialRangeHash ?? null,
      answer.reasonHash ?? null,
    ],
  );
}

/** Indexer: `RequestOverdue` flags the request; a request still waiting for the registry becomes `overdue`. */
export async function flagOverdue(db: Queryable, requestId: string): Promise<void> {
  await db.query(
    `UPDATE requests SET overdue_flagged = true, updated_at = now(),
       status = CASE WHEN status IN ('requested', 'submitted') THEN 'overdue'::request_status ELSE status END
     WHERE request_id = $1`,
    [requestId],
  );
}

/** Indexer: the block key a confirmed withdrawal released (`BlockKeyReleased`). */
export async function recordReleasedBlockKey(db: Queryable, requestId: string, blockKey: string): Promise<void> {
  await db.query("UPDATE requests SET released_block_key = $2 WHERE request_id = $1", [requestId, blockKey]);
}

/**
 * Indexer reorg: every indexer-set column of the batch's requests back to "no events", so the replay of the
 * remaining events recomputes them. A worker's `submitted` and the registry's word survive.
 */
export async function resetForReplay(db: Queryable, batchId: string): Promise<void> {
  await db.query(
    `UPDATE requests SET chain_status = 'pending', overdue_flagged = false, requested_block = NULL,
       requested_tx_hash = NULL, answered_block = NULL, answered_tx_hash = NULL, registry_ref_hash = NULL,
       serial_range_hash = NULL, reason_hash = NULL, released_block_key = NULL,
       status = CASE WHEN status IN ('confirmed', 'rejected', 'overdue') THEN 'requested'::request_status ELSE status END
     WHERE batch_id = $1`,
    [batchId],
  );
}

/** Indexer reorg, after the replay: requests among `requestIds` whose request event is gone no longer exist. */
export async function deleteUnrequested(db: Queryable, requestIds: readonly string[]): Promise<void> {
  if (requestIds.length === 0) return;
  await db.query("DELETE FROM requests WHERE request_id = ANY($1) AND requested_block IS NULL", [requestIds]);
}

/** The registry's word on a request: the status of the operation carrying its id as memo, and that operation's id. */
export type RegistryWord = { requestId: string; status: string; reference: string };

/**
 * SQL: the rank of a registry status, for the forward-only rule (unknown words rank with NULL, so they never
 * replace a known one).
 */
function rankOf(column: string): string {
  return `CASE ${column} WHEN 'PENDING' THEN 1 WHEN 'CONFIRMED' THEN 2 WHEN 'REJECTED' THEN 2 ELSE 0 END`;
}

/** SQL: the registry word in `u` moves the row's forward, or fills in a reference the row lacks at the same rank. */
const WORD_MOVES_FORWARD = `(${rankOf("u.status")} > ${rankOf("q.registry_status")}
  OR (${rankOf("u.status")} = ${rankOf("q.registry_status")} AND q.registry_reference IS NULL AND u.reference IS NOT NULL))`;

/**
 * Registry workers: the instruction for the request was sent (or found at the registry by its memo). `requested`
 * becomes `submitted`; the registry's word moves forward only. Idempotent.
 */
export async function recordSubmission(db: Queryable, word: RegistryWord): Promise<void> {
  await db.query(
    `UPDATE requests q
        SET status = CASE WHEN q.status = 'requested' THEN 'submitted'::request_status ELSE q.status END,
            registry_status = CASE WHEN ${WORD_MOVES_FORWARD} THEN u.status ELSE q.registry_status END,
            registry_reference = CASE WHEN ${WORD_MOVES_FORWARD} THEN u.reference ELSE q.registry_reference END,
            updated_at = now()
       FROM (SELECT $2::text AS status, $3::text AS reference) u
      WHERE q.request_id = $1`,
    [word.requestId.toLowerCase(), word.status, word.reference],
  );
}

/**
 * Registry watchers: the registry's current word on each request, read back from the registry. Moves forward only;
 * returns the number of requests whose word changed.
 */
export async function recordRegistryWords(db: Queryable, words: readonly RegistryWord[]): Promise<number> {
  if (words.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE requests q SET registry_status = u.status, registry_reference = u.reference, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(request_id, status, reference)
      WHERE q.request_id = u.request_id AND ${WORD_MOVES_FORWARD}`,
    [words.map((word) => word.requestId.toLowerCase()), words.map((word) => word.status), words.map((word) => word.reference)],
  );
  return rowCount ?? 0;
}
