-- Up Migration

-- API sign-in (EIP-4361, Sign-In with Ethereum) and the full terms of posted orders.

-- Nonces handed out by GET /auth/nonce. Single use: POST /auth/siwe consumes one with an UPDATE ... WHERE
-- used_at IS NULL AND expires_at > now(), so two concurrent sign-ins with the same nonce cannot both succeed.
CREATE TABLE siwe_nonces (
  nonce text PRIMARY KEY CHECK (nonce ~ '^[A-Za-z0-9]{16,64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX siwe_nonces_expiry_idx ON siwe_nonces (expires_at);

-- Wallet sessions. Only a SHA-256 hash of the bearer token is stored; the token is shown once at sign-in.
CREATE TABLE api_sessions (
  id bigserial PRIMARY KEY,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  address evm_address NOT NULL,
  chain_id bigint NOT NULL,
  nonce text NOT NULL REFERENCES siwe_nonces (nonce),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX api_sessions_address_idx ON api_sessions (address);

-- An EIP-712 Order has more fields than 0001 kept (side, taker, minimum fill, maker counter); without them the
-- signed digest cannot be rebuilt, so the book could not hand an order to a taker. `orders.nonce` holds the
-- order's `salt`. Defaults are the values of a plain sell order so rows written by other components still fit.
ALTER TABLE orders
  ADD COLUMN side smallint NOT NULL DEFAULT 0 CHECK (side IN (0, 1)),
  ADD COLUMN taker evm_address NOT NULL DEFAULT '0x0000000000000000000000000000000000000000',
  ADD COLUMN min_fill uint256 NOT NULL DEFAULT 0,
  ADD COLUMN counter uint256 NOT NULL DEFAULT 0,
  ADD COLUMN cancelled_at timestamptz;
CREATE INDEX orders_maker_idx ON orders (maker);
CREATE INDEX fills_order_idx ON fills (order_hash);

-- Down Migration

DROP INDEX fills_order_idx, orders_maker_idx;
ALTER TABLE orders DROP COLUMN cancelled_at, DROP COLUMN counter, DROP COLUMN min_fill, DROP COLUMN taker,
  DROP COLUMN side;
DROP TABLE api_sessions, siwe_nonces;
