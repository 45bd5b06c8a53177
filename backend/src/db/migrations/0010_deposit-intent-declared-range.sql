-- Up Migration

-- The range a deposit intent declares, parsed from `declared_serial` when the intent is created, so that two open
-- intents can never claim overlapping units of one registry batch (the intents' twin of `deposits_no_overlap`).
-- `serial_prefix`, `block_start` and `block_end` stay what arrived at the registry (a part of the declared range).
-- Terminal intents (minted, rejected, expired) leave the constraint's scope: a minted range is guarded by its
-- `deposits` row, a rejected or expired one may be declared again.
ALTER TABLE deposit_intents
  ADD COLUMN declared_prefix text,
  ADD COLUMN declared_start bigint CHECK (declared_start >= 0),
  ADD COLUMN declared_end bigint,
  ADD CHECK (declared_start IS NULL OR declared_end >= declared_start),
  ADD CONSTRAINT deposit_intents_no_overlap EXCLUDE USING gist (
    registry_id WITH =,
    declared_prefix WITH =,
    int8range(declared_start, declared_end, '[]') WITH &&
  ) WHERE (status IN ('awaiting_transfer', 'arrived', 'immobilized'));

-- Down Migration

ALTER TABLE deposit_intents
  DROP CONSTRAINT deposit_intents_no_overlap,
  DROP COLUMN declared_end,
  DROP COLUMN declared_start,
  DROP COLUMN declared_prefix;
