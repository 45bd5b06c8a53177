/**
 * Deal negotiation (issue 14): one party proposes escrow deal terms with its EIP-712 signature; the other accepts
 * (its signature over the same terms), counters (new terms it signed, superseding these) or leaves it; the proposer
 * can withdraw while nobody answered. Signatures authenticate every step (no session needed): each is checked on
 * arrival against the Settlement domain, by Settlement's own rules, and must come from the party the step belongs
 * to. An accepted offer answers the `Settlement.openDeal(deal, sellerSignature, buyerSignature)` call data, which
 * either party sends from its wallet; the deal's life on chain is then `GET /deals/:dealId`.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { type Hex, type TypedDataDomain, encodeFunctionData, isAddressEqual } from "viem";
import { z } from "zod";
import { settlementAbi } from "../../chain/abi";
import { type Deal, buildDeal, hashDeal } from "../../chain/orders";
import { DealOfferConflictError } from "../../dealOffers/errors";
import {
  type DealOfferRow,
  type DealTerms,
  acceptOffer,
  counterOffer,
  getOffer,
  insertOffer,
  listOffers,
  withdrawOffer,
} from "../../dealOffers/store";
import { BaseError, ValidationError } from "../../errors";
import {
  address,
  addressParam,
  bytes32,
  bytes32Param,
  checksum,
  errors,
  notFound,
  replyError,
  timestamp,
  uint256Param,
} from "../http";
import { errorBody } from "../schemas";
import { signatureParam, signerOf } from "../signatures";

export const dealTermsInput = z.object({
  seller: addressParam,
  buyer: addressParam,
  batchId: uint256Param,
  amount: uint256Param,
  unitPrice: uint256Param,
  paymentToken: addressParam.describe("0x0 for a fiat leg"),
  conditions: uint256Param.default("0").describe("Bits: 1 FIAT_PAYMENT_RECEIVED, 2 REGISTRY_DELIVERY"),
  buyerRegistryAccount: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "expected bytes32 hex")
    .optional(),
  deadline: uint256Param.describe("Unix seconds"),
  salt: uint256Param.describe("Any number; new terms need a new salt or any changed field"),
});

const signedTerms = z.object({
  terms: dealTermsInput,
  signature: signatureParam.describe("The signer's EIP-712 signature over the terms (POST /typed-data/deal gives them)"),
});

const offerBody = z.object({
  dealId: bytes32.describe("The EIP-712 digest of the terms: Settlement's deal id"),
  status: z.enum(["proposed", "countered", "accepted", "withdrawn"]),
  terms: z.record(z.string(), z.string()),
  proposer: address,
  awaiting: address.nullable().describe("Who must answer a proposed offer (accept, counter); null otherwise"),
  proposerSignature: z.string(),
  acceptanceSignature: z.string().nullable(),
  supersedes: bytes32.nullable().describe("The offer this one counters"),
  openDeal: z
    .object({ to: address, data: z.string() })
    .nullable()
    .describe("Settlement.openDeal(deal, sellerSignature, buyerSignature) call data, once accepted"),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** Deal terms as a body gives them; without a salt buildDeal draws a random one. */
export type DealTermsBody = Omit<z.output<typeof dealTermsInput>, "salt"> & { salt?: string | undefined };

/** Rebuilds the Deal struct from the input (buildDeal's checks named under `prefix`). */
export function dealOf(terms: DealTermsBody, prefix = "body.terms"): Deal {
  try {
    return buildDeal({
      seller: terms.seller,
      buyer: terms.buyer,
      batchId: BigInt(terms.batchId),
      amount: BigInt(terms.amount),
      unitPrice: BigInt(terms.unitPrice),
      paymentToken: terms.paymentToken,
      conditions: BigInt(terms.conditions),
      deadline: BigInt(terms.deadline),
      ...(terms.salt === undefined ? {} : { salt: BigInt(terms.salt) }),
      ...(terms.buyerRegistryAccount === undefined ? {} : { buyerRegistryAccount: terms.buyerRegistryAccount as Hex }),
    });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`${prefix}.${error.field}`, error.message.slice(error.field.length + 2));
    throw error;
  }
}

function termsOf(deal: Deal): DealTerms {
  const text = (value: bigint | string) => (typeof value === "bigint" ? value.toString() : value.toLowerCase());
  return Object.fromEntries(Object.entries(deal).map(([key, value]) => [key, text(value as bigint | string)])) as DealTerms;
}

function dealOfTerms(terms: DealTerms): Deal {
  return dealOf({ ...terms, buyerRegistryAccount: terms.buyerRegistryAccount } as never, "terms");
}

const otherParty = (row: DealOfferRow) => (row.proposer === row.seller ? row.buyer : row.seller);

function openDealCall(row: DealOfferRow, settlement: Hex) {
  if (row.status !== "accepted" || row.acceptance_signature === null) return null;
  const sellerSignature = (row.proposer === row.seller ? row.proposer_signature : row.acceptance_signature) as Hex;
  const buyerSignature = (row.proposer === row.buyer ? row.proposer_signature : row.acceptance_signature) as Hex;
  const data = encodeFunctionData({
    abi: settlementAbi,
    functionName: "openDeal",
    args: [dealOfTerms(row.terms), sellerSignature, buyerSignature],
  });
  return { to: checksum(settlement), data };
}

function offerView(row: DealOfferRow, settlement: Hex): z.infer<typeof offerBody> {
  return {
    dealId: row.deal_id,
    status: row.status,
    terms: row.terms,
    proposer: checksum(row.proposer),
    awaiting: row.status === "proposed" ? checksum(otherParty(row)) : null,
    proposerSignature: row.proposer_signature,
    acceptanceSignature: row.acceptance_signature,
    supersedes: row.supersedes,
    openDeal: openDealCall(row, settlement),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type DealOfferRoutesOptions = { pool: Pool; settlementDomain?: TypedDataDomain | undefined };

const dealOfferRoutes: FastifyPluginAsyncZod<DealOfferRoutesOptions> = async (app, { pool, settlementDomain }) => {
  const domainOf = () => {
    if (settlementDomain === undefined)
      throw new BaseError("Settlement domain not configured", { code: "SETTLEMENT_NOT_CONFIGURED", retryable: false });
    return settlementDomain;
  };
  const settlement = () => domainOf().verifyingContract as Hex;
  /** The deal id of signed terms and who signed them (a party of the deal, or a 400 naming body.signature). */
  const signed = async (body: z.output<typeof signedTerms>) => {
    const deal = dealOf(body.terms);
    const dealId = hashDeal({ domain: domainOf(), deal });
    const signer = await signerOf(dealId, body.signature as Hex);
    if (!isAddressEqual(signer, deal.seller) && !isAddressEqual(signer, deal.buyer)) {
      throw new ValidationError("body.signature", `signed by ${signer}, who is neither the seller nor the buyer`);
    }
    return { deal, dealId, signer };
  };
  const conflict = { 409: errorBody.describe("The offer is no longer proposed, or these terms exist already") };
  const params = z.object({ dealId: bytes32Param });

  app.post(
    "/deal-offers",
    {
      schema: {
        tags: ["deals"],
        summary: "Propose escrow deal terms, signed by the seller or the buyer (201; 200 when proposed already)",
        body: signedTerms,
        response: { 200: offerBody, 201: offerBody, ...conflict, ...errors },
      },
    },
    async (request, reply) => {
      const { deal, dealId, signer } = await signed(request.body);
      const created = await insertOffer(pool, {
        dealId,
        terms: termsOf(deal),
        proposer: signer,
        proposerSignature: request.body.signature,
      });
      const row = (await getOffer(pool, dealId))!;
      return reply.code(created ? 201 : 200).send(offerView(row, settlement()));
    },
  );

  app.get(
    "/deal-offers",
    {
      schema: {
        tags: ["deals"],
        summary: "Offers where the party is the seller or the buyer, newest first",
        querystring: z.object({
          party: addressParam,
          status: z.enum(["proposed", "countered", "accepted", "withdrawn"]).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(offerBody) }), ...errors },
      },
    },
    async (request) => {
      const rows = await listOffers(pool, request.query);
      return { items: rows.map((row) => offerView(row, settlement())) };
    },
  );

  app.get(
    "/deal-offers/:dealId",
    { schema: { tags: ["deals"], summary: "One offer", params, response: { 200: offerBody, ...notFound, ...errors } } },
    async (request, reply) => {
      const row = await getOffer(pool, request.params.dealId);
      if (row === undefined) return replyError(reply, 404, "not_found", `Deal offer ${request.params.dealId} not found`);
      return offerView(row, settlement());
    },
  );

  app.post(
    "/deal-offers/:dealId/accept",
    {
      schema: {
        tags: ["deals"],
        summary: "Accept: the other party's signature over the same terms; answers the openDeal call data",
        params,
        body: z.object({ signature: signatureParam }),
        response: { 200: offerBody, ...notFound, ...conflict, ...errors },
      },
    },
    async (request, reply) => {
      const row = await getOffer(pool, request.params.dealId);
      if (row === undefined) return replyError(reply, 404, "not_found", `Deal offer ${request.params.dealId} not found`);
      const signer = await signerOf(row.deal_id as Hex, request.body.signature as Hex);
      if (!isAddressEqual(signer, otherParty(row) as Hex)) {
        throw new ValidationError(
          "body.signature",
          `signed by ${signer}; only ${checksum(otherParty(row))} can accept this offer`,
        );
      }
      if (!(await acceptOffer(pool, row.deal_id, request.body.signature))) {
        return replyError(
          reply,
          409,
          "conflict",
          `Deal offer is ${(await getOffer(pool, row.deal_id))?.status}; it cannot be accepted`,
        );
      }
      return offerView((await getOffer(pool, row.deal_id))!, settlement());
    },
  );

  app.post(
    "/deal-offers/:dealId/counter",
    {
      schema: {
        tags: ["deals"],
        summary: "Counter: the other party's new terms (same seller and buyer), signed; supersedes this offer",
        params,
        body: signedTerms,
        response: { 201: offerBody, ...notFound, ...conflict, ...errors },
      },
    },
    async (request, reply) => {
      const row = await getOffer(pool, request.params.dealId);
      if (row === undefined) return replyError(reply, 404, "not_found", `Deal offer ${request.params.dealId} not found`);
      const { deal, dealId, signer } = await signed(request.body);
      if (!isAddressEqual(deal.seller, row.seller as Hex) || !isAddressEqual(deal.buyer, row.buyer as Hex)) {
        throw new ValidationError("body.terms", "a counter-offer keeps the seller and the buyer of the offer it answers");
      }
      if (!isAddressEqual(signer, otherParty(row) as Hex)) {
        throw new ValidationError(
          "body.signature",
          `signed by ${signer}; only ${checksum(otherParty(row))} can counter this offer`,
        );
      }
      try {
        await counterOffer(pool, row.deal_id, {
          dealId,
          terms: termsOf(deal),
          proposer: signer,
          proposerSignature: request.body.signature,
        });
      } catch (error) {
        if (error instanceof DealOfferConflictError) return replyError(reply, 409, "conflict", error.message);
        throw error;
      }
      return reply.code(201).send(offerView((await getOffer(pool, dealId))!, settlement()));
    },
  );

  app.post(
    "/deal-offers/:dealId/withdraw",
    {
      schema: {
        tags: ["deals"],
        summary: "Withdraw a proposed offer: the proposer signs the same terms again as proof (nothing goes on chain)",
        description:
          "Terms signed off chain stay valid on Settlement: a withdrawn offer whose counterparty already holds the " +
          "proposer's signature could still be opened with the counterparty's own; `Settlement.cancelDeal(deal)` from " +
          "either party's wallet closes that for good.",
        params,
        body: z.object({ signature: signatureParam.describe("The proposer's signature over the offer's terms") }),
        response: { 200: offerBody, ...notFound, ...conflict, ...errors },
      },
    },
    async (request, reply) => {
      const row = await getOffer(pool, request.params.dealId);
      if (row === undefined) return replyError(reply, 404, "not_found", `Deal offer ${request.params.dealId} not found`);
      const signer = await signerOf(row.deal_id as Hex, request.body.signature as Hex);
      if (!isAddressEqual(signer, row.proposer as Hex)) {
        throw new ValidationError(
          "body.signature",
          `signed by ${signer}; only the proposer ${checksum(row.proposer)} can withdraw`,
        );
      }
      if (!(await withdrawOffer(pool, row.deal_id))) {
        return replyError(
          reply,
          409,
          "conflict",
          `Deal offer is ${(await getOffer(pool, row.deal_id))?.status}; nothing to withdraw`,
        );
      }
      return offerView((await getOffer(pool, row.deal_id))!, settlement());
    },
  );
};

export default dealOfferRoutes;
