import { expect } from "chai";
import { type Hex, decodeFunctionData, getAddress, recoverTypedDataAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { settlementAbi } from "../../../../backend/src/chain/abi";
import { buildDeal, dealTypes, settlementDomain } from "../../../../backend/src/chain/orders";
import { TEST_CHAIN_ID, TEST_SETTLEMENT, domainApp } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const seller = privateKeyToAccount(generatePrivateKey());
const buyer = privateKeyToAccount(generatePrivateKey());
const stranger = privateKeyToAccount(generatePrivateKey());
const domain = settlementDomain({ chainId: TEST_CHAIN_ID, verifyingContract: TEST_SETTLEMENT });
const TOKEN = "0x00000000000000000000000000000000000000aa";

let salt = 1;
function terms(overrides: Partial<Record<string, string>> = {}) {
  salt += 1;
  return {
    seller: seller.address,
    buyer: buyer.address,
    batchId: "7",
    amount: "100",
    unitPrice: "25",
    paymentToken: TOKEN,
    conditions: "0",
    deadline: String(Math.floor(Date.now() / 1000) + 86_400),
    salt: String(salt),
    ...overrides,
  };
}

async function sign(signer: typeof seller, t: ReturnType<typeof terms>): Promise<Hex> {
  const deal = buildDeal({
    seller: t.seller as Hex,
    buyer: t.buyer as Hex,
    batchId: BigInt(t.batchId),
    amount: BigInt(t.amount),
    unitPrice: BigInt(t.unitPrice),
    paymentToken: t.paymentToken as Hex,
    conditions: BigInt(t.conditions),
    deadline: BigInt(t.deadline),
    salt: BigInt(t.salt),
  });
  // signed directly (signDeal refuses a signer who is not a party; the API must refuse it too)
  return signer.signTypedData({ domain, types: dealTypes, primaryType: "Deal", message: deal });
}

describe("api routes: deal negotiation (POST /deal-offers, accept, counter, withdraw)", () => {
  let h: Harness;
  before(async () => {
    h = await domainApp();
  });
  after(async () => {
    await h?.close();
  });

  const post = (url: string, payload: unknown) => h.app.inject({ method: "POST", url, payload: payload as object });

  it("seller proposes, buyer counters, seller accepts: the answer is openDeal call data carrying both signatures", async () => {
    const first = terms();
    const proposed = await post("/deal-offers", { terms: first, signature: await sign(seller, first) });
    expect(proposed.statusCode, proposed.body).to.equal(201);
    expect(proposed.json()).to.include({ status: "proposed", proposer: seller.address, awaiting: buyer.address, openDeal: null });
    const again = await post("/deal-offers", { terms: first, signature: await sign(seller, first) });
    expect(again.statusCode).to.equal(200);

    const lower = { ...first, unitPrice: "22" };
    const countered = await post(`/deal-offers/${proposed.json().dealId}/counter`, {
      terms: lower,
      signature: await sign(buyer, lower),
    });
    expect(countered.statusCode, countered.body).to.equal(201);
    expect(countered.json()).to.include({ status: "proposed", proposer: buyer.address, awaiting: seller.address });
    expect(countered.json().supersedes).to.equal(proposed.json().dealId);
    const old = await h.app.inject({ method: "GET", url: `/deal-offers/${proposed.json().dealId}` });
    expect(old.json().status).to.equal("countered");

    const dealId = countered.json().dealId as Hex;
    const accepted = await post(`/deal-offers/${dealId}/accept`, { signature: await sign(seller, lower) });
    expect(accepted.statusCode, accepted.body).to.equal(200);
    expect(accepted.json().status).to.equal("accepted");
    const call = accepted.json().openDeal as { to: string; data: Hex };
    expect(call.to).to.equal(getAddress(TEST_SETTLEMENT));
    const decoded = decodeFunctionData({ abi: settlementAbi, data: call.data });
    expect(decoded.functionName).to.equal("openDeal");
    const [deal, sellerSignature, buyerSignature] = decoded.args as unknown as [Record<string, unknown>, Hex, Hex];
    expect(deal.unitPrice).to.equal(22n);
    const message = deal as never;
    expect(
      await recoverTypedDataAddress({ domain, types: dealTypes, primaryType: "Deal", message, signature: sellerSignature }),
    ).to.equal(seller.address);
    expect(
      await recoverTypedDataAddress({ domain, types: dealTypes, primaryType: "Deal", message, signature: buyerSignature }),
    ).to.equal(buyer.address);

    const listed = await h.app.inject({ method: "GET", url: `/deal-offers?party=${buyer.address}` });
    expect(listed.json().items.map((o: { status: string }) => o.status)).to.deep.equal(["accepted", "countered"]);
    const late = await post(`/deal-offers/${dealId}/accept`, { signature: await sign(seller, lower) });
    expect(late.statusCode).to.equal(409);
  });

  it("refuses a signature that is not the party's whose turn it is, naming body.signature", async () => {
    const t = terms();
    const byStranger = await post("/deal-offers", { terms: t, signature: await sign(stranger, t) });
    expect(byStranger.statusCode).to.equal(400);
    expect(byStranger.json().fields[0].field).to.equal("body.signature");
    const proposed = await post("/deal-offers", { terms: t, signature: await sign(buyer, t) });
    const dealId = proposed.json().dealId as string;
    const selfAccept = await post(`/deal-offers/${dealId}/accept`, { signature: await sign(buyer, t) });
    expect(selfAccept.statusCode).to.equal(400);
    expect(selfAccept.json().fields[0].message).to.match(/only 0x[0-9a-fA-F]{40} can accept/);
    const otherTerms = { ...t, amount: "5" };
    const wrongTerms = await post(`/deal-offers/${dealId}/accept`, { signature: await sign(seller, otherTerms) });
    expect(wrongTerms.statusCode, "a signature over other terms recovers to someone else").to.equal(400);
    const swapped = { ...t, seller: stranger.address };
    const counter = await post(`/deal-offers/${dealId}/counter`, { terms: swapped, signature: await sign(stranger, swapped) });
    expect(counter.statusCode).to.equal(400);
    expect(counter.json().fields[0].field).to.equal("body.terms");
  });

  it("lets only the proposer withdraw, once; bad terms name their field", async () => {
    const t = terms();
    const proposed = await post("/deal-offers", { terms: t, signature: await sign(seller, t) });
    const dealId = proposed.json().dealId as string;
    const notProposer = await post(`/deal-offers/${dealId}/withdraw`, { signature: await sign(buyer, t) });
    expect(notProposer.statusCode).to.equal(400);
    const withdrawn = await post(`/deal-offers/${dealId}/withdraw`, { signature: await sign(seller, t) });
    expect(withdrawn.statusCode, withdrawn.body).to.equal(200);
    expect(withdrawn.json()).to.include({ status: "withdrawn", awaiting: null });
    expect((await post(`/deal-offers/${dealId}/withdraw`, { signature: await sign(seller, t) })).statusCode).to.equal(409);
    const zero = { ...t, amount: "0" };
    const bad = await post("/deal-offers", { terms: zero, signature: await sign(seller, { ...t }) });
    expect(bad.statusCode).to.equal(400);
    expect(bad.json().fields[0].field).to.equal("body.terms.amount");
    expect((await h.app.inject({ method: "GET", url: `/deal-offers/0x${"ab".repeat(32)}` })).statusCode).to.equal(404);
  });
});
