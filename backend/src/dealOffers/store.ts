/**
 * The owner of `deal_offers`: escrow deal terms negotiated through the API. The status machine:
 *
 *     proposed --accept (the other party's signature)--> accepted
 *     proposed --counter (the other party's new terms)--> countered   (the new offer is proposed, `supersedes` it)
 *     proposed --withdraw (the proposer)--> withdrawn
 *
 * Only a `proposed` offer moves, and each move is one conditional UPDATE, so two parties acting at once cannot both
 * win: the loser's statement changes nothing and is told so (`false` / `undefined`). Addresses are stored lower case.
 */
import type { Pool } from "pg";
import { withTransaction } from "../db/transaction";
import type { Queryable } from "../db/queryable";
import { DealOfferConflictError } from "./errors";

export type DealOfferStatus = "proposed" | "countered" | "accepted" | "withdrawn";

/** The Deal struct as signed, every number a decimal string. */
export type DealTerms = {
  seller: string;
  buyer: string;
  batchId: string;
  amount: string;
  unitPrice: string;
  paymentToken: string;
  conditions: string;
  buyerRegistryAccount: string;
  deadline: string;
  salt: string;
};

export type DealOfferRow = {
  deal_id: string;
  seller: string;
  buyer: string;
  terms: DealTerms;
  proposer: string;
  proposer_signature: string;
  acceptance_signature: string | null;
  status: DealOfferStatus;
  supersedes: string | null;
  created_at: Date;
  updated_at: Date;
};

export type NewDealOffer = {
  dealId: string;
  terms: DealTerms;
  proposer: string;
  proposerSignature: string;
  supersedes?: string | undefined;
};

const COLUMNS = `deal_id, seller, buyer, terms, proposer, proposer_signature, acceptance_signature, status, supersedes,
  created_at, updated_at`;

/** Stores a new offer; false when an offer with the same deal id exists already (same terms: same id). */
export async function insertOffer(db: Queryable, offer: NewDealOffer): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO deal_offers (deal_id, seller, buyer, terms, proposer, proposer_signature, supersedes)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (deal_id) DO NOTHING`,
    [
      offer.dealId.toLowerCase(),
      offer.terms.seller.toLowerCase(),
      offer.terms.buyer.toLowerCase(),
      JSON.stringify(offer.terms),
      offer.proposer.toLowerCase(),
      offer.proposerSignature,
      offer.supersedes?.toLowerCase() ?? null,
    ],
  );
  return (rowCount ?? 0) > 0;
}

export async function getOffer(db: Queryable, dealId: string): Promise<DealOfferRow | undefined> {
  const { rows } = await db.query<DealOfferRow>(`SELECT ${COLUMNS} FROM deal_offers WHERE deal_id = $1`, [
    dealId.toLowerCase(),
  ]);
  return rows[0];
}

/** Offers where `party` is the seller or the buyer, newest first, optionally of one status. */
export async function listOffers(
  db: Queryable,
  params: { party: string; status?: DealOfferStatus | undefined; limit: number },
): Promise<DealOfferRow[]> {
  const { rows } = await db.query<DealOfferRow>(
    `SELECT ${COLUMNS} FROM deal_offers
      WHERE (seller = $1 OR buyer = $1) AND ($2::deal_offer_status IS NULL OR status = $2)
      ORDER BY created_at DESC, deal_id LIMIT $3`,
    [params.party.toLowerCase(), params.status ?? null, params.limit],
  );
  return rows;
}

/** Records the other party's signature: proposed -> accepted. False when the offer is no longer proposed. */
export async function acceptOffer(db: Queryable, dealId: string, signature: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE deal_offers SET status = 'accepted', acceptance_signature = $2, updated_at = now()
      WHERE deal_id = $1 AND status = 'proposed'`,
    [dealId.toLowerCase(), signature],
  );
  return (rowCount ?? 0) > 0;
}

/** The proposer takes the offer back: proposed -> withdrawn. False when it is no longer proposed. */
export async function withdrawOffer(db: Queryable, dealId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE deal_offers SET status = 'withdrawn', updated_at = now() WHERE deal_id = $1 AND status = 'proposed'`,
    [dealId.toLowerCase()],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Replaces a proposed offer with the other party's new terms in one transaction: the old one becomes `countered`,
 * the new one `proposed` with `supersedes`. Throws DealOfferConflictError (and writes nothing) when the old one is
 * no longer proposed or the new terms' deal id exists already.
 */
export async function counterOffer(pool: Pool, dealId: string, offer: NewDealOffer): Promise<void> {
  await withTransaction(pool, async (db) => {
    const { rowCount } = await db.query(
      `UPDATE deal_offers SET status = 'countered', updated_at = now() WHERE deal_id = $1 AND status = 'proposed'`,
      [dealId.toLowerCase()],
    );
    if ((rowCount ?? 0) === 0) throw new DealOfferConflictError(`offer ${dealId} is no longer proposed`);
    if (!(await insertOffer(db, { ...offer, supersedes: dealId }))) {
      throw new DealOfferConflictError(`an offer with deal id ${offer.dealId} exists already (change the salt)`);
    }
  });
}
