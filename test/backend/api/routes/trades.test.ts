import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { domainApp, insertBatch, randomHash } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const maker = privateKeyToAccount(generatePrivateKey()).address;
const taker = privateKeyToAccount(generatePrivateKey()).address;
const third = privateKeyToAccount(generatePrivateKey()).address;

describe("api routes: trades", () => {
  let h: Harness;

  /** An order row and `fills` of it, as the API and the indexer would have written them. */
  async function orderWithFills(batchId: string, orderMaker: string, fills: Array<[string, string]>): Promise<string> {
    const hash = randomHash();
    await h.db.pool.query(
      `INSERT INTO orders (order_hash, maker, batch_id, amount, unit_price, payment_token, nonce, expires_at, signature)
       VALUES ($1, $2, $3, 100, 5, $4, 1, now() + interval '1 hour', '0x')`,
      [hash, orderMaker.toLowerCase(), batchId, `0x${"aa".repeat(20)}`],
    );
    for (const [who, amount] of fills) {
      await h.db.pool.query(
        `INSERT INTO fills (order_hash, taker, amount, payment_amount, block_number, tx_hash, log_index)
         VALUES ($1, $2, $3::numeric, $3::numeric * 5, 1, $4, 0)`,
        [hash, who.toLowerCase(), amount, randomHash()],
      );
    }
    return hash;
  }

  before(async () => {
    h = await domainApp();
    await insertBatch(h.db.pool, "1");
    await insertBatch(h.db.pool, "2");
    await orderWithFills("1", maker, [[taker, "10"], [taker, "20"]]);
    await orderWithFills("2", third, [[taker, "1"]]);
  });
  after(async () => {
    await h?.close();
  });

  it("lists fills newest first with order terms, checksummed parties and payment", async () => {
    const response = await h.app.inject({ method: "GET", url: "/trades" });
    expect(response.statusCode, response.body).to.equal(200);
    const items = response.json().items;
    expect(items.map((t: { amount: string }) => t.amount)).to.deep.equal(["1", "20", "10"]);
    expect(items[1]).to.include({ batchId: "1", maker, taker, unitPrice: "5", paymentAmount: "100", side: "sell" });
  });

  it("filters by batch and by holder (maker or taker), and pages", async () => {
    const byBatch = (await h.app.inject({ method: "GET", url: "/trades?batchId=1" })).json();
    expect(byBatch.items.map((t: { amount: string }) => t.amount)).to.deep.equal(["20", "10"]);
    const byMaker = (await h.app.inject({ method: "GET", url: `/trades?holder=${third.toLowerCase()}` })).json();
    expect(byMaker.items.map((t: { amount: string }) => t.amount)).to.deep.equal(["1"]);
    const byTaker = (await h.app.inject({ method: "GET", url: `/trades?holder=${taker}&limit=2` })).json();
    expect(byTaker.items).to.have.length(2);
    const rest = (
      await h.app.inject({ method: "GET", url: `/trades?holder=${taker}&limit=2&cursor=${byTaker.nextCursor}` })
    ).json();
    expect(rest.items.map((t: { amount: string }) => t.amount)).to.deep.equal(["10"]);
    expect(rest.nextCursor).to.equal(null);
  });

  it("names bad query fields", async () => {
    const response = await h.app.inject({ method: "GET", url: "/trades?batchId=-1&holder=0x12" });
    expect(response.statusCode).to.equal(400);
    expect(response.json().fields.map((f: { field: string }) => f.field)).to.have.members([
      "querystring.batchId",
      "querystring.holder",
    ]);
  });
});
