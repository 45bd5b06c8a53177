-- Up Migration

-- The oracle network's shared board (backend/src/oracle/, docs/oracle.md). Postgres only carries signatures
-- between processes; it is never trusted for what they say: the aggregator recovers every signature against the
-- current on-chain oracle set and the bridge checks the quorum again, and a node signs a batch only over items
-- whose signature by its own key it finds and verifies here.

-- One signed message per (signer, digest): what a node attests after its own registry check. `kind` is the EIP-712
-- primary type (`RetirementConfirmed`, ..., `DealConditionAttested`); `subject` names what it is about (request
-- id, intent id, `batchId:asOf`, `dealId:condition`); `message` the typed-data message (bigints as decimal strings).
CREATE TABLE oracle_observations (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  subject text NOT NULL,
  digest bytes32 NOT NULL,
  message jsonb NOT NULL,
  signer evm_address NOT NULL CHECK (signer = lower(signer)),
  signature text NOT NULL CHECK (signature ~ '^0x[0-9a-fA-F]{130}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (signer, digest)
);
CREATE INDEX oracle_observations_digest_idx ON oracle_observations (digest);
CREATE INDEX oracle_observations_signer_subject_idx ON oracle_observations (signer, subject);

-- A batch the aggregator proposes for one of the bridge's batched entry points (`...Batch` attestation over
-- `items`, in order). Nodes answer in oracle_batch_votes. `abandoned`: superseded (aggregator restart, timeout).
CREATE TABLE oracle_batches (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('DepositConfirmedBatch', 'RetirementConfirmedBatch', 'WithdrawalConfirmedBatch')),
  digest bytes32 NOT NULL,
  items jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'signed', 'abandoned')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oracle_batches_open_idx ON oracle_batches (id) WHERE status = 'open';

-- A node's answer to a batch: its signature over the batch digest, or why it refused (an item it never signed).
CREATE TABLE oracle_batch_votes (
  batch_id bigint NOT NULL REFERENCES oracle_batches (id) ON DELETE CASCADE,
  signer evm_address NOT NULL CHECK (signer = lower(signer)),
  signature text CHECK (signature ~ '^0x[0-9a-fA-F]{130}$'),
  refusal text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, signer),
  CHECK ((signature IS NULL) <> (refusal IS NULL))
);

-- What the aggregator did with a message that reached the quorum: `relayed` (tx_hash of the transaction that
-- carried it) or `closed` (the contract refused it for good, e.g. the request was already answered; `error` names
-- the custom error). A message with a row here is never sent again, also after a restart.
CREATE TABLE oracle_relays (
  digest bytes32 PRIMARY KEY,
  kind text NOT NULL,
  subject text NOT NULL,
  status text NOT NULL CHECK (status IN ('relayed', 'closed')),
  tx_hash bytes32,
  error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oracle_relays_tx_idx ON oracle_relays (tx_hash);

-- Down Migration

DROP TABLE oracle_relays;
DROP TABLE oracle_batch_votes;
DROP TABLE oracle_batches;
DROP TABLE oracle_observations;
