-- Up Migration

-- The evidence module's chain of custody of its own exports (backend/src/evidence/log.ts, docs/evidence.md): one
-- row per evidence package built, hash-chained: entry_hash = SHA-256 of the RFC 8785 JSON of the row's fields and
-- previous_hash (the entry before it; zero for the first). Only the evidence module writes these tables.
CREATE TABLE evidence_log (
  seq bigint PRIMARY KEY CHECK (seq >= 1),
  requested_by text NOT NULL CHECK (requested_by <> ''),
  scope jsonb NOT NULL,
  manifest_root text NOT NULL CHECK (manifest_root ~ '^0x[0-9a-f]{64}$'),
  file_name text NOT NULL,
  created_at timestamptz NOT NULL,
  previous_hash text NOT NULL CHECK (previous_hash ~ '^0x[0-9a-f]{64}$'),
  entry_hash text NOT NULL UNIQUE CHECK (entry_hash ~ '^0x[0-9a-f]{64}$')
);

-- Append-only for every role that does not take the trouble to disable the trigger. The trigger is a guard rail,
-- not the proof: an administrator can drop it, and then the hash chain and its on-chain anchors are what show the
-- change (`carbon audit verify-log`).
CREATE FUNCTION evidence_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'evidence_log is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER evidence_log_append_only BEFORE UPDATE OR DELETE ON evidence_log
  FOR EACH ROW EXECUTE FUNCTION evidence_log_refuse_change();
CREATE TRIGGER evidence_log_no_truncate BEFORE TRUNCATE ON evidence_log
  FOR EACH STATEMENT EXECUTE FUNCTION evidence_log_refuse_change();

-- Each time the log's head was anchored on chain: a zero-value transaction from the anchor key to itself whose
-- calldata names the head entry (seq and entry hash).
CREATE TABLE evidence_log_anchors (
  id bigserial PRIMARY KEY,
  seq bigint NOT NULL CHECK (seq >= 1),
  entry_hash text NOT NULL CHECK (entry_hash ~ '^0x[0-9a-f]{64}$'),
  chain_id bigint NOT NULL,
  tx_hash text NOT NULL UNIQUE CHECK (tx_hash ~ '^0x[0-9a-f]{64}$'),
  block_number bigint NOT NULL,
  anchored_by text NOT NULL CHECK (anchored_by ~ '^0x[0-9a-f]{40}$'),
  anchored_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE evidence_log_anchors;
DROP TABLE evidence_log;
DROP FUNCTION evidence_log_refuse_change();
