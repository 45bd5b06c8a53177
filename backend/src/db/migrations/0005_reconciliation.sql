-- Up Migration

-- Reconciliation (backend/src/reconciliation/). The custody snapshot of 0001 kept the blocks of a snapshot as one
-- jsonb array; a set-based comparison of a million blocks wants them as rows. One row per block the registry
-- listed for the platform's custody account at the snapshot's moment (the header row in registry_snapshots keeps
-- registry, account, serial prefix, taken_at; `units` there = ACTIVE + IMMOBILIZED units, `blocks` stays '[]').
-- Blocks retired or transferred out of the custody account stay listed with their final status and the
-- registry's memo (the platform request id when the platform made the operation): that is how reconciliation
-- tells a platform retirement from one made outside the platform.
CREATE TABLE registry_snapshot_blocks (
  snapshot_id bigint NOT NULL REFERENCES registry_snapshots (id) ON DELETE CASCADE,
  native_id text NOT NULL,
  block_start bigint CHECK (block_start >= 0),
  block_end bigint,
  quantity bigint NOT NULL CHECK (quantity > 0),
  status block_status NOT NULL,
  memo text,
  PRIMARY KEY (snapshot_id, native_id),
  CHECK (block_start IS NULL OR block_end IS NULL OR quantity = block_end - block_start + 1)
);
CREATE INDEX registry_snapshot_blocks_memo_idx ON registry_snapshot_blocks (snapshot_id, memo) WHERE memo IS NOT NULL;

-- The latest snapshot of the custody account per (registry, prefix), found by one index scan.
CREATE INDEX registry_snapshots_account_latest_idx ON registry_snapshots
  (registry_id, serial_prefix, account, taken_at DESC, id DESC);

-- Reading back a run, a batch's history, and the pending requests of a batch.
CREATE INDEX discrepancies_run_idx ON discrepancies (run_id, class);
CREATE INDEX discrepancies_batch_idx ON discrepancies (batch_id, detected_at);
CREATE INDEX requests_batch_pending_idx ON requests (batch_id) WHERE chain_status = 'pending';

-- Down Migration

DROP INDEX requests_batch_pending_idx, discrepancies_batch_idx, discrepancies_run_idx,
  registry_snapshots_account_latest_idx;
DROP TABLE registry_snapshot_blocks;
