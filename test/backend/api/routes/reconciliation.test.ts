import { expect } from "chai";
import { domainApp, insertBatch, operatorKey } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

describe("api routes: reconciliation (operator API key)", () => {
  let h: Harness;
  let key: string;

  before(async () => {
    h = await domainApp();
    key = await operatorKey(h.db.pool);
  });
  after(async () => {
    await h?.close();
  });

  const get = (url: string, apiKey?: string) =>
    h.app.inject({ method: "GET", url, headers: apiKey === undefined ? {} : { "x-api-key": apiKey } });

  it("answers empty lists before the reconciliation engine has run", async () => {
    for (const url of ["/reconciliation/runs", "/reconciliation/discrepancies"]) {
      const response = await get(url, key);
      expect(response.statusCode, response.body).to.equal(200);
      expect(response.json()).to.deep.equal({ items: [], nextCursor: null });
    }
  });

  it("lists runs and discrepancies newest first, filtered and paged", async () => {
    await insertBatch(h.db.pool, "1");
    await h.db.pool.query(
      "INSERT INTO reconciliation_runs (status, finished_at) VALUES ('clean', now()), ('discrepancies', now())",
    );
    await h.db.pool.query(
      `INSERT INTO discrepancies (run_id, class, registry_id, batch_id, expected, actual, resolved_at)
       VALUES (2, 'shortfall', 'VERRA', 1, 100, 90, NULL), (2, 'pending_lag', 'VERRA', 1, 5, 0, now())`,
    );
    const runs = (await get("/reconciliation/runs?limit=1", key)).json();
    expect(runs.items.map((r: { status: string }) => r.status)).to.deep.equal(["discrepancies"]);
    const older = (await get(`/reconciliation/runs?limit=1&cursor=${runs.nextCursor}`, key)).json();
    expect(older.items.map((r: { status: string }) => r.status)).to.deep.equal(["clean"]);
    const open = (await get("/reconciliation/discrepancies?open=true", key)).json();
    expect(open.items).to.have.length(1);
    expect(open.items[0]).to.include({ class: "shortfall", batchId: "1", expected: "100", actual: "90", resolvedAt: null });
    const lag = (await get("/reconciliation/discrepancies?class=pending_lag&runId=2", key)).json();
    expect(lag.items).to.have.length(1);
  });

  it("answers 401 for a missing, malformed, unknown or revoked key, without echoing it", async () => {
    const missing = await get("/reconciliation/runs");
    expect(missing.statusCode).to.equal(401);
    expect(missing.json().error).to.equal("unauthorized");
    expect(missing.headers["www-authenticate"]).to.contain("X-Api-Key");
    expect((await get("/reconciliation/runs", "not-a-key")).statusCode).to.equal(401);
    const unknown = `ck_${"A".repeat(43)}`;
    const wrong = await get("/reconciliation/discrepancies", unknown);
    expect(wrong.statusCode).to.equal(401);
    expect(wrong.body).not.to.contain(unknown);
    await h.db.pool.query("UPDATE api_keys SET revoked_at = now()");
    expect((await get("/reconciliation/runs", key)).statusCode).to.equal(401);
    await h.db.pool.query("UPDATE api_keys SET revoked_at = NULL");
  });

  it("answers 403 for a valid key without the reconciliation:read scope; the named scope is enough", async () => {
    const narrow = await operatorKey(h.db.pool, "dead-letters only", ["dead_letters:read"]);
    const forbidden = await get("/reconciliation/runs", narrow);
    expect(forbidden.statusCode).to.equal(403);
    expect(forbidden.json()).to.include({ error: "forbidden", message: "This API key lacks the scope reconciliation:read" });
    const scoped = await operatorKey(h.db.pool, "auditor", ["reconciliation:read"]);
    expect((await get("/reconciliation/discrepancies", scoped)).statusCode).to.equal(200);
  });

  it("refuses a wallet session where an operator key is needed, and records key use", async () => {
    const response = await h.app.inject({
      method: "GET",
      url: "/reconciliation/runs",
      headers: { authorization: `Bearer cs_${"a".repeat(43)}` },
    });
    expect(response.statusCode).to.equal(401);
    await get("/reconciliation/runs", key);
    const { rows } = await h.db.pool.query("SELECT last_used_at FROM api_keys WHERE name = 'ops'");
    expect(rows[0].last_used_at).to.be.instanceOf(Date);
  });

  it("names bad query fields", async () => {
    const response = await get("/reconciliation/discrepancies?class=oops&open=maybe", key);
    expect(response.statusCode).to.equal(400);
    expect(response.json().fields.map((f: { field: string }) => f.field)).to.have.members([
      "querystring.class",
      "querystring.open",
    ]);
  });
});
