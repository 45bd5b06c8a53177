import { expect } from "chai";
import type { Pool } from "pg";
import { type App, buildApp } from "../../../backend/src/api/app";
import { type TestDatabase, createTestDatabase, freePort } from "../../support/database";
import { type LogCapture, apiContext, deadPool } from "./helpers";

describe("api: health and metrics", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  async function appOver(pool: Pool): Promise<{ app: App; ctx: ReturnType<typeof apiContext>["ctx"]; logs: LogCapture }> {
    const { ctx, logs } = apiContext(pool);
    const app = await buildApp(ctx);
    await app.ready();
    return { app, ctx, logs };
  }

  it("answers /health/live with 200", async () => {
    const { app } = await appOver(db.pool);
    const response = await app.inject({ method: "GET", url: "/health/live" });
    expect(response.statusCode).to.equal(200);
    expect(response.json()).to.deep.equal({ status: "ok" });
    await app.close();
  });

  it("answers /health/ready with 200 when the database answers", async () => {
    const { app } = await appOver(db.pool);
    const response = await app.inject({ method: "GET", url: "/health/ready" });
    expect(response.statusCode).to.equal(200);
    expect(response.json()).to.include({ status: "ready" });
    expect(response.json().checks.map((check: { name: string }) => check.name)).to.deep.equal(["database"]);
    await app.close();
  });

  it("answers 503 naming the database check when the database is down; /health/live stays 200", async () => {
    const pool = deadPool(await freePort());
    const { app, logs } = await appOver(pool);
    const response = await app.inject({ method: "GET", url: "/health/ready" });
    expect(response.statusCode).to.equal(503);
    const body = response.json();
    expect(body.status).to.equal("not_ready");
    expect(body.failing).to.deep.equal(["database"]);
    expect(body.checks[0]).to.include({ name: "database", ok: false, detail: "check failed" });
    expect(response.body).not.to.contain("ECONNREFUSED"); // details go to the log, not to the client
    expect(logs.text()).to.contain("ECONNREFUSED");
    expect((await app.inject({ method: "GET", url: "/health/live" })).statusCode).to.equal(200);
    await app.close();
    await pool.end();
  });

  it("runs checks registered by other components and names each failing one", async () => {
    const { app, ctx } = await appOver(db.pool);
    ctx.readiness.register("chain_head", async () => undefined);
    ctx.readiness.register("indexer_lag", async () => ({ ok: false, detail: "12 blocks behind (limit 5)" }));
    ctx.readiness.register("registry_circuit_verra", async () => {
      throw new Error("circuit open: upstream said 'internal host 10.0.0.7'");
    });
    ctx.readiness.register("slow", () => new Promise(() => undefined), { timeoutMs: 50 });
    const response = await app.inject({ method: "GET", url: "/health/ready" });
    expect(response.statusCode).to.equal(503);
    const body = response.json();
    expect(body.failing).to.deep.equal(["indexer_lag", "registry_circuit_verra", "slow"]);
    const detail = Object.fromEntries(body.checks.map((check: { name: string; detail?: string }) => [check.name, check.detail]));
    expect(detail).to.deep.equal({
      database: undefined,
      chain_head: undefined,
      indexer_lag: "12 blocks behind (limit 5)",
      registry_circuit_verra: "check failed",
      slow: "timed out after 50 ms",
    });
    expect(response.body).not.to.contain("10.0.0.7");
    await app.close();
  });

  it("serves Prometheus text with default and HTTP metrics from this context's registry only", async () => {
    const { app } = await appOver(db.pool);
    await app.inject({ method: "GET", url: "/health/live" });
    const response = await app.inject({ method: "GET", url: "/metrics" });
    expect(response.statusCode).to.equal(200);
    expect(response.headers["content-type"]).to.match(/^text\/plain; version=0\.0\.4/);
    expect(response.body).to.contain("# TYPE carbon_process_cpu_user_seconds_total counter");
    expect(response.body).to.match(
      /carbon_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} 1/,
    );
    await app.close();
  });
});
