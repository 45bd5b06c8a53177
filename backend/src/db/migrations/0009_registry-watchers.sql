-- Up Migration

-- Registry watchers (backend/src/watchers/, docs/watchers.md): the registry's event log as received (webhooks and
-- polling feed the same table), the polling cursor per registry, and the custody mirror the snapshot writer reads.

-- Every registry event received, once per (registry, event id): a webhook delivered twice, or an event seen by
-- both a webhook and the poller, is one row. `applied_at` is set once the state the event names has been re-read
-- from the registry and stored (the event's own content is never applied, so the order of arrival is harmless).
CREATE TABLE registry_events (
  registry_id text NOT NULL CHECK (registry_id ~ '^[A-Z][A-Z0-9_]*$'),
  event_id text NOT NULL,
  sequence bigint NOT NULL CHECK (sequence >= 0),
  type text NOT NULL,
  occurred_at text NOT NULL,
  operation_id text,
  memo text,
  record_ids text[] NOT NULL,
  source text NOT NULL CHECK (source IN ('webhook', 'poll')),
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  -- A record the registry refused to return for a reason a retry cannot fix (logged; the event is not retried).
  apply_error text,
  PRIMARY KEY (registry_id, event_id)
);
CREATE INDEX registry_events_unapplied_idx ON registry_events (registry_id, sequence) WHERE applied_at IS NULL;

-- The opaque cursor of `RegistryPort.pollChanges` per registry, written in the transaction that stores the
-- changes it returned (a crash in between re-polls them: duplicates are ignored). Chain `checkpoints` hold a
-- block hash and do not fit an opaque registry cursor.
CREATE TABLE registry_poll_cursors (
  registry_id text PRIMARY KEY CHECK (registry_id ~ '^[A-Z][A-Z0-9_]*$'),
  cursor text NOT NULL,
  polled_at timestamptz NOT NULL DEFAULT now()
);

-- The custody mirror: every block seen in the platform's custody account at a registry, and every block that
-- left it (retired there, or transferred out) with the memo of the operation that did it. Each row is the
-- registry's own current word on the block (re-read, never derived from an event). `changed_at` moves only when
-- the row's content changes, so the snapshot writer can tell whether the mirror moved while it listed holdings.
CREATE TABLE custody_blocks (
  registry_id text NOT NULL CHECK (registry_id ~ '^[A-Z][A-Z0-9_]*$'),
  account text NOT NULL,
  native_id text NOT NULL,
  serial text NOT NULL,
  serial_prefix text NOT NULL,
  block_start bigint CHECK (block_start >= 0),
  block_end bigint,
  quantity bigint NOT NULL CHECK (quantity > 0),
  status block_status NOT NULL,
  native_status text,
  holder_account text,
  memo text,
  parent_native_id text,
  payload jsonb NOT NULL,
  observed_at timestamptz NOT NULL DEFAULT now(),
  changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (registry_id, account, native_id),
  CHECK (block_start IS NULL OR block_end IS NULL OR quantity = block_end - block_start + 1)
);
CREATE INDEX custody_blocks_changed_idx ON custody_blocks (registry_id, account, changed_at);

-- Down Migration

DROP TABLE custody_blocks, registry_poll_cursors, registry_events;
