-- Up Migration

-- Strings from the chain are untrusted (backend/src/db/storable.ts): the indexer stores them escaped so that
-- PostgreSQL accepts them, and keeps the exact bytes where they are evidence. A poison event (one whose projection
-- fails for a reason a retry cannot fix) is recorded here, alerted on, and skipped only where that is safe
-- (docs/backend-core.md, "Untrusted input and poison events"). Written only by the indexer.

-- Exact bytes (0x hex) of every non-indexed ABI string argument, by path (`details.beneficiary`).
ALTER TABLE chain_events ADD COLUMN string_bytes jsonb NOT NULL DEFAULT '{}';

-- Exact bytes of a retirement's beneficiary and reason as emitted (`{"beneficiary": "0x..", "reason": "0x.."}`);
-- `retirement` holds their storable text.
ALTER TABLE requests ADD COLUMN retirement_bytes jsonb;

CREATE TABLE indexer_poison_events (
  tx_hash bytes32 NOT NULL,
  log_index integer NOT NULL,
  block_number bigint NOT NULL,
  block_hash bytes32 NOT NULL,
  event_name text NOT NULL,
  -- 'skipped': stored in chain_events, its projection left out, the indexer went on;
  -- 'halted': its projection gates money, so the indexer stopped before its block.
  action text NOT NULL CHECK (action IN ('skipped', 'halted')),
  error text NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX indexer_poison_events_block_idx ON indexer_poison_events (block_number);

-- Down Migration

DROP TABLE indexer_poison_events;
ALTER TABLE requests DROP COLUMN retirement_bytes;
ALTER TABLE chain_events DROP COLUMN string_bytes;
