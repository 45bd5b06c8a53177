import { expect } from "chai";
import { enqueue, failJob, claimJobs } from "../../../../backend/src/queue";
import { RegistryRejectedError } from "../../../../backend/src/registries/errors";
import { domainApp, operatorKey } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

describe("api routes: jobs and dead letters (operator API key)", () => {
  let h: Harness;
  let key: string;
  let readOnly: string;

  before(async () => {
    h = await domainApp();
    key = await operatorKey(h.db.pool, "alice-ops");
    readOnly = await operatorKey(h.db.pool, "auditor", ["jobs:read"]);
  });
  after(async () => {
    await h?.close();
  });

  const call = (method: "GET" | "POST", url: string, apiKey?: string) =>
    h.app.inject({ method, url, headers: apiKey === undefined ? {} : { "x-api-key": apiKey } });

  /** A job that died of a non-retryable registry refusal, as a worker would leave it. */
  async function deadJob(key_: string): Promise<string> {
    const { job } = await enqueue(h.db.pool, { kind: "retire", key: key_, registry: "VERRA", payload: { requestId: key_ } });
    const [claimed] = await claimJobs(h.db.pool, "w1", { kinds: ["retire"], limit: 1, leaseMs: 30_000 });
    expect(claimed?.id).to.equal(job.id);
    const refusal = new RegistryRejectedError("VERRA retire: 422 block is ON_HOLD", { registry: "VERRA", status: 422 });
    expect((await failJob(h.db.pool, claimed!, refusal)).outcome).to.equal("dead");
    return job.id;
  }

  it("lists dead letters with their error, and counts jobs per registry, kind and state", async () => {
    const id = await deadJob("0xdead01");
    await enqueue(h.db.pool, { kind: "withdraw", key: "0xqueued01", registry: "GOLD_STANDARD", payload: {} });
    const dead = (await call("GET", "/jobs?state=dead", key)).json();
    expect(dead.items).to.have.length(1);
    expect(dead.items[0]).to.include({ id, kind: "retire", key: "0xdead01", registry: "VERRA", state: "dead", attempts: 1 });
    expect(dead.items[0].lastError).to.contain("ON_HOLD");
    expect(dead.items[0].lastErrorCode).to.equal("REGISTRY_REJECTED");
    const counts = (await call("GET", "/jobs/counts", readOnly)).json();
    expect(counts.items).to.deep.include({ registry: "VERRA", kind: "retire", state: "dead", count: 1 });
    expect(counts.items).to.deep.include({ registry: "GOLD_STANDARD", kind: "withdraw", state: "queued", count: 1 });
  });

  it("re-drives a dead letter: queued again, attempts reset, the operator recorded; a second re-drive is a 409", async () => {
    const id = await deadJob("0xdead02");
    const denied = await call("POST", `/jobs/${id}/redrive`, readOnly);
    expect(denied.statusCode).to.equal(403);
    expect(denied.json().message).to.contain("jobs:redrive");

    const response = await call("POST", `/jobs/${id}/redrive`, key);
    expect(response.statusCode, response.body).to.equal(200);
    expect(response.json()).to.include({ id, state: "queued", attempts: 0 });
    expect(response.json().redrivenBy).to.match(/^alice-ops \(key \d+\)$/);
    const { rows } = await h.db.pool.query("SELECT operator, previous_error FROM job_redrives WHERE job_id = $1", [id]);
    expect(rows).to.have.length(1);
    expect(rows[0].previous_error).to.contain("ON_HOLD");

    const again = await call("POST", `/jobs/${id}/redrive`, key);
    expect(again.statusCode).to.equal(409);
    expect(again.json().message).to.equal(`Job ${id} is queued; only dead letters can be re-driven`);
  });

  it("answers 404 for an unknown job, 400 for a malformed id and 401 without a key", async () => {
    expect((await call("GET", "/jobs/999999", key)).statusCode).to.equal(404);
    expect((await call("POST", "/jobs/999999/redrive", key)).statusCode).to.equal(404);
    const bad = await call("GET", "/jobs/abc", key);
    expect(bad.statusCode).to.equal(400);
    expect(bad.body).to.contain("expected a job id");
    expect((await call("GET", "/jobs")).statusCode).to.equal(401);
  });

  it("answers 400 naming the filter for a NUL or control character " +
    "in kind or registry, never a 500 from PostgreSQL (issue 12 §2)", async () => {
    for (const [query, field] of [
      ["kind=retire%00", "querystring.kind"],
      ["registry=VERRA%07", "querystring.registry"],
    ] as const) {
      const response = await call("GET", `/jobs?${query}`, key);
      expect(response.statusCode, `${query}: ${response.body}`).to.equal(400);
      expect(response.json().fields[0].field).to.equal(field);
    }
    expect((await call("GET", "/jobs?kind=retire&registry=VERRA", key)).statusCode).to.equal(200);
  });
});
