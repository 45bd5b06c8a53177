-- Up Migration

-- Deposit intents (ARCHITECTURE.md §3.3, deposit): a wallet declares "I will move this registry block into the
-- platform's custody account"; the intent id is the memo the holder puts on that registry transfer and the
-- on-chain `depositId` the oracles attest. Oracles attest only a block that arrived with that memo, is active
-- (then immobilized by the platform) and was never tokenized; the bridge mints to `holder`.
--
-- Lifecycle: awaiting_transfer -> arrived (the transfer with the memo is confirmed at the registry; record_id and
-- the range are known) -> immobilized (the platform's immobilization is confirmed) -> minted (DepositConfirmed
-- indexed). `rejected` (with `status_detail`): the block arrived but may not be tokenized (not active, already
-- tokenized, wrong quantity). `expired`: nothing arrived before `expires_at`.
CREATE TYPE deposit_intent_status AS ENUM ('awaiting_transfer', 'arrived', 'immobilized', 'minted', 'rejected', 'expired');

CREATE TABLE deposit_intents (
  intent_id bytes32 PRIMARY KEY,
  holder evm_address NOT NULL,
  registry_id text NOT NULL REFERENCES registries (id),
  -- What the holder declared: the registry's serial of the block (I-REC: the item id) and the account it leaves.
  declared_serial text NOT NULL,
  source_account text,
  status deposit_intent_status NOT NULL DEFAULT 'awaiting_transfer',
  status_detail text,
  -- Known once arrived: the custody record at the registry and the exact range it holds.
  record_id text,
  serial_prefix text,
  block_start bigint CHECK (block_start >= 0),
  block_end bigint,
  quantity bigint CHECK (quantity > 0),
  batch_id uint256,
  mint_tx_hash bytes32,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (block_start IS NULL OR block_end IS NULL OR block_end >= block_start)
);
CREATE INDEX deposit_intents_holder_idx ON deposit_intents (holder, created_at DESC);
CREATE INDEX deposit_intents_open_idx ON deposit_intents (registry_id, status)
  WHERE status IN ('awaiting_transfer', 'arrived', 'immobilized');

-- Down Migration

DROP TABLE deposit_intents;
DROP TYPE deposit_intent_status;
