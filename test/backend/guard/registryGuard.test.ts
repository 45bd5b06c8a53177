import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import type { Hex } from "viem";
import { createBridgePauser } from "../../../backend/src/guard/bridgePauser";
import { type RelayerCall, RelayerRevertError } from "../../../backend/src/relayer";
import { bucketState } from "../../../backend/src/guard/rateLimit";
import { RegistryCircuitOpenError } from "../../../backend/src/guard/errors";
import { createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { createRegistryStatusSource } from "../../../backend/src/guard/status";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { createReadiness } from "../../../backend/src/readiness";
import {
  RegistryRateLimitedError,
  RegistryRejectedError,
  RegistryUnavailableError,
} from "../../../backend/src/registries/errors";
import { createRegistryHttpClient } from "../../../backend/src/registries/http";
import type { RegistryName } from "../../../backend/src/registries/ids";
import { type TestDatabase, createTestDatabase } from "../../support/database";

const logger = createLogger({ level: "silent" });

async function rejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("guard: circuit breaker, timeout and hooks per registry", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });

  function setup(hooks: { onOpen?: (r: RegistryName) => void; onClose?: (r: RegistryName) => void } = {}) {
    const metrics = createMetrics({ defaultMetrics: false });
    const readiness = createReadiness();
    const guard = createRegistryGuard(
      { logger, metrics, readiness, db: { pool: db.pool } },
      {
        registries: {
          VERRA: { capacity: 100, refillPerSec: 100, consecutiveFailures: 3, halfOpenAfterMs: 400, timeoutMs: 200 },
          GOLD_STANDARD: { capacity: 100, refillPerSec: 100 },
        },
        hooks,
      },
    );
    return { guard, metrics, readiness };
  }

  it("opens after N consecutive retryable failures, fails fast, half-opens after the delay, closes on success; hooks " +
    "fire once each", async () => {
    const events: string[] = [];
    const { guard, metrics, readiness } = setup({
      onOpen: (registry) => void events.push(`open:${registry}`),
      onClose: (registry) => void events.push(`close:${registry}`),
    });
    await guard.init();
    const down = async () => {
      throw new RegistryUnavailableError("503", { registry: "VERRA", status: 503 });
    };
    // non-retryable answers (the registry answered) do not count
    await rejects(
      guard.guardedCall("VERRA", async () => {
        throw new RegistryRejectedError("no", { registry: "VERRA", status: 422 });
      }),
    );
    for (let i = 0; i < 3; i++)
      expect(await rejects(guard.guardedCall("VERRA", down))).to.be.instanceOf(RegistryUnavailableError);
    expect(guard.circuit("VERRA")).to.equal("open");
    expect(guard.circuit("GOLD_STANDARD")).to.equal("closed");
    expect(guard.circuit("NOPE")).to.equal("unknown");

    let called = false;
    const fast = await rejects(guard.guardedCall("VERRA", async () => (called = true)));
    expect(fast).to.be.instanceOf(RegistryCircuitOpenError).and.include({ retryable: true, retryAfterMs: 400 });
    expect(called).to.equal(false);
    // An open circuit degrades the platform; it does not make this process unfit for traffic (issue 12 §4.7).
    const report = await readiness.run();
    expect(report).to.include({ ready: true, degraded: true });
    expect(report.checks.find((check) => check.name === "registry_circuits")).to.deep.include({
      ok: false,
      required: false,
      detail: "circuit open: VERRA",
      dependencies: [
        { name: "VERRA", state: "open", detail: "503" },
        { name: "GOLD_STANDARD", state: "closed" },
      ],
    });
    expect((await metrics.render()).body).to.match(/carbon_registry_circuit_state\{registry="VERRA"\} 2/);

    // half-open after the delay: a failed trial re-opens (no second onOpen)
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await rejects(guard.guardedCall("VERRA", down))).to.be.instanceOf(RegistryUnavailableError);
    expect(guard.circuit("VERRA")).to.equal("open");
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(guard.circuit("VERRA")).to.equal("half_open");
    expect(await guard.guardedCall("VERRA", async () => "ok")).to.equal("ok");
    expect(guard.circuit("VERRA")).to.equal("closed");
    await guard.settled();
    expect(events).to.deep.equal(["open:VERRA", "close:VERRA"]);
    expect(await readiness.run()).to.include({ ready: true, degraded: false });
  });

  it("a timeout counts as a failure and comes back as a retryable RegistryUnavailableError", async () => {
    const { guard } = setup();
    await guard.init();
    const error = await rejects(
      guard.guardedCall("VERRA", () => new Promise(() => undefined)), // hangs: only the timeout ends it
    );
    expect(error).to.be.instanceOf(RegistryUnavailableError).and.include({ retryable: true });
    expect((error as Error).message).to.match(/timed out after 200 ms/);
  });

  it("429 blocks the shared bucket and does not count towards the breaker", async () => {
    const { guard, metrics } = setup();
    await guard.init();
    for (let i = 0; i < 4; i++) {
      await db.pool.query(
        "UPDATE rate_buckets SET blocked_until = NULL, updated_at = clock_timestamp(), tokens = 10 WHERE registry = " +
          "'GOLD_STANDARD'",
      );
      const error = await rejects(
        guard.guardedCall("GOLD_STANDARD", async () => {
          // Twice maxWaitMs (60 s): the block still exceeds it however slowly a loaded machine gets to the last call.
          throw new RegistryRateLimitedError("429", { registry: "GOLD_STANDARD", status: 429, retryAfterMs: 120_000 });
        }),
      );
      expect(error).to.be.instanceOf(RegistryRateLimitedError).and.include({ retryable: true });
    }
    expect(guard.circuit("GOLD_STANDARD")).to.equal("closed");
    const bucket = await bucketState(db.pool, "GOLD_STANDARD");
    expect(bucket!.blockedUntil!.getTime()).to.be.greaterThan(Date.now() + 100_000);
    expect((await metrics.render()).body).to.match(/carbon_registry_rate_limited_total\{registry="GOLD_STANDARD"\} 4/);
    // with the block in force, waiting longer than maxWaitMs (60 s default) is refused as a retryable 429
    const refused = await rejects(guard.guardedCall("GOLD_STANDARD", async () => "never"));
    expect(refused).to.be.instanceOf(RegistryRateLimitedError);
    expect((refused as RegistryRateLimitedError).retryAfterMs).to.be.greaterThan(100_000);
  });

  it("a 503 with a long Retry-After (maintenance) opens the circuit at once, fires onOpen, and closes at the announced " +
    "end", async () => {
    const events: string[] = [];
    const { guard, readiness } = setup({
      onOpen: (registry) => void events.push(`open:${registry}`),
      onClose: (registry) => void events.push(`close:${registry}`),
    });
    await guard.init();
    const maintenance = await rejects(
      guard.guardedCall("VERRA", async () => {
        throw new RegistryUnavailableError("503 Scheduled maintenance", { registry: "VERRA", status: 503, retryAfterMs: 5_000 });
      }),
    );
    expect(maintenance).to.be.instanceOf(RegistryUnavailableError);
    expect(guard.circuit("VERRA")).to.equal("open"); // one answer, not three consecutive failures
    await guard.settled();
    expect(events).to.deep.equal(["open:VERRA"]);
    const report = await readiness.run();
    expect(report).to.include({ ready: true, degraded: true });
    const circuits = report.checks.find((check) => check.name === "registry_circuits");
    expect(circuits).to.include({ ok: false, required: false, detail: "circuit open: VERRA" });
    expect(circuits?.dependencies?.[0]).to.deep.equal({ name: "VERRA", state: "open", detail: "503 Scheduled maintenance" });
    // The routes that show registry status (batches, requests, /config) read the same reason through the status source.
    const status = await createRegistryStatusSource({ guard, db: db.pool }).get("VERRA");
    expect(status.circuit).to.equal("open");
    expect(status.detail).to.contain("503 Scheduled maintenance");
    expect(await rejects(guard.guardedCall("VERRA", async () => "never"))).to.be.instanceOf(RegistryCircuitOpenError);
    // a short Retry-After (1 s) is a hiccup: blocked, but the breaker counts it like any failure
    await db.pool.query("UPDATE rate_buckets SET blocked_until = NULL WHERE registry = 'GOLD_STANDARD'");
    await rejects(
      guard.guardedCall("GOLD_STANDARD", async () => {
        throw new RegistryUnavailableError("503", { registry: "GOLD_STANDARD", status: 503, retryAfterMs: 1_000 });
      }),
    );
    expect(guard.circuit("GOLD_STANDARD")).to.equal("closed");
    const deadline = Date.now() + 10_000;
    while (guard.circuit("VERRA") !== "closed" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(guard.circuit("VERRA")).to.equal("closed");
    await guard.settled();
    expect(events).to.deep.equal(["open:VERRA", "close:VERRA"]);
    await db.pool.query("UPDATE rate_buckets SET blocked_until = NULL");
  });

  it("takes one token per registry HTTP request, not per adapter call (a call making three requests spends three)", async () => {
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = createRegistryHttpClient({ registry: "GOLD_STANDARD", baseUrl: `http://127.0.0.1:${port}` });
    try {
      const { guard } = setup();
      await guard.init();
      await db.pool.query(
        "UPDATE rate_buckets SET tokens = 10, blocked_until = NULL, updated_at = clock_timestamp() WHERE registry = " +
          "'GOLD_STANDARD'",
      );
      await db.pool.query("UPDATE rate_buckets SET refill_per_sec = 0.001 WHERE registry = 'GOLD_STANDARD'");
      await guard.guardedCall("GOLD_STANDARD", async () => {
        for (const path of ["a", "b", "c"]) await client.request({ method: "GET", path });
      });
      const bucket = await bucketState(db.pool, "GOLD_STANDARD");
      expect(Math.round(bucket!.tokens)).to.equal(7);
      // outside a guarded call nothing is counted
      await client.request({ method: "GET", path: "d" });
      expect(Math.round((await bucketState(db.pool, "GOLD_STANDARD"))!.tokens)).to.equal(7);
    } finally {
      await db.pool.query("UPDATE rate_buckets SET refill_per_sec = 100 WHERE registry = 'GOLD_STANDARD'");
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("status source: circuit, bridge pause flag and Retry-After block; unknown registries read unknown", async () => {
    const { guard } = setup();
    await guard.init();
    await db.pool.query("UPDATE rate_buckets SET blocked_until = now() + interval '1 hour' WHERE registry = 'VERRA'");
    await db.pool.query("UPDATE rate_buckets SET blocked_until = NULL WHERE registry = 'GOLD_STANDARD'");
    const source = createRegistryStatusSource({ guard, db: db.pool, paused: async (registry) => registry === "VERRA" });
    const verra = await source.get("VERRA");
    expect(verra).to.include({ paused: true, circuit: "closed" });
    expect(verra.detail).to.match(/rate limited by the registry until/);
    expect(await source.get("GOLD_STANDARD")).to.deep.equal({ paused: false, circuit: "closed" });
    expect(await source.get("SOMETHING_ELSE")).to.deep.equal({ paused: null, circuit: "unknown" });
  });

  it("bridge pauser: pauseRegistry/unpauseRegistry with the registry id; an unchanged pause (by error name) counts as " +
    "done", async () => {
    const calls: Array<{ functionName: string; args: readonly unknown[] }> = [];
    let fail: Error | undefined;
    const pauser = createBridgePauser({
      bridge: "0x0000000000000000000000000000000000000b1d",
      relayer: {
        async send(call: RelayerCall) {
          calls.push({ functionName: call.functionName, args: call.args ?? [] });
          if (fail !== undefined) throw fail;
          return { hash: "0xabc" as Hex, receipt: {} as never, nonce: calls.length, replacements: 0 };
        },
      },
    });
    await pauser.onOpen("IREC");
    fail = new RelayerRevertError({ errorName: "RegistryBridgeRegistryPauseUnchanged", errorArgs: [3, true] });
    await pauser.onOpen("IREC");
    // Another error whose text mentions the name is not "unchanged": only the decoded name counts.
    fail = new RelayerRevertError({ errorName: undefined, cause: new Error("RegistryBridgeRegistryPauseUnchanged") });
    await Promise.resolve(pauser.onOpen("IREC")).then(
      () => expect.fail("an undecoded revert must not count as unchanged"),
      (error: unknown) => expect(error).to.be.instanceOf(RelayerRevertError),
    );
    fail = undefined;
    await pauser.onClose("IREC");
    expect(calls.map((call) => call.functionName)).to.deep.equal([
      "pauseRegistry",
      "pauseRegistry",
      "pauseRegistry",
      "unpauseRegistry",
    ]);
    expect(calls.every((call) => call.args[0] === 3)).to.equal(true);
    expect(pauser.sent.map((entry) => entry.hash)).to.deep.equal(["0xabc", "unchanged", "0xabc"]);
    expect(await pauser.isPaused("IREC")).to.equal(null);
  });
});
