import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type RegistryStatusSource, chainPauseStatus } from "../../../../backend/src/registries/status";
import { domainApp, insertBatch, insertDeal, insertEvent, insertRequest } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const seller = privateKeyToAccount(generatePrivateKey()).address;
const buyer = privateKeyToAccount(generatePrivateKey()).address;

describe("api routes: batches", () => {
  let h: Harness;
  const paused = new Set<string>();
  const registryStatus: RegistryStatusSource = {
    get: async (id) =>
      id === "GOLD_STANDARD" ? { paused: paused.has(id), circuit: "closed" } : { paused: null, circuit: "unknown" },
  };

  before(async () => {
    h = await domainApp({ registryStatus });
    const pool = h.db.pool;
    await insertBatch(pool, "1");
    await insertBatch(pool, "2", "GOLD_STANDARD");
    await insertBatch(pool, "3", "GOLD_STANDARD");
    await pool.query(
      "UPDATE batches SET total_supply = 1000, reserve_units = 1000, reserve_as_of = '2026-01-02T00:00:00Z' WHERE batch_id = 1",
    );
    await pool.query("UPDATE batches SET total_supply = 10, frozen = true WHERE batch_id = 3");
    await insertDeal(pool, { seller, buyer, batchId: "1", amount: "100" });
    await insertDeal(pool, { seller, buyer, batchId: "1", amount: "7", status: "settled" });
    await insertRequest(pool, { holder: seller, batchId: "1", amount: "50" });
    await insertRequest(pool, { holder: seller, batchId: "1", amount: "30", kind: "withdrawal", status: "submitted" });
    await insertRequest(pool, { holder: seller, batchId: "1", amount: "20", status: "confirmed" });
    await insertRequest(pool, { holder: seller, batchId: "1", amount: "5", kind: "withdrawal", status: "confirmed" });
    await insertRequest(pool, { holder: seller, batchId: "1", amount: "9", status: "rejected" });
  });
  after(async () => {
    await h?.close();
  });

  describe("GET /batches/:batchId", () => {
    it("answers custody quantities: available = supply - escrowed - pending", async () => {
      const response = await h.app.inject({ method: "GET", url: "/batches/1" });
      expect(response.statusCode, response.body).to.equal(200);
      const body = response.json();
      expect(body).to.include({ batchId: "1", registryId: "VERRA", frozen: false, vintageStart: "2024-01-01" });
      expect(body.custody).to.deep.equal({
        totalSupply: "1000",
        available: "820",
        escrowed: "100",
        pendingRetirement: "50",
        pendingWithdrawal: "30",
        retired: "20",
        withdrawn: "5",
      });
      expect(body.reserve).to.deep.equal({ units: "1000", asOf: "2026-01-02T00:00:00.000Z" });
      expect((await h.app.inject({ method: "GET", url: "/batches/2" })).json().reserve).to.equal(null);
    });

    it("says the registry status is unknown by default instead of claiming availability", async () => {
      const body = (await h.app.inject({ method: "GET", url: "/batches/1" })).json();
      expect(body.registryStatus).to.deep.equal({ paused: null, circuit: "unknown" });
      expect(body.availability).to.include({
        trading: "open",
        retirement: "unknown",
        withdrawal: "unknown",
        escrowDeals: "unknown",
      });
      expect(body.availability.reasons.join(" ")).to.match(/unknown/i);
    });

    it("closes retirement, withdrawal and deals (not DvP) while the registry is paused, and says why", async () => {
      paused.add("GOLD_STANDARD");
      const body = (await h.app.inject({ method: "GET", url: "/batches/2" })).json();
      paused.delete("GOLD_STANDARD");
      expect(body.registryStatus).to.deep.equal({ paused: true, circuit: "closed" });
      expect(body.availability).to.include({
        trading: "open",
        retirement: "closed",
        withdrawal: "closed",
        escrowDeals: "closed",
      });
      expect(body.availability.reasons[0]).to.match(/paused/);
      const open = (await h.app.inject({ method: "GET", url: "/batches/2" })).json();
      expect(open.availability).to.deep.equal({
        trading: "open",
        retirement: "open",
        withdrawal: "open",
        escrowDeals: "open",
        reasons: [],
      });
    });

    it("closes everything for a frozen batch and says why", async () => {
      const body = (await h.app.inject({ method: "GET", url: "/batches/3" })).json();
      expect(body.frozen).to.equal(true);
      expect(body.availability).to.include({ trading: "closed", retirement: "closed" });
      expect(body.availability.reasons[0]).to.match(/frozen/i);
    });

    it("answers 404 for an unknown batch and 400 naming params.batchId for a malformed one", async () => {
      const missing = await h.app.inject({ method: "GET", url: "/batches/99" });
      expect(missing.statusCode).to.equal(404);
      expect(missing.json().error).to.equal("not_found");
      const bad = await h.app.inject({ method: "GET", url: "/batches/0x01" });
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().fields[0].field).to.equal("params.batchId");
      const huge = await h.app.inject({ method: "GET", url: `/batches/${(2n ** 256n).toString()}` });
      expect(huge.json().fields[0]).to.deep.equal({ field: "params.batchId", message: "exceeds uint256" });
    });
  });

  describe("chainPauseStatus (opt-in source: the bridge pause as indexed)", () => {
    it("reads the last RegistryPaused / RegistryUnpaused of the registry and keeps the circuit source's state", async () => {
      const source = chainPauseStatus(h.db.pool, { get: async () => ({ paused: null, circuit: "half_open" }) });
      expect(await source.get("IREC")).to.deep.equal({ paused: false, circuit: "half_open" });
      await insertEvent(h.db.pool, "RegistryPaused", { registryId: "3", guardian: seller.toLowerCase() });
      expect(await source.get("IREC")).to.deep.equal({ paused: true, circuit: "half_open" });
      await insertEvent(h.db.pool, "RegistryUnpaused", { registryId: "3", guardian: seller.toLowerCase() });
      expect((await source.get("IREC")).paused).to.equal(false);
      expect((await chainPauseStatus(h.db.pool).get("NOT_A_REGISTRY")).paused).to.equal(null);
    });
  });

  describe("GET /batches", () => {
    it("lists batches in id order, a page at a time, filtered by registry", async () => {
      const first = (await h.app.inject({ method: "GET", url: "/batches?limit=2" })).json();
      expect(first.items.map((b: { batchId: string }) => b.batchId)).to.deep.equal(["1", "2"]);
      const second = (await h.app.inject({ method: "GET", url: `/batches?limit=2&cursor=${first.nextCursor}` })).json();
      expect(second.items.map((b: { batchId: string }) => b.batchId)).to.deep.equal(["3"]);
      expect(second.nextCursor).to.equal(null);
      const gold = (await h.app.inject({ method: "GET", url: "/batches?registryId=GOLD_STANDARD" })).json();
      expect(gold.items.map((b: { batchId: string }) => b.batchId)).to.deep.equal(["2", "3"]);
    });

    it("names bad query fields", async () => {
      const bad = await h.app.inject({ method: "GET", url: "/batches?registryId=verra" });
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().fields[0].field).to.equal("querystring.registryId");
      const limit = await h.app.inject({ method: "GET", url: "/batches?limit=abc" });
      expect(limit.json().fields[0].field).to.equal("querystring.limit");
    });
  });

  describe("GET /batches/:batchId/history", () => {
    it("lists the chain logs about the batch in chain order, paged", async () => {
      await insertEvent(h.db.pool, "TransferSingle", { from: "0x0", to: seller.toLowerCase(), id: "1", value: "1000" }, ["1"]);
      await insertEvent(h.db.pool, "TransferSingle", { from: "0x0", to: seller.toLowerCase(), id: "2", value: "5" }, ["2"]);
      await insertEvent(h.db.pool, "BatchFrozen", { batchId: "1", reasonCode: "1" }, ["1"]);
      await insertEvent(h.db.pool, "RetirementRequested", { batchId: "1", amount: "50" }, ["1"]);
      const first = (await h.app.inject({ method: "GET", url: "/batches/1/history?limit=2" })).json();
      expect(first.items.map((e: { event: string }) => e.event)).to.deep.equal(["TransferSingle", "BatchFrozen"]);
      expect(first.items[0].args).to.include({ id: "1", value: "1000" });
      expect(first.items[0].txHash).to.match(/^0x[0-9a-f]{64}$/);
      const second = (await h.app.inject({ method: "GET", url: `/batches/1/history?limit=2&cursor=${first.nextCursor}` })).json();
      expect(second.items.map((e: { event: string }) => e.event)).to.deep.equal(["RetirementRequested"]);
      expect(second.nextCursor).to.equal(null);
    });
  });

  describe("GET /batches/:batchId/* (every sub-route of a batch)", () => {
    /** What each sub-route answers for a known batch without data: an empty list, never a 404. */
    const EMPTY: Record<string, (body: Record<string, unknown>) => void> = {
      "/batches/{batchId}/history": (body) => expect(body).to.deep.equal({ items: [], nextCursor: null }),
      "/batches/{batchId}/orders": (body) => expect(body).to.deep.equal({ items: [], nextCursor: null }),
      "/batches/{batchId}/depth": (body) => expect(body).to.deep.equal({ batchId: "3", asks: [], bids: [] }),
      "/batches/{batchId}/ohlc": (body) => expect(body).to.deep.equal({ batchId: "3", interval: "1h", candles: [] }),
    };

    /** Every GET sub-route the app serves, from its OpenAPI document, so a new one cannot slip past this test. */
    function subRoutes(): string[] {
      const paths = (h.app.swagger() as { paths: Record<string, { get?: unknown }> }).paths;
      return Object.keys(paths).filter((path) => path.startsWith("/batches/{batchId}/") && paths[path]!.get !== undefined);
    }

    it("covers every sub-route the app serves", () => {
      expect(subRoutes()).to.have.members(Object.keys(EMPTY));
    });

    it("answers 404 naming the batch for an unknown batch on every sub-route", async () => {
      for (const path of subRoutes()) {
        const response = await h.app.inject({ method: "GET", url: path.replace("{batchId}", "99") });
        expect(response.statusCode, `${path}: ${response.body}`).to.equal(404);
        const body = response.json();
        expect(body, path).to.include({ error: "not_found", message: "Batch 99 not found" });
        expect(body.requestId, path).to.be.a("string");
      }
    });

    it("answers 200 with an empty list for a known batch without data, and 400 for a malformed id first", async () => {
      for (const path of subRoutes()) {
        const response = await h.app.inject({ method: "GET", url: path.replace("{batchId}", "3") });
        expect(response.statusCode, `${path}: ${response.body}`).to.equal(200);
        EMPTY[path]!(response.json());
        const bad = await h.app.inject({ method: "GET", url: path.replace("{batchId}", "0x01") });
        expect(bad.statusCode, path).to.equal(400);
        expect(bad.json().fields[0].field, path).to.equal("params.batchId");
      }
    });
  });
});
