-- Up Migration

-- Settlement's EIP-712 Order carries `uint16 maxFeeBps`, the highest platform fee the maker accepts (issue 12
-- §3.4): the book must keep it to serve the order as signed. Rows stored before it were signed over the old type,
-- which Settlement no longer accepts; they get 0 (the default, which the API never relies on: `insertOrder` always
-- writes the signed value).
ALTER TABLE orders ADD COLUMN max_fee_bps integer NOT NULL DEFAULT 0 CHECK (max_fee_bps BETWEEN 0 AND 10000);

-- Down Migration

ALTER TABLE orders DROP COLUMN max_fee_bps;
