/**
 * The reconciliation engine: set-based SQL over the latest custody snapshots and the indexed chain state. No row
 * is looped over in JavaScript: one statement builds the per-batch facts (one pass over the snapshot blocks), one
 * INSERT ... SELECT per discrepancy class stores what it finds. Definitions: `./index.ts` (module doc).
 *
 * Everything is read in one REPEATABLE READ transaction, so the snapshot, the projections and `chain_events` are
 * compared as of the same moment (the indexer writes its projections and its checkpoint in one transaction).
 */
import type { Pool, PoolClient } from "pg";
import { withTransaction } from "../db/transaction";

export const DISCREPANCY_CLASSES = ["ghost_credit", "shortfall", "pending_lag", "status_mismatch", "index_drift"] as const;
export type DiscrepancyClass = (typeof DISCREPANCY_CLASSES)[number];

/** A stored discrepancy, as the engine hands it to `onDiscrepancy` hooks. Quantities are decimal strings. */
export type DiscrepancyRecord = {
  id: string;
  runId: string;
  class: DiscrepancyClass;
  registryId: string | null;
  batchId: string | null;
  expected: string | null;
  actual: string | null;
  details: Record<string, unknown>;
};

export type ReconciliationSummary = {
  runId: string;
  status: "clean" | "discrepancies";
  /** Batches compared. */
  batches: number;
  /** Registry blocks in the latest custody snapshots compared. */
  blocks: number;
  /** Batches with supply and no custody snapshot at all: not compared with the registry (nothing observed yet). */
  unobserved: number;
  discrepancies: Record<DiscrepancyClass, number>;
  total: number;
  /** Open discrepancies of earlier runs this run no longer found (their `resolved_at` is set now). */
  resolved: number;
  checkpointBlock: string | null;
  durationMs: number;
};

export type ReconcileParameters = {
  /** A pending request whose registry operation already shows is `pending_lag` once older than this (default 10 min). */
  pendingLagMs?: number;
  /** Postgres work_mem for the run (hash aggregates of a million blocks stay in memory), default '64MB'. */
  workMem?: string;
};

export type ReconcileResult = { summary: ReconciliationSummary; found: DiscrepancyRecord[] };

export const DEFAULT_PENDING_LAG_MS = 10 * 60_000;

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * Per-batch facts, one row per `batches` row (temp table, dropped at commit). Column meanings = the symbols of the
 * module doc: supply S, custody C, on_hold H, cancelled X, retired_outside O, pending_effective P_eff,
 * pending_deposits Dp, expected_custody T = S - P_eff.
 */
const FACTS_SQL = `
CREATE TEMP TABLE recon_facts ON COMMIT DROP AS
WITH latest AS (
  SELECT DISTINCT ON (s.registry_id, s.serial_prefix) s.id, s.registry_id, s.serial_prefix, s.account, s.taken_at
    FROM registry_snapshots s JOIN registries r ON r.id = s.registry_id
   WHERE r.custody_account IS NULL OR s.account = r.custody_account
   ORDER BY s.registry_id, s.serial_prefix, s.taken_at DESC, s.id DESC
), blk AS (
  SELECT sb.snapshot_id,
         count(*) AS blocks,
         coalesce(sum(sb.quantity) FILTER (WHERE sb.status IN ('ACTIVE', 'IMMOBILIZED')), 0) AS custody,
         coalesce(sum(sb.quantity) FILTER (WHERE sb.status = 'ON_HOLD'), 0) AS on_hold,
         coalesce(sum(sb.quantity) FILTER (WHERE sb.status = 'CANCELLED'), 0) AS cancelled,
         coalesce(sum(sb.quantity) FILTER (WHERE sb.status = 'RETIRED'), 0) AS retired_all,
         (array_agg(sb.native_id ORDER BY sb.native_id) FILTER (WHERE sb.status IN ('ON_HOLD', 'CANCELLED')))[1:10]
           AS held_ids
    FROM registry_snapshot_blocks sb
   WHERE sb.snapshot_id IN (SELECT id FROM latest)
   GROUP BY sb.snapshot_id
), memo AS (
  -- Blocks carrying a memo, per memo: RETIRED units, and units no longer in custody at all (left the account).
  SELECT sb.snapshot_id, lower(sb.memo) AS memo,
         coalesce(sum(sb.quantity) FILTER (WHERE sb.status = 'RETIRED'), 0) AS retired,
         coalesce(sum(sb.quantity) FILTER (WHERE sb.status NOT IN ('ACTIVE', 'IMMOBILIZED', 'ON_HOLD', 'CANCELLED')), 0) AS gone
    FROM registry_snapshot_blocks sb
   WHERE sb.snapshot_id IN (SELECT id FROM latest) AND sb.memo IS NOT NULL
   GROUP BY sb.snapshot_id, lower(sb.memo)
), req AS (
  SELECT q.batch_id,
         coalesce(sum(q.amount) FILTER (WHERE q.chain_status = 'pending'), 0) AS pending_units,
         count(*) FILTER (WHERE q.chain_status = 'pending') AS pending_count,
         coalesce(sum(least(q.amount, coalesce(m.gone, 0))) FILTER (WHERE q.chain_status = 'pending'), 0) AS pending_effective,
         coalesce(sum(m.retired) FILTER (WHERE q.chain_status IN ('pending', 'confirmed')), 0) AS retired_platform,
         count(*) FILTER (WHERE q.chain_status = 'pending' AND m.gone > 0 AND q.created_at < $1::timestamptz) AS lag_count,
         coalesce(sum(q.amount) FILTER (WHERE q.chain_status = 'pending' AND m.gone > 0 AND q.created_at < $1::timestamptz), 0)
           AS lag_units,
         coalesce(sum(least(q.amount, coalesce(m.gone, 0))) FILTER (WHERE q.chain_status = 'pending' AND m.gone > 0
           AND q.created_at < $1::timestamptz), 0) AS lag_effective,
         (array_agg(q.request_id::text ORDER BY q.request_id) FILTER (WHERE q.chain_status = 'pending' AND m.gone > 0
           AND q.created_at < $1::timestamptz))[1:20] AS lag_ids
    FROM requests q
    JOIN batches b ON b.batch_id = q.batch_id
    LEFT JOIN latest l ON l.registry_id = b.registry_id AND l.serial_prefix = b.serial_prefix
    LEFT JOIN memo m ON m.snapshot_id = l.id AND m.memo = lower(q.request_id)
   GROUP BY q.batch_id
), dep AS (
  SELECT b.batch_id, sum(d.quantity) AS pending_deposits
    FROM deposits d JOIN batches b ON b.registry_id = d.registry_id AND b.serial_prefix = d.serial_prefix
   WHERE d.status = 'pending'
   GROUP BY b.batch_id
), bal AS (
  SELECT batch_id, sum(amount) AS balances_sum, count(*) AS holders FROM balances GROUP BY batch_id
)
SELECT b.batch_id, b.registry_id, b.serial_prefix, b.frozen,
       l.id AS snapshot_id, l.taken_at AS snapshot_taken_at,
       b.total_supply AS supply,
       coalesce(blk.blocks, 0) AS blocks,
       coalesce(blk.custody, 0)::numeric AS custody,
       coalesce(blk.on_hold, 0)::numeric AS on_hold,
       coalesce(blk.cancelled, 0)::numeric AS cancelled,
       greatest(coalesce(blk.retired_all, 0) - coalesce(req.retired_platform, 0), 0)::numeric AS retired_outside,
       coalesce(req.retired_platform, 0)::numeric AS retired_platform,
       blk.held_ids,
       coalesce(req.pending_units, 0)::numeric AS pending_units,
       coalesce(req.pending_count, 0) AS pending_count,
       coalesce(req.pending_effective, 0)::numeric AS pending_effective,
       coalesce(req.lag_count, 0) AS lag_count,
       coalesce(req.lag_units, 0)::numeric AS lag_units,
       coalesce(req.lag_effective, 0)::numeric AS lag_effective,
       req.lag_ids,
       coalesce(dep.pending_deposits, 0)::numeric AS pending_deposits,
       coalesce(bal.balances_sum, 0)::numeric AS balances_sum,
       coalesce(bal.holders, 0) AS holders,
       b.total_supply - coalesce(req.pending_effective, 0) AS expected_custody
  FROM batches b
  LEFT JOIN latest l ON l.registry_id = b.registry_id AND l.serial_prefix = b.serial_prefix
  LEFT JOIN blk ON blk.snapshot_id = l.id
  LEFT JOIN req ON req.batch_id = b.batch_id
  LEFT JOIN dep ON dep.batch_id = b.batch_id
  LEFT JOIN bal ON bal.batch_id = b.batch_id`;

/** Supply and balances recomputed from the ERC-1155 transfer events in `chain_events` (temp table). */
const EVENTS_SQL = `
CREATE TEMP TABLE recon_event_balances ON COMMIT DROP AS
WITH moves AS (
  SELECT (e.args->>'id')::numeric AS batch_id, lower(e.args->>'from') AS "from", lower(e.args->>'to') AS "to",
         (e.args->>'value')::numeric AS value
    FROM chain_events e WHERE e.event_name = 'TransferSingle'
  UNION ALL
  SELECT i.id::numeric, lower(e.args->>'from'), lower(e.args->>'to'), v.value::numeric
    FROM chain_events e
    CROSS JOIN LATERAL jsonb_array_elements_text(e.args->'ids') WITH ORDINALITY AS i(id, n)
    JOIN LATERAL jsonb_array_elements_text(e.args->'values') WITH ORDINALITY AS v(value, n) ON v.n = i.n
   WHERE e.event_name = 'TransferBatch'
), legs AS (
  SELECT batch_id, "to" AS holder, value FROM moves
  UNION ALL
  SELECT batch_id, "from", -value FROM moves
)
-- holder '${ZERO}' carries minus the supply (mints are transfers from it, burns transfers to it).
SELECT batch_id, holder, sum(value) AS amount FROM legs GROUP BY batch_id, holder`;

const DRIFT_SQL = `
CREATE TEMP TABLE recon_drift ON COMMIT DROP AS
WITH ev_supply AS (
  SELECT batch_id, -amount AS supply FROM recon_event_balances WHERE holder = '${ZERO}'
), holder_diff AS (
  SELECT coalesce(e.batch_id, b.batch_id) AS batch_id, count(*) AS holders
    FROM (SELECT * FROM recon_event_balances WHERE holder <> '${ZERO}' AND amount <> 0) e
    FULL JOIN balances b ON b.batch_id = e.batch_id AND b.holder = e.holder
   WHERE e.amount IS DISTINCT FROM b.amount
   GROUP BY 1
), ids AS (
  SELECT batch_id FROM recon_facts UNION SELECT batch_id FROM ev_supply UNION SELECT batch_id FROM holder_diff
)
SELECT ids.batch_id, f.registry_id, f.batch_id IS NOT NULL AS indexed,
       coalesce(f.supply, 0) AS supply, coalesce(f.balances_sum, 0) AS balances_sum,
       coalesce(s.supply, 0) AS event_supply, coalesce(h.holders, 0) AS holder_mismatches
  FROM ids
  LEFT JOIN recon_facts f ON f.batch_id = ids.batch_id
  LEFT JOIN ev_supply s ON s.batch_id = ids.batch_id
  LEFT JOIN holder_diff h ON h.batch_id = ids.batch_id`;

/** Numbers of the custody comparison, as decimal strings (uint256 fits no JS number). */
const CUSTODY_EVIDENCE = `jsonb_build_object(
  'supply', f.supply::text, 'custody', f.custody::text, 'onHold', f.on_hold::text, 'cancelled', f.cancelled::text,
  'retiredOutside', f.retired_outside::text, 'retiredPlatform', f.retired_platform::text,
  'pendingUnits', f.pending_units::text, 'pendingEffective', f.pending_effective::text,
  'pendingDeposits', f.pending_deposits::text, 'expectedCustody', f.expected_custody::text,
  'snapshotId', f.snapshot_id::text, 'snapshotTakenAt', f.snapshot_taken_at, 'blocks', f.blocks, 'frozen', f.frozen)`;

/** One INSERT ... SELECT per class, in this order. $1 = run id. */
const INSERTS: Record<DiscrepancyClass, string> = {
  shortfall: `
    INSERT INTO discrepancies (run_id, class, registry_id, batch_id, expected, actual, details)
    SELECT $1, 'shortfall', f.registry_id, f.batch_id, greatest(f.expected_custody, 0), f.custody,
           ${CUSTODY_EVIDENCE} || jsonb_build_object(
             'missingUnits', (f.expected_custody - (f.custody + f.on_hold + f.cancelled + f.retired_outside))::text)
      FROM recon_facts f
     WHERE f.snapshot_id IS NOT NULL AND f.custody + f.on_hold + f.cancelled + f.retired_outside < f.expected_custody`,
  ghost_credit: `
    INSERT INTO discrepancies (run_id, class, registry_id, batch_id, expected, actual, details)
    SELECT $1, 'ghost_credit', f.registry_id, f.batch_id, greatest(f.expected_custody, 0), f.custody,
           ${CUSTODY_EVIDENCE} || jsonb_build_object(
             'surplusUnits', greatest(f.custody - f.expected_custody - f.pending_deposits, 0)::text,
             'outsideRetirement', f.retired_outside > 0 AND f.expected_custody > 0)
      FROM recon_facts f
     WHERE (f.retired_outside > 0 AND f.expected_custody > 0)
        OR f.custody > f.expected_custody + f.pending_deposits`,
  status_mismatch: `
    INSERT INTO discrepancies (run_id, class, registry_id, batch_id, expected, actual, details)
    SELECT $1, 'status_mismatch', f.registry_id, f.batch_id, greatest(f.expected_custody, 0), f.custody,
           ${CUSTODY_EVIDENCE} || jsonb_build_object('heldBlockIds', to_jsonb(coalesce(f.held_ids, '{}')))
      FROM recon_facts f
     WHERE f.on_hold + f.cancelled > 0 AND f.expected_custody > 0`,
  pending_lag: `
    INSERT INTO discrepancies (run_id, class, registry_id, batch_id, expected, actual, details)
    SELECT $1, 'pending_lag', f.registry_id, f.batch_id, f.lag_units, f.lag_effective,
           jsonb_build_object('requests', f.lag_count, 'requestIds', to_jsonb(f.lag_ids),
             'pendingUnits', f.lag_units::text, 'registryEffectiveUnits', f.lag_effective::text,
             'thresholdMs', $2::bigint, 'supply', f.supply::text)
      FROM recon_facts f
     WHERE f.lag_count > 0`,
  index_drift: `
    INSERT INTO discrepancies (run_id, class, registry_id, batch_id, expected, actual, details)
    SELECT $1, 'index_drift', d.registry_id, d.batch_id, greatest(d.event_supply, 0), d.supply,
           jsonb_build_object('supply', d.supply::text, 'eventSupply', d.event_supply::text,
             'balancesSum', d.balances_sum::text, 'holderMismatches', d.holder_mismatches, 'batchIndexed', d.indexed)
      FROM recon_drift d
     WHERE d.supply <> d.event_supply OR d.balances_sum <> d.supply OR d.holder_mismatches > 0 OR NOT d.indexed`,
};

function emptyCounts(): Record<DiscrepancyClass, number> {
  return { ghost_credit: 0, shortfall: 0, pending_lag: 0, status_mismatch: 0, index_drift: 0 };
}

/** Rows of discrepancies returned with the summary (all of them for hooks; a run normally finds few). */
const FOUND_LIMIT = 10_000;

/**
 * One reconciliation run: stores a `reconciliation_runs` row (status running -> clean | discrepancies | failed)
 * and its discrepancies, and returns the summary plus the stored discrepancies.
 */
export async function reconcile(pool: Pool, parameters: ReconcileParameters = {}): Promise<ReconcileResult> {
  const started = process.hrtime.bigint();
  const pendingLagMs = parameters.pendingLagMs ?? DEFAULT_PENDING_LAG_MS;
  const { rows: runRows } = await pool.query<{ id: string }>(
    "INSERT INTO reconciliation_runs (status) VALUES ('running') RETURNING id::text",
  );
  const runId = runRows[0]!.id;
  try {
    return await withTransaction(
      pool,
      (client) => runInTransaction(client, runId, pendingLagMs, parameters.workMem ?? "64MB", started),
      { isolation: "repeatable read" },
    );
  } catch (error) {
    await pool
      .query("UPDATE reconciliation_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1", [
        runId,
        error instanceof Error ? error.message : String(error),
      ])
      .catch(() => undefined);
    throw error;
  }
}

async function runInTransaction(
  client: PoolClient,
  runId: string,
  pendingLagMs: number,
  workMem: string,
  started: bigint,
): Promise<ReconcileResult> {
  await client.query("SELECT set_config('work_mem', $1, true)", [workMem]);
  const lagBefore = new Date(Date.now() - pendingLagMs).toISOString();
  await client.query(FACTS_SQL, [lagBefore]);
  await client.query(EVENTS_SQL);
  await client.query(DRIFT_SQL);
  const counts = emptyCounts();
  for (const cls of DISCREPANCY_CLASSES) {
    const values: unknown[] = cls === "pending_lag" ? [runId, pendingLagMs] : [runId];
    const { rowCount } = await client.query(INSERTS[cls], values);
    counts[cls] = rowCount ?? 0;
  }
  // Discrepancies of earlier runs that this run no longer finds (same class and batch) are resolved now.
  const { rowCount: resolved } = await client.query(
    `UPDATE discrepancies d SET resolved_at = now()
      WHERE d.resolved_at IS NULL AND d.run_id < $1
        AND NOT EXISTS (SELECT 1 FROM discrepancies n WHERE n.run_id = $1 AND n.class = d.class
                          AND n.batch_id IS NOT DISTINCT FROM d.batch_id)`,
    [runId],
  );
  const { rows: totals } = await client.query<{ batches: string; blocks: string; unobserved: string; checkpoint: string | null }>(
    `SELECT (SELECT count(*) FROM recon_facts)::text AS batches,
            (SELECT count(*) FROM recon_facts WHERE snapshot_id IS NULL AND supply > 0)::text AS unobserved,
            (SELECT coalesce(sum(blocks), 0) FROM recon_facts)::text AS blocks,
            (SELECT max(block_number)::text FROM checkpoints WHERE name LIKE 'indexer:%') AS checkpoint`,
  );
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const summary: ReconciliationSummary = {
    runId,
    status: total === 0 ? "clean" : "discrepancies",
    batches: Number(totals[0]?.batches ?? 0),
    blocks: Number(totals[0]?.blocks ?? 0),
    unobserved: Number(totals[0]?.unobserved ?? 0),
    discrepancies: counts,
    total,
    resolved: resolved ?? 0,
    checkpointBlock: totals[0]?.checkpoint ?? null,
    durationMs: Math.round(durationMs * 10) / 10,
  };
  await client.query(
    `UPDATE reconciliation_runs SET status = $2::reconciliation_status, finished_at = now(), checkpoint_block = $3,
       summary = $4::jsonb WHERE id = $1`,
    [runId, summary.status, summary.checkpointBlock, JSON.stringify(summary)],
  );
  const { rows } = await client.query<{
    id: string;
    class: DiscrepancyClass;
    registry_id: string | null;
    batch_id: string | null;
    expected: string | null;
    actual: string | null;
    details: Record<string, unknown>;
  }>(
    `SELECT id::text, class::text AS class, registry_id, batch_id::text, expected::text, actual::text, details
       FROM discrepancies WHERE run_id = $1 ORDER BY discrepancies.id LIMIT ${FOUND_LIMIT}`,
    [runId],
  );
  const found = rows.map((row) => ({
    id: row.id,
    runId,
    class: row.class,
    registryId: row.registry_id,
    batchId: row.batch_id,
    expected: row.expected,
    actual: row.actual,
    details: row.details,
  }));
  return { summary, found };
}
