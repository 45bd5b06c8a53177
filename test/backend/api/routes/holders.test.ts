import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { domainApp, insertBatch, insertDeal, insertEvent, insertRequest, setBalance } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const holder = privateKeyToAccount(generatePrivateKey()).address;
const other = privateKeyToAccount(generatePrivateKey()).address;

describe("api routes: holders", () => {
  let h: Harness;

  before(async () => {
    h = await domainApp();
    const pool = h.db.pool;
    for (const id of ["10", "11", "12"]) await insertBatch(pool, id);
    await setBalance(pool, "10", holder, "400");
    await setBalance(pool, "11", holder, "3");
    await setBalance(pool, "10", other, "9");
    await insertDeal(pool, { seller: holder, buyer: other, batchId: "10", amount: "50" });
    await insertRequest(pool, { holder, batchId: "12", amount: "8", status: "confirmed" });
    await insertRequest(pool, { holder, batchId: "10", amount: "2" });
  });
  after(async () => {
    await h?.close();
  });

  describe("GET /holders/:address/inventory", () => {
    it("lists the holder's credits per batch in every custody state (address in any case)", async () => {
      const response = await h.app.inject({ method: "GET", url: `/holders/${holder.toLowerCase()}/inventory` });
      expect(response.statusCode, response.body).to.equal(200);
      const body = response.json();
      expect(body.holder).to.equal(holder);
      expect(body.items).to.deep.equal([
        {
          batchId: "10",
          registryId: "VERRA",
          serialPrefix: "PREFIX-10",
          available: "400",
          escrowed: "50",
          pendingRetirement: "2",
          pendingWithdrawal: "0",
          retired: "0",
          withdrawn: "0",
        },
        {
          batchId: "11",
          registryId: "VERRA",
          serialPrefix: "PREFIX-11",
          available: "3",
          escrowed: "0",
          pendingRetirement: "0",
          pendingWithdrawal: "0",
          retired: "0",
          withdrawn: "0",
        },
        {
          batchId: "12",
          registryId: "VERRA",
          serialPrefix: "PREFIX-12",
          available: "0",
          escrowed: "0",
          pendingRetirement: "0",
          pendingWithdrawal: "0",
          retired: "8",
          withdrawn: "0",
        },
      ]);
    });

    it("pages with a cursor", async () => {
      const first = (await h.app.inject({ method: "GET", url: `/holders/${holder}/inventory?limit=2` })).json();
      expect(first.items).to.have.length(2);
      const second = (
        await h.app.inject({ method: "GET", url: `/holders/${holder}/inventory?limit=2&cursor=${first.nextCursor}` })
      ).json();
      expect(second.items.map((i: { batchId: string }) => i.batchId)).to.deep.equal(["12"]);
    });

    it("answers an empty list for an unknown holder and 400 naming params.address for a bad one", async () => {
      const empty = (await h.app.inject({ method: "GET", url: `/holders/0x${"ab".repeat(20)}/inventory` })).json();
      expect(empty.items).to.deep.equal([]);
      const bad = await h.app.inject({ method: "GET", url: "/holders/0xnothex/inventory" });
      expect(bad.statusCode).to.equal(400);
      expect(bad.json().fields[0].field).to.equal("params.address");
    });
  });

  describe("GET /holders/:address/history", () => {
    it("orders by block number as a number, not as text (block 9 before block 10)", async () => {
      const who = `0x${"9a".repeat(20)}`;
      for (const block of [10, 9, 100]) {
        await h.db.pool.query(
          `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args, batch_ids)
           VALUES ($1, $2, $2, 0, $3, 'TransferSingle', $4, ARRAY[77]::numeric[])`,
          [
            block,
            `0x${(900 + block).toString(16).padStart(64, "0")}`,
            `0x${"11".repeat(20)}`,
            JSON.stringify({ to: who, id: "77", value: "1" }),
          ],
        );
      }
      const body = (await h.app.inject({ method: "GET", url: `/holders/${who}/history` })).json();
      expect(body.items.map((e: { blockNumber: string }) => e.blockNumber)).to.deep.equal(["9", "10", "100"]);
      await insertBatch(h.db.pool, "77");
      const batch = (await h.app.inject({ method: "GET", url: "/batches/77/history" })).json();
      expect(batch.items.map((e: { blockNumber: string }) => e.blockNumber)).to.deep.equal(["9", "10", "100"]);
    });

    it("lists chain logs with the address as an argument, in chain order", async () => {
      await insertEvent(
        h.db.pool,
        "TransferSingle",
        { from: "0x0000000000000000000000000000000000000000", to: holder.toLowerCase(), id: "10", value: "400" },
        ["10"],
      );
      await insertEvent(
        h.db.pool,
        "TransferSingle",
        { from: other.toLowerCase(), to: "0x00000000000000000000000000000000000000ff", id: "10", value: "1" },
        ["10"],
      );
      await insertEvent(h.db.pool, "RetirementRequested", { holder: holder.toLowerCase(), batchId: "12", amount: "8" }, ["12"]);
      const body = (await h.app.inject({ method: "GET", url: `/holders/${holder}/history` })).json();
      expect(body.items.map((e: { event: string }) => e.event)).to.deep.equal(["TransferSingle", "RetirementRequested"]);
      const paged = (await h.app.inject({ method: "GET", url: `/holders/${holder}/history?limit=1` })).json();
      expect(paged.items).to.have.length(1);
      const rest = (await h.app.inject({ method: "GET", url: `/holders/${holder}/history?cursor=${paged.nextCursor}` })).json();
      expect(rest.items.map((e: { event: string }) => e.event)).to.deep.equal(["RetirementRequested"]);
      const bad = await h.app.inject({
        method: "GET",
        url: `/holders/${holder}/history?cursor=${Buffer.from('["x","y"]').toString("base64url")}`,
      });
      expect(bad.json().fields[0].field).to.equal("querystring.cursor");
    });
  });
});
