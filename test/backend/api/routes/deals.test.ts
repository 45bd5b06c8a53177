import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { domainApp, insertBatch, insertDeal, randomHash } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const seller = privateKeyToAccount(generatePrivateKey()).address;
const buyer = privateKeyToAccount(generatePrivateKey()).address;

describe("api routes: deals", () => {
  let h: Harness;
  const ids: string[] = [];

  before(async () => {
    h = await domainApp();
    await insertBatch(h.db.pool, "1");
    await insertBatch(h.db.pool, "2");
    ids.push(await insertDeal(h.db.pool, { seller, buyer, batchId: "1", amount: "10" }));
    ids.push(await insertDeal(h.db.pool, { seller, buyer, batchId: "2", amount: "20", status: "settled" }));
    ids.push(await insertDeal(h.db.pool, { seller: buyer, buyer: seller, batchId: "1", amount: "30" }));
  });
  after(async () => {
    await h?.close();
  });

  describe("GET /deals/:dealId", () => {
    it("answers one deal, 404 for an unknown id, 400 naming params.dealId for a malformed one", async () => {
      const response = await h.app.inject({ method: "GET", url: `/deals/${ids[0]!.toUpperCase().replace("0X", "0x")}` });
      expect(response.statusCode, response.body).to.equal(200);
      expect(response.json()).to.include({
        dealId: ids[0],
        seller,
        buyer,
        batchId: "1",
        amount: "10",
        status: "open",
        paymentToken: null,
      });
      expect(response.json()).to.deep.include({ conditionsSatisfied: [], deliveryRequestId: null, sellerProceeds: null });
      expect((await h.app.inject({ method: "GET", url: `/deals/${randomHash()}` })).statusCode).to.equal(404);
      const bad = await h.app.inject({ method: "GET", url: "/deals/42" });
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().fields[0].field).to.equal("params.dealId");
    });
  });

  describe("GET /deals", () => {
    it("lists deals newest first, by party, batch and status, paged", async () => {
      const all = (await h.app.inject({ method: "GET", url: "/deals?limit=2" })).json();
      expect(all.items).to.have.length(2);
      const rest = (await h.app.inject({ method: "GET", url: `/deals?limit=2&cursor=${all.nextCursor}` })).json();
      expect([...all.items, ...rest.items].map((d: { dealId: string }) => d.dealId)).to.have.members(ids);
      expect(rest.nextCursor).to.equal(null);
      const settled = (await h.app.inject({ method: "GET", url: "/deals?status=settled" })).json();
      expect(settled.items.map((d: { dealId: string }) => d.dealId)).to.deep.equal([ids[1]]);
      const batch1 = (await h.app.inject({ method: "GET", url: `/deals?batchId=1&party=${seller}` })).json();
      expect(batch1.items).to.have.length(2);
    });

    it("names bad query fields", async () => {
      const response = await h.app.inject({ method: "GET", url: "/deals?status=lost" });
      expect(response.statusCode).to.equal(400);
      expect(response.json().fields[0].field).to.equal("querystring.status");
    });
  });
});
