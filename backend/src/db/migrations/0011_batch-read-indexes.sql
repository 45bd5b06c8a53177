-- Up Migration

-- The batch read (`GET /batches/:id`, `api/queries/batches.ts`) sums a batch's requests and open deals: without
-- these it scans both tables on every read.
CREATE INDEX requests_batch_idx ON requests (batch_id);
CREATE INDEX deals_batch_idx ON deals (batch_id);

-- Down Migration

DROP INDEX deals_batch_idx;
DROP INDEX requests_batch_idx;
