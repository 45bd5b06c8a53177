import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { RegistryStatusSource } from "../../../../backend/src/registries/status";
import { domainApp, insertBatch, insertRequest, randomHash } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const holder = privateKeyToAccount(generatePrivateKey()).address;
const other = privateKeyToAccount(generatePrivateKey()).address;

describe("api routes: requests", () => {
  let h: Harness;
  let pending: string;
  let withdrawal: string;
  const registryStatus: RegistryStatusSource = {
    get: async (id) =>
      id === "VERRA" ? { paused: false, circuit: "open", detail: "Verra answering 503" } : { paused: null, circuit: "unknown" },
  };

  before(async () => {
    h = await domainApp({ registryStatus });
    await insertBatch(h.db.pool, "1");
    await insertBatch(h.db.pool, "2", "IREC");
    pending = await insertRequest(h.db.pool, { holder, batchId: "1", amount: "5", status: "submitted" });
    withdrawal = await insertRequest(h.db.pool, { holder, batchId: "2", amount: "6", kind: "withdrawal" });
    await insertRequest(h.db.pool, { holder: other, batchId: "1", amount: "7", status: "confirmed" });
    await h.db.pool.query("UPDATE requests SET registry_status = 'PENDING_REVIEW' WHERE request_id = $1", [pending]);
  });
  after(async () => {
    await h?.close();
  });

  describe("GET /requests/:requestId", () => {
    it("answers the request with the platform's status, the registry's word and the registry's health", async () => {
      const response = await h.app.inject({ method: "GET", url: `/requests/${pending}` });
      expect(response.statusCode, response.body).to.equal(200);
      const body = response.json();
      expect(body).to.include({
        requestId: pending,
        kind: "retirement",
        holder,
        status: "submitted",
        registryStatus: "PENDING_REVIEW",
        registryId: "VERRA",
      });
      expect(body.registryHealth).to.deep.equal({ paused: false, circuit: "open", detail: "Verra answering 503" });
      expect(body).to.include({ chainStatus: "pending", answeredTxHash: null });
      expect(body.retirement).to.deep.equal({ beneficiary: "Acme", reason: "2026 offset" });
      const irec = (await h.app.inject({ method: "GET", url: `/requests/${withdrawal}` })).json();
      expect(irec).to.include({ kind: "withdrawal", destinationAccount: "ACCOUNT-1" });
      expect(irec.registryHealth).to.deep.equal({ paused: null, circuit: "unknown" });
    });

    it("answers 404 for an unknown id and 400 naming params.requestId for a malformed one", async () => {
      expect((await h.app.inject({ method: "GET", url: `/requests/${randomHash()}` })).statusCode).to.equal(404);
      const bad = await h.app.inject({ method: "GET", url: "/requests/0xzz" });
      expect(bad.json().fields[0].field).to.equal("params.requestId");
    });
  });

  describe("GET /requests", () => {
    it("lists by holder, kind and status, newest first, paged", async () => {
      const mine = (await h.app.inject({ method: "GET", url: `/requests?holder=${holder}` })).json();
      expect(mine.items.map((r: { requestId: string }) => r.requestId)).to.have.members([pending, withdrawal]);
      const withdrawals = (await h.app.inject({ method: "GET", url: `/requests?holder=${holder}&kind=withdrawal` })).json();
      expect(withdrawals.items.map((r: { requestId: string }) => r.requestId)).to.deep.equal([withdrawal]);
      const confirmed = (await h.app.inject({ method: "GET", url: "/requests?status=confirmed" })).json();
      expect(confirmed.items).to.have.length(1);
      const first = (await h.app.inject({ method: "GET", url: "/requests?limit=2" })).json();
      const rest = (await h.app.inject({ method: "GET", url: `/requests?limit=2&cursor=${first.nextCursor}` })).json();
      expect(first.items.length + rest.items.length).to.equal(3);
      expect(rest.nextCursor).to.equal(null);
    });

    it("names bad query fields", async () => {
      const response = await h.app.inject({ method: "GET", url: "/requests?kind=burn&holder=me" });
      expect(response.statusCode).to.equal(400);
      expect(response.json().fields.map((f: { field: string }) => f.field)).to.have.members([
        "querystring.kind",
        "querystring.holder",
      ]);
    });
  });
});
