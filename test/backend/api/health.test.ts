import { expect } from "chai";
import type { Pool } from "pg";
import { type App, buildApp } from "../../../backend/src/api/app";
import { createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { RegistryUnavailableError } from "../../../backend/src/registries/errors";
import { type TestDatabase, createTestDatabase, freePort } from "../../support/database";
import { type LogCapture, apiContext, deadPool } from "./helpers";

describe("api: health and metrics", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true }); // the registry guard's shared buckets
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

  it("stays ready while a registry is in maintenance, and shows the registry, its state and the reason in /health", async () => {
    const { app, ctx } = await appOver(db.pool);
    const guard = createRegistryGuard(ctx, {
      registries: { VERRA: { capacity: 10, refillPerSec: 10 }, GOLD_STANDARD: { capacity: 10, refillPerSec: 10 } },
    });
    await guard.init();
    // What the registry HTTP client throws for the simulator's maintenance answer (503 with a long Retry-After).
    const maintenance = new RegistryUnavailableError("VERRA GET /v1/accounts/C-1: 503 Scheduled maintenance", {
      registry: "VERRA",
      status: 503,
      retryAfterMs: 60_000,
    });
    await guard.guardedCall("VERRA", async () => Promise.reject(maintenance)).catch(() => undefined);
    expect(guard.circuit("VERRA")).to.equal("open");

    const ready = await app.inject({ method: "GET", url: "/health/ready" });
    expect(ready.statusCode, ready.body).to.equal(200);
    expect(ready.json()).to.include({ status: "ready" });
    expect(ready.json().failing).to.deep.equal([]);
    expect(ready.json().degraded).to.deep.equal(["registry_circuits"]);

    const health = await app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).to.equal(200);
    const body = health.json();
    expect(body).to.include({ status: "degraded" });
    expect(body.failing).to.deep.equal([]);
    expect(body.degraded).to.deep.equal(["registry_circuits"]);
    const registries = body.checks.find((check: { name: string }) => check.name === "registry_circuits");
    expect(registries).to.include({ ok: false, required: false, detail: "circuit open: VERRA" });
    expect(registries.dependencies).to.deep.equal([
      { name: "VERRA", state: "open", detail: "VERRA GET /v1/accounts/C-1: 503 Scheduled maintenance" },
      { name: "GOLD_STANDARD", state: "closed" },
    ]);
    await app.close();
  });

  it("answers /health with status ok and every check when " +
    "nothing is wrong, and not_ready when a required check fails", async () => {
    const { app, ctx } = await appOver(db.pool);
    const ok = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(ok).to.deep.include({ status: "ok", failing: [], degraded: [] });
    expect(ok.checks.map((check: { name: string }) => check.name)).to.deep.equal(["database"]);
    ctx.readiness.register("indexer_lag", async () => ({ ok: false, detail: "12 blocks behind (limit 5)" }));
    const down = await app.inject({ method: "GET", url: "/health" });
    expect(down.statusCode).to.equal(200); // details, not a probe: /health/ready is the probe
    expect(down.json()).to.deep.include({ status: "not_ready", failing: ["indexer_lag"], degraded: [] });
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
