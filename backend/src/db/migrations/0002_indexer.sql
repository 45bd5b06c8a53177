-- Up Migration

-- What the chain indexer (backend/src/indexer/) adds to the platform schema. Every column and table here is
-- written only by the indexer and can be recomputed from `chain_events` (docs/backend-core.md, "Indexer
-- projections"). Addresses written by the indexer are lowercase 0x text.

-- Which batches an event is about (TransferBatch and WalletRecovered name several). A reorg rebuilds the
-- projections of exactly these batches from the events that remain.
ALTER TABLE chain_events ADD COLUMN batch_ids uint256[] NOT NULL DEFAULT '{}';
CREATE INDEX chain_events_batch_ids_idx ON chain_events USING gin (batch_ids);

-- On-chain state of a batch (CreditToken): supply from mints and burns, the frozen flag, when it was registered.
ALTER TABLE batches
  ADD COLUMN total_supply uint256 NOT NULL DEFAULT 0,
  ADD COLUMN frozen boolean NOT NULL DEFAULT false,
  ADD COLUMN registered_block bigint,
  ADD COLUMN reserve_units uint256,
  ADD COLUMN reserve_as_of timestamptz;

-- ERC-1155 balances per (batch, holder), from TransferSingle / TransferBatch. Holders include the bridge (pending
-- requests) and Settlement (escrow); rows that reach zero are deleted.
CREATE TABLE balances (
  batch_id uint256 NOT NULL,
  holder evm_address NOT NULL,
  amount uint256 NOT NULL,
  updated_block bigint NOT NULL,
  PRIMARY KEY (batch_id, holder),
  CHECK (holder = lower(holder))
);
CREATE INDEX balances_holder_idx ON balances (holder);

-- Deposits as minted on-chain: the attestation's deposit id and serial block key. `indexer_inserted` marks rows
-- the indexer created because no pending row of the deposit flow matched (a reorg deletes those; it returns the
-- others to pending).
ALTER TABLE deposits
  ADD COLUMN deposit_id bytes32 UNIQUE,
  ADD COLUMN block_key bytes32,
  ADD COLUMN minted_block bigint,
  ADD COLUMN indexer_inserted boolean NOT NULL DEFAULT false;

-- The chain's side of a request. `status` stays the platform's view (workers set 'submitted'); the indexer sets
-- it to confirmed / rejected / overdue when the chain says so. The registry references are the hashes the oracles
-- attested (the plain references stay with the worker in `registry_reference`).
ALTER TABLE requests
  ADD COLUMN chain_status text NOT NULL DEFAULT 'pending' CHECK (chain_status IN ('pending', 'confirmed', 'rejected')),
  ADD COLUMN overdue_flagged boolean NOT NULL DEFAULT false,
  ADD COLUMN idempotency_key bytes32,
  ADD COLUMN requested_block bigint,
  ADD COLUMN requested_tx_hash bytes32,
  ADD COLUMN answered_block bigint,
  ADD COLUMN answered_tx_hash bytes32,
  ADD COLUMN registry_ref_hash bytes32,
  ADD COLUMN serial_range_hash bytes32,
  ADD COLUMN reason_hash bytes32,
  ADD COLUMN released_block_key bytes32;

-- Deals: condition bits confirmed by the oracle quorum, the registry delivery request, the settlement amounts.
ALTER TABLE deals
  ADD COLUMN conditions_satisfied jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN delivery_request_id bytes32,
  ADD COLUMN seller_proceeds uint256,
  ADD COLUMN fee uint256,
  ADD COLUMN opened_block bigint;

-- Down Migration

DROP TABLE balances;
ALTER TABLE deals DROP COLUMN conditions_satisfied, DROP COLUMN delivery_request_id, DROP COLUMN seller_proceeds,
  DROP COLUMN fee, DROP COLUMN opened_block;
ALTER TABLE requests DROP COLUMN chain_status, DROP COLUMN overdue_flagged, DROP COLUMN idempotency_key,
  DROP COLUMN requested_block, DROP COLUMN requested_tx_hash, DROP COLUMN answered_block, DROP COLUMN answered_tx_hash,
  DROP COLUMN registry_ref_hash, DROP COLUMN serial_range_hash, DROP COLUMN reason_hash, DROP COLUMN released_block_key;
ALTER TABLE deposits DROP COLUMN deposit_id, DROP COLUMN block_key, DROP COLUMN minted_block, DROP COLUMN indexer_inserted;
ALTER TABLE batches DROP COLUMN total_supply, DROP COLUMN frozen, DROP COLUMN registered_block, DROP COLUMN reserve_units,
  DROP COLUMN reserve_as_of;
DROP INDEX chain_events_batch_ids_idx;
ALTER TABLE chain_events DROP COLUMN batch_ids;
