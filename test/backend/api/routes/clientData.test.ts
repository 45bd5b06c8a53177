import { expect } from "chai";
import { recoverTypedDataAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { TEST_CHAIN_ID, TEST_SETTLEMENT, domainApp, insertBatch, insertRequest, setBalance } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

describe("api routes: typed data to sign, and CSV exports", () => {
  let h: Harness;
  const maker = privateKeyToAccount(generatePrivateKey());

  before(async () => {
    h = await domainApp();
    await insertBatch(h.db.pool, "77");
  });
  after(async () => {
    await h?.close();
  });

  it("answers an order's typed data that a wallet signs as is, and the API then accepts (same digest)", async () => {
    const body = {
      maker: maker.address,
      batchId: "77",
      amount: "10",
      unitPrice: "5",
      paymentToken: "0x00000000000000000000000000000000000000aa",
      maxFeeBps: 150,
      expiry: String(Math.floor(Date.now() / 1000) + 600),
      salt: "3",
    };
    const response = await h.app.inject({ method: "POST", url: "/typed-data/order", payload: body });
    expect(response.statusCode, response.body).to.equal(200);
    const { digest, typedData } = response.json();
    expect(typedData.domain).to.deep.equal({
      name: "CarbonSettlement",
      version: "1",
      chainId: TEST_CHAIN_ID,
      verifyingContract: TEST_SETTLEMENT,
    });
    expect(typedData.message).to.include({ counter: "0", salt: "3", amount: "10", maxFeeBps: 150 });
    const { EIP712Domain: _domain, ...types } = typedData.types;
    const signature = await maker.signTypedData({
      domain: typedData.domain,
      types,
      primaryType: "Order",
      message: typedData.message,
    });
    expect(
      await recoverTypedDataAddress({
        domain: typedData.domain,
        types,
        primaryType: "Order",
        message: typedData.message,
        signature,
      }),
    ).to.equal(maker.address);
    const posted = await h.app.inject({
      method: "POST",
      url: "/orders",
      payload: { order: { ...typedData.message, side: "sell" }, signature },
    });
    expect(posted.statusCode, posted.body).to.equal(201);
    expect(posted.json().orderHash).to.equal(digest);
  });

  it("names the bad field of an order or a deal", async () => {
    const bad = await h.app.inject({
      method: "POST",
      url: "/typed-data/order",
      payload: {
        maker: maker.address,
        batchId: "77",
        amount: "0",
        unitPrice: "5",
        paymentToken: maker.address,
        maxFeeBps: 150,
        expiry: "9",
      },
    });
    expect(bad.statusCode).to.equal(400);
    expect(bad.json().fields[0].field).to.equal("body.amount");
    const deal = await h.app.inject({
      method: "POST",
      url: "/typed-data/deal",
      payload: {
        seller: maker.address,
        buyer: maker.address,
        batchId: "77",
        amount: "1",
        unitPrice: "1",
        paymentToken: "0x0000000000000000000000000000000000000000",
        conditions: "0",
        deadline: "99",
      },
    });
    expect(deal.statusCode).to.equal(400);
    expect(deal.json().fields[0].field).to.equal("body.conditions");
  });

  it("exports holdings and retirements as CSV, quoting what a spreadsheet would run", async () => {
    await setBalance(h.db.pool, "77", maker.address, "120");
    const id = await insertRequest(h.db.pool, { holder: maker.address, batchId: "77", amount: "5", status: "confirmed" });
    await h.db.pool.query(
      `UPDATE requests SET retirement = '{"beneficiary": "=HYPERLINK(\\"x\\")", "reason": "a, \\"quoted\\" reason"}'
        WHERE request_id = $1`,
      [id],
    );
    const holdings = await h.app.inject({ method: "GET", url: `/holders/${maker.address}/holdings.csv` });
    expect(holdings.headers["content-type"]).to.match(/^text\/csv/);
    expect(holdings.body.split("\r\n")[1]).to.equal('"77","VERRA","PREFIX-77","120","0","0","0","5","0"');
    const retirements = (await h.app.inject({ method: "GET", url: `/holders/${maker.address}/retirements.csv` })).body;
    expect(retirements).to.contain(`"${id}","77","VERRA","5","confirmed","'=HYPERLINK(""x"")","a, ""quoted"" reason"`);
    expect((await h.app.inject({ method: "GET", url: `/holders/${maker.address}/trades.csv` })).body.split("\r\n")[0]).to.match(
      /^"id","indexed_at","batch_id"/,
    );
  });
});
