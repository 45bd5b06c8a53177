import { expect } from "chai";
import { type Address, decodeFunctionData, zeroAddress } from "viem";
import { settlementAbi } from "../../../../backend/src/chain/abi";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { buildOrder, hashOrder, settlementDomain, signOrder } from "../../../../backend/src/chain/orders";
import { TEST_CHAIN_ID, TEST_SETTLEMENT, domainApp, insertBatch, insertEvent, randomHash, signIn } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const BATCH = "123456789012345678901234567890";
const TOKEN = "0x00000000000000000000000000000000000000aa" as Address;
const domain = settlementDomain({ chainId: TEST_CHAIN_ID, verifyingContract: TEST_SETTLEMENT });
const inAnHour = () => BigInt(Math.floor(Date.now() / 1000) + 3600);

const wire = (order: ReturnType<typeof buildOrder>) => ({
  side: order.side === 0 ? "sell" : "buy",
  maker: order.maker.toLowerCase(),
  taker: order.taker,
  batchId: order.batchId.toString(),
  amount: order.amount.toString(),
  unitPrice: order.unitPrice.toString(),
  paymentToken: order.paymentToken,
  maxFeeBps: order.maxFeeBps,
  minFill: order.minFill.toString(),
  expiry: order.expiry.toString(),
  salt: order.salt.toString(),
  counter: order.counter.toString(),
});

describe("api routes: orders", () => {
  let h: Harness;
  const maker = privateKeyToAccount(generatePrivateKey());
  const other = privateKeyToAccount(generatePrivateKey());

  async function signed(overrides: Partial<Parameters<typeof buildOrder>[0]> = {}) {
    const order = buildOrder({
      maker: maker.address,
      batchId: BigInt(BATCH),
      amount: 100n,
      unitPrice: 25n,
      paymentToken: TOKEN,
      maxFeeBps: 50,
      expiry: inAnHour(),
      counter: 0n,
      ...overrides,
    });
    const signer = overrides.maker === other.address ? other : maker;
    return { order, signature: await signOrder({ signer, domain, order }) };
  }

  const post = (payload: unknown) => h.app.inject({ method: "POST", url: "/orders", payload: payload as object });

  before(async () => {
    h = await domainApp();
    await insertBatch(h.db.pool, BATCH);
  });
  after(async () => {
    await h?.close();
  });

  describe("POST /orders", () => {
    it("stores a valid viem-signed order (201), checksummed, with its Settlement digest; 200 when posted again", async () => {
      const { order, signature } = await signed({ unitPrice: 30n });
      const response = await post({ order: wire(order), signature });
      expect(response.statusCode, response.body).to.equal(201);
      const body = response.json();
      expect(body).to.include({
        maker: maker.address,
        taker: zeroAddress,
        side: "sell",
        amount: "100",
        filled: "0",
        remaining: "100",
        status: "open",
        batchId: BATCH,
      });
      expect(body.orderHash).to.match(/^0x[0-9a-f]{64}$/);
      const again = await post({ order: wire(order), signature });
      expect(again.statusCode).to.equal(200);
      expect(again.json().orderHash).to.equal(body.orderHash);
    });

    it("refuses a tampered order (400 naming body.signature)", async () => {
      const { order, signature } = await signed();
      const response = await post({ order: { ...wire(order), amount: "1000" }, signature });
      expect(response.statusCode).to.equal(400);
      expect(response.json().fields).to.deep.equal([
        { field: "body.signature", message: "does not recover to order.maker (wrong signer or altered order)" },
      ]);
    });

    it("refuses an order signed by someone other than the maker (400 naming body.signature)", async () => {
      const { order } = await signed();
      const signature = await other.signTypedData({
        domain,
        types: { Order: [{ name: "side", type: "uint8" }] },
        primaryType: "Order",
        message: { side: 0 },
      });
      const response = await post({ order: wire(order), signature });
      expect(response.statusCode).to.equal(400);
      expect(response.json().fields[0].field).to.equal("body.signature");
    });

    it("refuses an order signed for another Settlement deployment", async () => {
      const order = buildOrder({
        maker: maker.address,
        batchId: BigInt(BATCH),
        amount: 1n,
        unitPrice: 1n,
        paymentToken: TOKEN,
        maxFeeBps: 50,
        expiry: inAnHour(),
        counter: 0n,
      });
      const foreign = settlementDomain({ chainId: TEST_CHAIN_ID, verifyingContract: `0x${"11".repeat(20)}` });
      const signature = await signOrder({ signer: maker, domain: foreign, order });
      const response = await post({ order: wire(order), signature });
      expect(response.statusCode).to.equal(400);
      expect(response.json().fields[0].field).to.equal("body.signature");
    });

    it("refuses the malleable twin of a valid signature (high s), as Settlement does", async () => {
      const { order, signature } = await signed();
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const s = BigInt(`0x${signature.slice(66, 130)}`);
      const v = Number.parseInt(signature.slice(130), 16);
      const twin = `${signature.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}`;
      const response = await post({ order: wire(order), signature: twin });
      expect(response.statusCode).to.equal(400);
      expect(response.json().fields[0].field).to.equal("body.signature");
      expect(response.json().message).to.match(/upper half/);
    });

    it("refuses an expired order (400 naming body.order.expiry)", async () => {
      const { order, signature } = await signed({ expiry: BigInt(Math.floor(Date.now() / 1000) - 1) });
      const response = await post({ order: wire(order), signature });
      expect(response.statusCode).to.equal(400);
      expect(response.json().fields).to.deep.equal([{ field: "body.order.expiry", message: "the order has expired" }]);
    });

    it("serves the signed fee cap back and needs it: missing or out of range is a 400 naming body.order.maxFeeBps", async () => {
      const { order, signature } = await signed({ maxFeeBps: 75 });
      const created = await post({ order: wire(order), signature });
      expect(created.statusCode, created.body).to.equal(201);
      expect(created.json().maxFeeBps).to.equal(75);
      const withoutCap: Record<string, unknown> = { ...wire(order) };
      delete withoutCap.maxFeeBps;
      const missing = await post({ order: withoutCap, signature });
      expect(missing.statusCode).to.equal(400);
      expect(missing.json().fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.order.maxFeeBps"]);
      const tooHigh = await post({ order: { ...wire(order), maxFeeBps: 10_001 }, signature });
      expect(tooHigh.json().fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.order.maxFeeBps"]);
      // another cap than the one signed is another order: the signature does not recover to the maker
      const altered = await post({ order: { ...wire(order), maxFeeBps: 1_000 }, signature });
      expect(altered.json().fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.signature"]);
    });

    it("names bad fields: address, amount, minFill, signature shape, unknown batch", async () => {
      const { order, signature } = await signed();
      const bad = await post({ order: { ...wire(order), maker: "0x1234", amount: "-1" }, signature: "0xdead" });
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().fields.map((f: { field: string }) => f.field)).to.have.members([
        "body.order.maker",
        "body.order.amount",
        "body.signature",
      ]);
      const zero = await post({ order: { ...wire(order), amount: "0" }, signature });
      expect(zero.json().fields[0].field).to.equal("body.order.amount");
      const minFill = await post({ order: { ...wire(order), minFill: "101" }, signature });
      expect(minFill.json().fields[0].field).to.equal("body.order.minFill");
      const unknown = await signed({ batchId: 42n });
      const missing = await post({ order: wire(unknown.order), signature: unknown.signature });
      expect(missing.statusCode).to.equal(400);
      expect(missing.json().fields[0]).to.deep.equal({ field: "body.order.batchId", message: "no such batch" });
    });
  });

  describe("GET /batches/:batchId/orders (the book)", () => {
    it("lists open orders cheapest first with remaining = amount - fills, and pages with a cursor", async () => {
      const { order: a, signature: sa } = await signed({ unitPrice: 10n });
      const { order: b, signature: sb } = await signed({ unitPrice: 20n });
      const ha = (await post({ order: wire(a), signature: sa })).json().orderHash;
      await post({ order: wire(b), signature: sb });
      await h.db.pool.query(
        `INSERT INTO fills (order_hash, taker, amount, payment_amount, block_number, tx_hash, log_index)
         VALUES ($1, $2, 40, 400, 1, $3, 0)`,
        [ha, other.address, randomHash()],
      );
      const first = await h.app.inject({ method: "GET", url: `/batches/${BATCH}/orders?limit=2` });
      expect(first.statusCode).to.equal(200);
      const page1 = first.json();
      expect(page1.items.map((o: { unitPrice: string }) => o.unitPrice)).to.deep.equal(["10", "20"]);
      expect(page1.items[0]).to.include({ filled: "40", remaining: "60", orderHash: ha });
      expect(page1.nextCursor).to.be.a("string");
      const second = (
        await h.app.inject({ method: "GET", url: `/batches/${BATCH}/orders?limit=2&cursor=${page1.nextCursor}` })
      ).json();
      expect(second.items.map((o: { unitPrice: string }) => o.unitPrice)).to.include("30");
      expect(second.items.every((o: { unitPrice: string }) => BigInt(o.unitPrice) >= 20n)).to.equal(true);
    });

    it("names a bad batch id, limit and cursor", async () => {
      const bad = await h.app.inject({ method: "GET", url: "/batches/abc/orders?limit=0" });
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().fields[0].field).to.equal("params.batchId");
      const limit = await h.app.inject({ method: "GET", url: `/batches/${BATCH}/orders?limit=1000` });
      expect(limit.json().fields[0].field).to.equal("querystring.limit");
      const cursor = await h.app.inject({ method: "GET", url: `/batches/${BATCH}/orders?cursor=nonsense` });
      expect(cursor.statusCode).to.equal(400);
      expect(cursor.json().fields[0].field).to.equal("querystring.cursor");
    });
  });

  describe("GET /orders", () => {
    it("lists a maker's orders of every status, newest first, filtered and paged", async () => {
      const { order, signature } = await signed({ maker: other.address, unitPrice: 3n });
      const hash = (await post({ order: wire(order), signature })).json().orderHash;
      const mine = (await h.app.inject({ method: "GET", url: `/orders?maker=${other.address.toLowerCase()}` })).json();
      expect(mine.items.map((o: { orderHash: string }) => o.orderHash)).to.deep.equal([hash]);
      const all = (await h.app.inject({ method: "GET", url: `/orders?maker=${maker.address}&limit=2` })).json();
      expect(all.items).to.have.length(2);
      const next = (
        await h.app.inject({ method: "GET", url: `/orders?maker=${maker.address}&limit=2&cursor=${all.nextCursor}` })
      ).json();
      expect(next.items.map((o: { orderHash: string }) => o.orderHash)).not.to.include.members(
        all.items.map((o: { orderHash: string }) => o.orderHash),
      );
      const none = (await h.app.inject({ method: "GET", url: `/orders?maker=${other.address}&status=cancelled` })).json();
      expect(none.items).to.deep.equal([]);
      const bad = await h.app.inject({ method: "GET", url: "/orders?status=gone" });
      expect(bad.json().fields[0].field).to.equal("querystring.status");
    });
  });

  describe("GET /orders/:orderHash", () => {
    it("answers the order, 404 for an unknown hash, 400 for a malformed one", async () => {
      const { order, signature } = await signed({ unitPrice: 7n });
      const hash = (await post({ order: wire(order), signature })).json().orderHash;
      const found = await h.app.inject({ method: "GET", url: `/orders/${hash}` });
      expect(found.json()).to.include({ orderHash: hash, unitPrice: "7", salt: order.salt.toString() });
      expect((await h.app.inject({ method: "GET", url: `/orders/${randomHash()}` })).statusCode).to.equal(404);
      const bad = await h.app.inject({ method: "GET", url: "/orders/0x12" });
      expect(bad.json().fields[0].field).to.equal("params.orderHash");
    });
  });

  describe("POST /orders/:orderHash/cancel", () => {
    it("lets the maker's session cancel (off the book), refuses others (403) and the anonymous (401)", async () => {
      const { order, signature } = await signed({ unitPrice: 5n });
      const hash = (await post({ order: wire(order), signature })).json().orderHash;
      const url = `/orders/${hash}/cancel`;

      const anonymous = await h.app.inject({ method: "POST", url });
      expect(anonymous.statusCode).to.equal(401);
      expect(anonymous.json().error).to.equal("unauthorized");
      const garbage = await h.app.inject({ method: "POST", url, headers: { authorization: "Bearer cs_nope" } });
      expect(garbage.statusCode).to.equal(401);

      const otherToken = await signIn(h.app, other);
      const forbidden = await h.app.inject({ method: "POST", url, headers: { authorization: `Bearer ${otherToken}` } });
      expect(forbidden.statusCode).to.equal(403);

      const makerToken = await signIn(h.app, maker);
      const cancelled = await h.app.inject({ method: "POST", url, headers: { authorization: `Bearer ${makerToken}` } });
      expect(cancelled.statusCode, cancelled.body).to.equal(200);
      expect(cancelled.json().status).to.equal("withdrawn");
      expect(cancelled.json().cancelledAt).to.be.a("string");
      const book = (await h.app.inject({ method: "GET", url: `/batches/${BATCH}/orders?limit=200` })).json();
      expect(book.items.map((o: { orderHash: string }) => o.orderHash)).not.to.include(hash);

      const missing = await h.app.inject({
        method: "POST",
        url: `/orders/${randomHash()}/cancel`,
        headers: { authorization: `Bearer ${makerToken}` },
      });
      expect(missing.statusCode).to.equal(404);

      const malformed = await h.app.inject({
        method: "POST",
        url: "/orders/0x1/cancel",
        headers: { authorization: `Bearer ${makerToken}` },
      });
      expect(malformed.statusCode).to.equal(400);
      expect(malformed.json().fields[0].field).to.equal("params.orderHash");

      const again = await h.app.inject({ method: "POST", url, headers: { authorization: `Bearer ${makerToken}` } });
      expect(again.statusCode).to.equal(200);
      // the indexer's reorg reset reopens projection rows; the API's own withdrawal still keeps it off the book
      await h.db.pool.query("UPDATE orders SET status = 'open' WHERE order_hash = $1", [hash]);
      const reopened = (await h.app.inject({ method: "GET", url: `/orders/${hash}` })).json();
      expect(reopened.status).to.equal("withdrawn");
      const bookAfter = (await h.app.inject({ method: "GET", url: `/batches/${BATCH}/orders?limit=200` })).json();
      expect(bookAfter.items.map((o: { orderHash: string }) => o.orderHash)).not.to.include(hash);
    });

    it("is an off-book withdrawal, never 'cancelled' while the order can still fill, and answers the on-chain cancel's call " +
      "data (issue 12 §4.1)", async () => {
      const { order, signature } = await signed({ unitPrice: 9n });
      const hash = (await post({ order: wire(order), signature })).json().orderHash;
      const token = await signIn(h.app, maker);
      const response = await h.app.inject({
        method: "POST",
        url: `/orders/${hash}/withdraw`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode, response.body).to.equal(200);
      const body = response.json();
      expect(body.status).to.equal("withdrawn");
      // The call to send from the maker's wallet: Settlement.cancel of exactly this order.
      expect(body.onChainCancel.to.toLowerCase()).to.equal(TEST_SETTLEMENT.toLowerCase());
      const decoded = decodeFunctionData({ abi: settlementAbi, data: body.onChainCancel.data });
      expect(decoded.functionName).to.equal("cancel");
      expect(hashOrder({ domain, order: decoded.args![0] as typeof order })).to.equal(hash);
      // The projection is the chain's: the withdrawal did not mark the order cancelled there.
      const { rows } = await h.db.pool.query("SELECT status::text FROM orders WHERE order_hash = $1", [hash]);
      expect(rows[0].status).to.equal("open");
      const cancelledList = (
        await h.app.inject({ method: "GET", url: `/orders?maker=${maker.address}&status=cancelled&limit=200` })
      ).json();
      expect(cancelledList.items.map((o: { orderHash: string }) => o.orderHash)).not.to.include(hash);
      // A fill on chain still counts (the signed order is valid), and only OrderCancelled makes it cancelled.
      await h.db.pool.query("UPDATE orders SET status = 'cancelled' WHERE order_hash = $1", [hash]);
      expect((await h.app.inject({ method: "GET", url: `/orders/${hash}` })).json().status).to.equal("cancelled");
    });

    it("answers 409 for a filled order", async () => {
      const { order, signature } = await signed({ unitPrice: 6n });
      const hash = (await post({ order: wire(order), signature })).json().orderHash;
      await h.db.pool.query("UPDATE orders SET status = 'filled', filled_amount = amount WHERE order_hash = $1", [hash]);
      const token = await signIn(h.app, maker);
      const response = await h.app.inject({
        method: "POST",
        url: `/orders/${hash}/cancel`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).to.equal(409);
      expect(response.json().error).to.equal("conflict");
    });
  });

  describe("the maker's Settlement counter", () => {
    it("refuses an order with a stale counter and drops the maker's older orders from the book", async () => {
      const { order, signature } = await signed({ unitPrice: 1n, counter: 0n });
      const hash = (await post({ order: wire(order), signature })).json().orderHash;
      const book = async () =>
        (await h.app.inject({ method: "GET", url: `/batches/${BATCH}/orders?limit=200` }))
          .json()
          .items.filter((o: { maker: string }) => o.maker === maker.address)
          .map((o: { orderHash: string }) => o.orderHash);
      expect(await book()).to.include(hash);
      await insertEvent(h.db.pool, "CounterIncremented", { signer: maker.address.toLowerCase(), newCounter: "1" });
      expect(await book()).to.deep.equal([]);
      const stale = await signed({ counter: 0n });
      const refused = await post({ order: wire(stale.order), signature: stale.signature });
      expect(refused.statusCode).to.equal(400);
      expect(refused.json().fields[0]).to.deep.equal({
        field: "body.order.counter",
        message: "stale: the maker's Settlement counter is 1",
      });
      const fresh = await signed({ counter: 1n, unitPrice: 2n });
      const accepted = await post({ order: wire(fresh.order), signature: fresh.signature });
      expect(accepted.statusCode).to.equal(201);
      expect(await book()).to.deep.equal([accepted.json().orderHash]);
    });
  });
});
