-- Up Migration

-- The durable job queue (backend/src/queue) and the per-registry guard's shared rate buckets (backend/src/guard).

-- One row per unit of registry work. `key` is the idempotency key (the on-chain request id for retirements and
-- withdrawals): a second enqueue with the same key keeps the first job unchanged. `locked_until` is a lease: a
-- worker killed mid-job leaves a `running` row whose lease expires, and the next claim takes it again.
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind <> ''),
  key text NOT NULL UNIQUE CHECK (key <> ''),
  registry text,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 10 CHECK (max_attempts >= 1),
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  last_error_code text,
  redriven_by text,
  redriven_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK ((state = 'running') = (locked_until IS NOT NULL))
);
-- The claim scans only claimable rows in run_at order (queued, or running with a lease that may have expired).
CREATE INDEX jobs_claim_idx ON jobs (run_at, id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_dead_idx ON jobs (updated_at) WHERE state = 'dead';

-- Operator redrives of dead letters: who, when, and the error the job died with.
CREATE TABLE job_redrives (
  id bigserial PRIMARY KEY,
  job_id bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  operator text NOT NULL CHECK (operator <> ''),
  previous_error text,
  previous_attempts integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_redrives_job_idx ON job_redrives (job_id);

-- Wake sleeping workers when a job becomes queued (insert, retry, redrive); they poll as a fallback anyway.
CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('carbon_jobs', NEW.kind);
  RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_notify_insert AFTER INSERT ON jobs FOR EACH ROW WHEN (NEW.state = 'queued')
  EXECUTE FUNCTION jobs_notify();
CREATE TRIGGER jobs_notify_requeue AFTER UPDATE OF state ON jobs FOR EACH ROW
  WHEN (NEW.state = 'queued' AND OLD.state IS DISTINCT FROM 'queued') EXECUTE FUNCTION jobs_notify();

-- One token bucket per registry, shared by every worker process. Tokens are fractions of a call (numeric, like
-- every other number here: no floating point in the schema). `blocked_until` is the registry's own
-- `Retry-After`: no process takes a token before it.
CREATE TABLE rate_buckets (
  registry text PRIMARY KEY,
  tokens numeric NOT NULL CHECK (tokens >= 0),
  capacity numeric NOT NULL CHECK (capacity >= 1),
  refill_per_sec numeric NOT NULL CHECK (refill_per_sec > 0),
  blocked_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Down Migration

DROP TABLE rate_buckets;
DROP TABLE job_redrives;
DROP TABLE jobs;
DROP FUNCTION jobs_notify();
