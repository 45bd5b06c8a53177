/**
 * Reconciliation (ARCHITECTURE.md §3.1 custody invariant, §3.3 "Reconciliation"): per batch, the registry's custody
 * account against the indexed chain state, and the index against the chain logs. Set-based SQL (`engine.ts`), a
 * service that runs it continuously (`reconciler.ts`), the freeze action (`freezer.ts`), the snapshot layout
 * (`snapshots.ts`, migration 0005), the CLI `carbon reconcile`.
 *
 * ## Inputs, per batch B (a `batches` row; its registry and serial prefix)
 *
 * The latest custody snapshot of B: the newest `registry_snapshots` row for (registry, prefix) whose account is the
 * registry's `custody_account` (any account when that is not set), and its `registry_snapshot_blocks`. A snapshot
 * lists the blocks live in the account and the blocks retired or transferred out of it, with the registry's memo.
 *
 * - `S`  = `batches.total_supply` (indexed on-chain supply).
 * - `C`  = units of snapshot blocks in `ACTIVE` or `IMMOBILIZED` (registry custody holdings).
 * - `H`  = units `ON_HOLD`; `X` = units `CANCELLED`.
 * - A block is a *platform operation* when its memo equals (case-insensitive) the `request_id` of a request of B
 *   that the chain has not rejected (`chain_status` pending or confirmed).
 * - `O`  = units `RETIRED` that are not platform operations (no memo, an unknown memo, or the memo of a rejected
 *   request): retired outside the platform.
 * - For a pending request q (`chain_status = 'pending'`, units still in supply under the bridge):
 *   `E(q) = min(amount(q), units of blocks with memo q whose status is none of ACTIVE, IMMOBILIZED, ON_HOLD,
 *   CANCELLED)`: the part of q whose registry operation already took effect (retired, or transferred out:
 *   PENDING_TRANSFER and later).
 * - `P_eff = Σ E(q)` over pending q; `T = S − P_eff`: the units the registry must still hold in custody.
 * - `Dp` = units of `deposits` of B's (registry, prefix) still `pending` (moved into custody, not minted yet).
 *
 * ## Classes (at most one row per class and batch per run; `expected`/`actual` as stated, numbers in `details`)
 *
 * - `shortfall`: `C + H + X + O < T`. Units backing supply have left the custody account altogether (transferred
 *   out, expired, missing; an empty snapshot counts as observed zero). A batch with no snapshot at all is not
 *   compared with the registry (nothing observed yet: freezing it would punish a snapshot job that has not run);
 *   `summary.unobserved` counts those that have supply. Units still listed but held, cancelled or retired
 *   outside are the status classes below, not a shortfall, so each cause is reported once under its own name.
 *   expected = T, actual = C; `details.missingUnits = T − (C + H + X + O)`. Freezes the batch.
 * - `ghost_credit`: either (a) `O > 0` while `T > 0`: supply backed by units the registry shows retired outside the
 *   platform (the tokens could be sold and retired again), or (b) `C > T + Dp`: the registry still shows as active
 *   in custody units the chain no longer has in supply (burned as retired or withdrawn while the registry did not
 *   do it). `details.outsideRetirement`, `details.surplusUnits = C − T − Dp`. expected = T, actual = C.
 * - `status_mismatch`: `H + X > 0` while `T > 0`: a registry hold or cancellation on a block of a batch backing
 *   supply. `details.heldBlockIds` (first 10). expected = T, actual = C. Freezes the batch.
 * - `pending_lag` (informational): pending requests q with `E(q) > 0` (the registry already shows the operation)
 *   created more than `pendingLagMs` ago (default 10 min): the confirmation is late. expected = Σ amount,
 *   actual = Σ E(q) of those requests; `details.requestIds` (first 20).
 * - `index_drift`: the indexer's projections disagree with what `chain_events` imply: `S` ≠ supply recomputed from
 *   TransferSingle/TransferBatch (mints − burns), or Σ `balances` ≠ `S`, or any holder's `balances` row ≠ its
 *   balance recomputed from the events (`details.holderMismatches`), or events name a batch with no `batches` row.
 *   expected = event supply, actual = S.
 *
 * An open discrepancy of an earlier run that a run no longer finds (same class and batch) gets `resolved_at` set
 * by that run (`summary.resolved` counts them); one still found stays open, so each run's rows are its evidence.
 *
 * With every input consistent (C = T, H = X = O = 0, projections = events, no lagging request) a run is clean. The
 * custody invariant of §3.1 is `C = S` once no request is in flight; `T` extends it to requests in flight.
 */
export {
  DEFAULT_PENDING_LAG_MS,
  DISCREPANCY_CLASSES,
  type DiscrepancyClass,
  type DiscrepancyRecord,
  type ReconcileParameters,
  type ReconcileResult,
  type ReconciliationSummary,
  reconcile,
} from "./engine";
export { type DiscrepancyHook, type Reconciler, type ReconcilerOptions, createReconciler } from "./reconciler";
export {
  type BatchFreezer,
  type CreateBatchFreezerParameters,
  DEFAULT_FREEZE_CLASSES,
  FREEZE_REASON,
  createBatchFreezer,
} from "./freezer";
export { type RecordSnapshotParameters, type SnapshotBlock, type SnapshotBlockStatus, recordCustodySnapshot } from "./snapshots";
