-- Up Migration

-- The platform schema. Postgres holds the work and an index of the chain and the registries; it is never the
-- authority for custody (ARCHITECTURE.md §2). Quantities and on-chain integers are numeric(78,0) (uint256 fits)
-- or bigint (registry serial numbers, block numbers); never floating point. Addresses and hashes are 0x text.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE DOMAIN uint256 AS numeric(78, 0) CHECK (VALUE >= 0);
CREATE DOMAIN evm_address AS text CHECK (VALUE ~ '^0x[0-9a-fA-F]{40}$');
CREATE DOMAIN bytes32 AS text CHECK (VALUE ~ '^0x[0-9a-fA-F]{64}$');

CREATE TYPE block_status AS ENUM (
  'ACTIVE', 'IMMOBILIZED', 'PENDING_TRANSFER', 'RETIRED', 'CANCELLED', 'ON_HOLD', 'EXPIRED', 'BUFFER'
);
CREATE TYPE deposit_status AS ENUM ('pending', 'minted', 'rejected', 'withdrawn');
CREATE TYPE request_kind AS ENUM ('retirement', 'withdrawal');
CREATE TYPE request_status AS ENUM ('requested', 'submitted', 'confirmed', 'rejected', 'overdue');
CREATE TYPE order_status AS ENUM ('open', 'partially_filled', 'filled', 'cancelled', 'expired');
CREATE TYPE deal_status AS ENUM ('open', 'settled', 'reclaimed', 'cancelled');
CREATE TYPE reconciliation_status AS ENUM ('running', 'clean', 'discrepancies', 'failed');
CREATE TYPE discrepancy_class AS ENUM ('ghost_credit', 'shortfall', 'pending_lag', 'status_mismatch', 'index_drift');

-- One row per registry the platform connects to: 'VERRA', 'GOLD_STANDARD', 'IREC', 'IN_CCTS', ...
CREATE TABLE registries (
  id text PRIMARY KEY CHECK (id ~ '^[A-Z][A-Z0-9_]*$'),
  name text NOT NULL,
  custody_account text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per token id of CreditToken (registry + project + vintage + issuance batch).
CREATE TABLE batches (
  batch_id uint256 PRIMARY KEY,
  registry_id text NOT NULL REFERENCES registries (id),
  serial_prefix text NOT NULL,
  project_id text,
  vintage_start date,
  vintage_end date,
  unit_type text,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (registry_id, serial_prefix)
);

-- The registry mirror: blocks as the registries report them, keyed by the registry's own id. After a split the
-- parent and its children overlap by design, so no range uniqueness here (see deposits).
CREATE TABLE registry_blocks (
  id bigserial PRIMARY KEY,
  registry_id text NOT NULL REFERENCES registries (id),
  native_id text NOT NULL,
  serial text NOT NULL,
  serial_prefix text NOT NULL,
  block_start bigint NOT NULL CHECK (block_start >= 0),
  block_end bigint NOT NULL,
  quantity bigint GENERATED ALWAYS AS (block_end - block_start + 1) STORED,
  status block_status NOT NULL,
  native_status text,
  holder_account text,
  parent_block_id bigint REFERENCES registry_blocks (id),
  raw_payload jsonb NOT NULL,
  observed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (registry_id, native_id),
  CHECK (block_end >= block_start)
);
CREATE INDEX registry_blocks_range_idx ON registry_blocks
  USING gist (registry_id, serial_prefix, int8range(block_start, block_end, '[]'));

-- Tokenization claims: a serial range the platform has minted, or is about to mint, tokens for. This is the
-- table the "never tokenized twice" rule belongs to: while a deposit is pending or minted, no other deposit may
-- overlap its range in the same registry and batch prefix. A rejected deposit never minted and a block withdrawn
-- in full may be deposited again (ARCHITECTURE.md §3.3), so those rows leave the constraint's scope.
CREATE TABLE deposits (
  id bigserial PRIMARY KEY,
  registry_id text NOT NULL REFERENCES registries (id),
  serial_prefix text NOT NULL,
  block_start bigint NOT NULL CHECK (block_start >= 0),
  block_end bigint NOT NULL,
  quantity bigint GENERATED ALWAYS AS (block_end - block_start + 1) STORED,
  registry_block_id bigint REFERENCES registry_blocks (id),
  batch_id uint256 REFERENCES batches (batch_id),
  holder evm_address,
  status deposit_status NOT NULL DEFAULT 'pending',
  mint_tx_hash bytes32,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (block_end >= block_start),
  CONSTRAINT deposits_no_overlap EXCLUDE USING gist (
    registry_id WITH =,
    serial_prefix WITH =,
    int8range(block_start, block_end, '[]') WITH &&
  ) WHERE (status IN ('pending', 'minted'))
);

-- EIP-712 signed sell orders (Settlement, instant DvP).
CREATE TABLE orders (
  order_hash bytes32 PRIMARY KEY,
  maker evm_address NOT NULL,
  batch_id uint256 NOT NULL REFERENCES batches (batch_id),
  amount uint256 NOT NULL CHECK (amount > 0),
  filled_amount uint256 NOT NULL DEFAULT 0,
  unit_price uint256 NOT NULL,
  payment_token evm_address NOT NULL,
  nonce uint256 NOT NULL,
  expires_at timestamptz NOT NULL,
  signature text NOT NULL,
  status order_status NOT NULL DEFAULT 'open',
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (filled_amount <= amount)
);
CREATE INDEX orders_open_idx ON orders (batch_id, status) WHERE status IN ('open', 'partially_filled');

CREATE TABLE fills (
  id bigserial PRIMARY KEY,
  order_hash bytes32 NOT NULL REFERENCES orders (order_hash),
  taker evm_address NOT NULL,
  amount uint256 NOT NULL CHECK (amount > 0),
  payment_amount uint256 NOT NULL,
  block_number bigint NOT NULL,
  tx_hash bytes32 NOT NULL,
  log_index integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tx_hash, log_index)
);

-- Conditional escrow deals.
CREATE TABLE deals (
  deal_id bytes32 PRIMARY KEY,
  seller evm_address NOT NULL,
  buyer evm_address NOT NULL,
  batch_id uint256 NOT NULL REFERENCES batches (batch_id),
  amount uint256 NOT NULL CHECK (amount > 0),
  payment_token evm_address,
  payment_amount uint256 NOT NULL,
  conditions jsonb NOT NULL DEFAULT '[]',
  deadline timestamptz NOT NULL,
  status deal_status NOT NULL DEFAULT 'open',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Retirement and withdrawal requests (two-phase). `status` is the platform's view; `registry_status` the
-- registry's own word, kept beside it because they differ while a request is in flight.
CREATE TABLE requests (
  request_id bytes32 PRIMARY KEY,
  kind request_kind NOT NULL,
  holder evm_address NOT NULL,
  batch_id uint256 NOT NULL REFERENCES batches (batch_id),
  amount uint256 NOT NULL CHECK (amount > 0),
  status request_status NOT NULL DEFAULT 'requested',
  registry_status text,
  registry_reference text,
  destination_account text,
  retirement jsonb,
  deadline timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'retirement' OR destination_account IS NOT NULL)
);
CREATE INDEX requests_open_idx ON requests (status, deadline) WHERE status IN ('requested', 'submitted', 'overdue');

-- The index of chain logs. A reorg deletes rows above the common ancestor (see checkpoints).
CREATE TABLE chain_events (
  id bigserial PRIMARY KEY,
  block_number bigint NOT NULL CHECK (block_number >= 0),
  block_hash bytes32 NOT NULL,
  tx_hash bytes32 NOT NULL,
  log_index integer NOT NULL CHECK (log_index >= 0),
  contract evm_address NOT NULL,
  event_name text NOT NULL,
  args jsonb NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tx_hash, log_index)
);
CREATE INDEX chain_events_block_idx ON chain_events (block_number);
CREATE INDEX chain_events_name_idx ON chain_events (event_name, block_number);

-- (block number, block hash) per consumer, as ponder does: the hash is what detects a reorg on resume.
CREATE TABLE checkpoints (
  name text PRIMARY KEY,
  block_number bigint NOT NULL CHECK (block_number >= 0),
  block_hash bytes32 NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- What a registry showed in the custody account at one moment, per batch prefix.
CREATE TABLE registry_snapshots (
  id bigserial PRIMARY KEY,
  registry_id text NOT NULL REFERENCES registries (id),
  account text NOT NULL,
  serial_prefix text NOT NULL,
  units uint256 NOT NULL,
  blocks jsonb NOT NULL DEFAULT '[]',
  taken_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registry_snapshots_latest_idx ON registry_snapshots (registry_id, serial_prefix, taken_at DESC);

CREATE TABLE reconciliation_runs (
  id bigserial PRIMARY KEY,
  status reconciliation_status NOT NULL DEFAULT 'running',
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  checkpoint_block bigint,
  summary jsonb NOT NULL DEFAULT '{}',
  error text
);

CREATE TABLE discrepancies (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES reconciliation_runs (id),
  class discrepancy_class NOT NULL,
  registry_id text REFERENCES registries (id),
  batch_id uint256,
  expected uint256,
  actual uint256,
  details jsonb NOT NULL DEFAULT '{}',
  detected_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE INDEX discrepancies_open_idx ON discrepancies (class, detected_at) WHERE resolved_at IS NULL;

-- API keys: only a SHA-256 hash of the key is stored; the key itself is shown once at creation.
CREATE TABLE api_keys (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Down Migration

DROP TABLE api_keys, discrepancies, reconciliation_runs, registry_snapshots, checkpoints, chain_events, requests,
  deals, fills, orders, deposits, registry_blocks, batches, registries;
DROP TYPE discrepancy_class, reconciliation_status, deal_status, order_status, request_status, request_kind,
  deposit_status, block_status;
DROP DOMAIN bytes32, evm_address, uint256;
