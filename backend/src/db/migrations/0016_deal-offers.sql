-- Up Migration

-- Deal negotiation through the API (issue 14): escrow deal terms one party proposed and signed, the other party's
-- acceptance (its signature over the same terms) or counter-offer (new terms it signed, superseding these).
-- Written only by backend/src/dealOffers/store.ts. An accepted offer holds both signatures Settlement.openDeal
-- needs; the chain's deals table (the indexer's) says whether it was opened.
CREATE TYPE deal_offer_status AS ENUM ('proposed', 'countered', 'accepted', 'withdrawn');

CREATE TABLE deal_offers (
  deal_id bytes32 PRIMARY KEY,
  seller evm_address NOT NULL,
  buyer evm_address NOT NULL,
  -- the Deal struct as decimal strings and hex, exactly as signed
  terms jsonb NOT NULL,
  proposer evm_address NOT NULL CHECK (proposer IN (seller, buyer)),
  proposer_signature text NOT NULL,
  acceptance_signature text,
  status deal_offer_status NOT NULL DEFAULT 'proposed',
  supersedes bytes32 REFERENCES deal_offers (deal_id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'accepted') = (acceptance_signature IS NOT NULL))
);
CREATE INDEX deal_offers_seller_idx ON deal_offers (seller, created_at DESC);
CREATE INDEX deal_offers_buyer_idx ON deal_offers (buyer, created_at DESC);

-- Down Migration

DROP TABLE deal_offers;
DROP TYPE deal_offer_status;
