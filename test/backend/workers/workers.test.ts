import path from "node:path";
import { expect } from "chai";
import { createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { claimJobs, getJob, queueDepth } from "../../../backend/src/queue/jobs";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";
import { dispatchRequests } from "../../../backend/src/requests/dispatch";
import { type RequestJobPayload, createRequestHandlers } from "../../../backend/src/workers/handlers";
import { type RegistryWorkers, startRegistryWorkers } from "../../../backend/src/workers/runner";
import { spawnTs, waitForOutput, type TsChild } from "../queue/fixtures/spawn";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { CUSTODY, operationsPerMemo, requestIdOf, seedCustody, seedRequests } from "./fixtures/seed";
import { type TrafficCounter, trafficCounter } from "./fixtures/traffic";

const WORKER = path.join(__dirname, "fixtures", "worker.ts");

/** Polls until no job is queued or running; returns the depth. */
async function drained(db: TestDatabase, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depth = await queueDepth(db.pool);
    if (depth.queued === 0 && depth.running === 0) return depth;
    if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(depth)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function requestRow(db: TestDatabase, requestId: string) {
  const { rows } = await db.pool.query(
    "SELECT status, registry_status, registry_reference FROM requests WHERE request_id = $1",
    [requestId],
  );
  return rows[0] as { status: string; registry_status: string | null; registry_reference: string | null };
}

function startChild(options: Record<string, unknown>): TsChild {
  return spawnTs(WORKER, [JSON.stringify({ custodyAccount: CUSTODY, ...options })]);
}

async function stopChild(child: TsChild): Promise<Record<string, number>> {
  child.child.kill("SIGTERM");
  await child.exited;
  const line = child.stdout().split("\n").find((text) => text.startsWith("STATS "));
  return line === undefined ? {} : (JSON.parse(line.slice(6)) as Record<string, number>);
}

describe("registry workers: one registry instruction per request", () => {
  let db: TestDatabase;
  let traffic: TrafficCounter;
  let sim: RunningSimulator;
  let workers: RegistryWorkers | undefined;
  let children: TsChild[] = [];

  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    traffic = trafficCounter();
    sim = await startSimulator("VERRA", { port: 0, logger: traffic.logger });
    sim.admin.addAccount({ id: "BUYER-ACCOUNT-7" });
    await db.pool.query("TRUNCATE jobs, job_redrives, rate_buckets, requests, batches, registries CASCADE");
  });
  afterEach(async () => {
    await workers?.stop();
    workers = undefined;
    for (const child of children) if (child.child.exitCode === null) child.child.kill("SIGKILL");
    await Promise.all(children.map((child) => child.exited));
    children = [];
    await sim.close();
  });

  /** Workers in this process, over the test database and the simulator. */
  async function startInProcess(limit = { capacity: 50, refillPerSec: 50 }, leaseMs?: number) {
    const ctx = testContext(db);
    const guard = createRegistryGuard(ctx, { registries: { VERRA: limit } });
    await guard.init();
    const adapters = createRegistryAdapters({ urls: { VERRA: sim.url } });
    workers = await startRegistryWorkers(ctx, { adapters, guard, custodyAccount: CUSTODY, concurrency: 4, pollMs: 100, leaseMs });
    return workers;
  }

  it("dispatches each pending request once and sends one retirement and one transfer carrying the request id", async () => {
    seedCustody(sim, [100n, 50n]);
    const retire = requestIdOf("retire-1");
    const withdraw = requestIdOf("withdraw-1");
    const answered = requestIdOf("answered");
    await seedRequests(db.pool, 1n, [
      { requestId: retire, amount: 30n },
      { requestId: withdraw, amount: 20n, kind: "withdrawal", destination: "BUYER-ACCOUNT-7" },
      { requestId: answered, amount: 5n },
    ]);
    await db.pool.query("UPDATE requests SET chain_status = 'confirmed', status = 'confirmed' WHERE request_id = $1", [answered]);

    expect(await dispatchRequests(db.pool)).to.equal(2);
    expect(await dispatchRequests(db.pool)).to.equal(0);
    const { rows: jobs } = await db.pool.query("SELECT kind, key, registry, payload FROM jobs ORDER BY kind");
    expect(jobs).to.deep.equal([
      { kind: "retire", key: retire, registry: "VERRA", payload: { requestId: retire } },
      { kind: "withdraw", key: withdraw, registry: "VERRA", payload: { requestId: withdraw } },
    ]);

    await startInProcess();
    const depth = await drained(db);
    expect(depth).to.include({ succeeded: 2, dead: 0 });

    const operations = [...sim.admin.ledger.operations.values()];
    expect(operations).to.have.length(2);
    const retirement = operations.find((operation) => operation.memo === retire);
    expect(retirement).to.include({ kind: "RETIRE", quantity: 30n, actingAccount: CUSTODY });
    expect(retirement?.retirement).to.include({ beneficiary: "Acme Ltd", reason: "FY2025 offset" });
    const transfer = operations.find((operation) => operation.memo === withdraw);
    expect(transfer).to.include({ kind: "TRANSFER", quantity: 20n, actingAccount: CUSTODY, toAccount: "BUYER-ACCOUNT-7" });

    expect(await requestRow(db, retire)).to.deep.equal({
      status: "submitted",
      registry_status: "CONFIRMED",
      registry_reference: retirement?.id,
    });
    expect(await requestRow(db, withdraw)).to.deep.equal({
      status: "submitted",
      registry_status: "CONFIRMED",
      registry_reference: transfer?.id,
    });
    expect((await requestRow(db, answered)).registry_reference).to.equal(null);
  });

  it("calls nobody for a request answered on chain after its job was queued", async () => {
    seedCustody(sim, [10n]);
    const id = requestIdOf("late-answer");
    await seedRequests(db.pool, 1n, [{ requestId: id, amount: 5n }]);
    await dispatchRequests(db.pool);
    await db.pool.query("UPDATE requests SET chain_status = 'rejected', status = 'rejected' WHERE request_id = $1", [id]);
    await startInProcess();
    expect(await drained(db)).to.include({ succeeded: 1, dead: 0 });
    expect(sim.admin.ledger.operations.size).to.equal(0);
    expect(traffic.count()).to.equal(0);
  });

  it("dead-letters a request no custody block can hold, naming batch, amount and the largest block", async () => {
    seedCustody(sim, [40n, 25n]);
    const id = requestIdOf("too-big");
    await seedRequests(db.pool, 1n, [{ requestId: id, amount: 50n }]);
    await dispatchRequests(db.pool);
    await startInProcess();
    expect(await drained(db)).to.include({ dead: 1 });
    const { rows } = await db.pool.query("SELECT last_error, last_error_code FROM jobs");
    expect(rows[0].last_error_code).to.equal("WORKER_NO_CUSTODY_BLOCK");
    expect(rows[0].last_error).to.match(/holds 50 units/).and.match(/with 40 units/).and.match(/VCS-VCU/);
    expect(sim.admin.ledger.operations.size).to.equal(0);
    expect((await requestRow(db, id)).status).to.equal("requested");
  });

  it("dead-letters a registry refusal of a block that still fits, leaving the request for an operator", async () => {
    seedCustody(sim, [40n]);
    const id = requestIdOf("refused");
    // A withdrawal to an account the registry does not know: 400, and the block is unchanged when read back.
    await seedRequests(db.pool, 1n, [{ requestId: id, amount: 10n, kind: "withdrawal", destination: "NOBODY-HERE" }]);
    await dispatchRequests(db.pool);
    await startInProcess();
    expect(await drained(db)).to.include({ dead: 1 });
    const { rows } = await db.pool.query("SELECT last_error, last_error_code FROM jobs");
    expect(rows[0].last_error_code).to.equal("WORKER_REGISTRY_REFUSED");
    expect(rows[0].last_error).to.match(/refused the withdrawal of 10 units/).and.match(/waits for an operator/);
    expect(sim.admin.ledger.operations.size).to.equal(0);
    expect(await requestRow(db, id)).to.include({ status: "requested", registry_reference: null });
  });

  it("lists afresh when another process used the cached block, instead of dead-lettering", async () => {
    seedCustody(sim, [10n, 100n]);
    const small = [...sim.admin.ledger.blocks.values()].find((block) => block.blockEnd - block.blockStart === 9n)!;
    await seedRequests(db.pool, 1n, [{ requestId: requestIdOf("warm"), amount: 1n }]);
    await dispatchRequests(db.pool);
    await startInProcess();
    await drained(db);
    // Behind this process's back (another worker process): the small block is retired down to 2 units.
    sim.admin.ledger.submit({ kind: "RETIRE", memo: "someone-else", blockId: small.id, quantity: 7n, actingAccount: CUSTODY });
    const id = requestIdOf("after-change");
    await seedRequests(db.pool, 1n, [{ requestId: id, amount: 5n }]);
    await dispatchRequests(db.pool);
    expect(await drained(db)).to.include({ succeeded: 2, dead: 0 });
    const operation = [...sim.admin.ledger.operations.values()].find((candidate) => candidate.memo === id);
    expect(operation?.blockId).to.not.equal(small.id);
    expect(operationsPerMemo(sim).get(id)).to.equal(1);
  });

  it("does not submit for an attempt that lost its lease (another worker owns the job now)", async () => {
    seedCustody(sim, [10n]);
    const id = requestIdOf("stale-attempt");
    await seedRequests(db.pool, 1n, [{ requestId: id, amount: 1n }]);
    await dispatchRequests(db.pool);
    const ctx = testContext(db);
    const guard = createRegistryGuard(ctx, { registries: { VERRA: { capacity: 10, refillPerSec: 10 } } });
    await guard.init();
    const handlers = createRequestHandlers({
      adapters: createRegistryAdapters({ urls: { VERRA: sim.url } }),
      guard,
      custodyAccount: CUSTODY,
      db: db.pool,
    });
    const [stale] = await claimJobs<RequestJobPayload>(db.pool, "stalled-worker", { limit: 1, leaseMs: 60_000 });
    // The lease expired while the stalled worker slept; another worker claimed the job.
    await db.pool.query("UPDATE jobs SET locked_until = now() - interval '1 second'");
    await claimJobs(db.pool, "new-owner", { limit: 1, leaseMs: 60_000 });
    let error: unknown;
    await handlers.retire(stale!, { signal: new AbortController().signal }).catch((caught) => (error = caught));
    expect((error as { code?: string }).code).to.equal("QUEUE_LEASE_LOST");
    expect(sim.admin.ledger.operations.size).to.equal(0);
  });

  it("several worker processes drain a backlog under the shared rate limit: no 429, each job once", async function () {
    this.timeout(120_000);
    // The registry's limit: 20 calls/s sustained; its burst (0.5 s of calls) absorbs stalls of the simulator,
    // which shares this process and a loaded machine (calls granted during a stall arrive together). The guard's
    // bucket has the same rate. Were the limit not shared (a bucket per process), the two processes would send
    // 40/s and meet 429s within a second.
    const registryLimit = { capacity: 10, refillPerSecond: 20 };
    const limit = { capacity: 2, refillPerSec: 20 };
    sim.admin.setKnobs({ rateLimit: registryLimit });
    seedCustody(sim, [1_000n, 500n]);
    const ids = Array.from({ length: 60 }, (_, i) => requestIdOf(`backlog-${i}`));
    await seedRequests(db.pool, 1n, ids.map((requestId, i) => ({ requestId, amount: BigInt(1 + (i % 5)) })));
    expect(await dispatchRequests(db.pool)).to.equal(60);

    children = [0, 1].map(() => startChild({ databaseUrl: db.url, verraUrl: sim.url, ...limit, concurrency: 4 }));
    await Promise.all(children.map((child) => waitForOutput(child, (out) => out.includes("READY"))));
    expect(await drained(db, 90_000)).to.include({ succeeded: 60, dead: 0 });
    const stats = await Promise.all(children.map(stopChild));

    expect(traffic.count(429)).to.equal(0);
    // Admitted by the registry in any 3 s: within the guard's bound C + R·W, plus 0.5 s of arrival jitter (a
    // bucket per process would admit about twice as many).
    expect(traffic.maxInWindow(3_000)).to.be.at.most(limit.capacity + limit.refillPerSec * 3.5);
    const perMemo = operationsPerMemo(sim);
    expect(ids.every((id) => perMemo.get(id) === 1)).to.equal(true);
    expect(perMemo.size).to.equal(60);
    // Every process took part.
    expect(stats.every((s) => (s.ok ?? 0) > 0)).to.equal(true);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM requests WHERE status = 'submitted' AND registry_reference IS NOT NULL",
    );
    expect(rows[0].n).to.equal(60);
  });

  it("rides out a 429 storm and a maintenance window: every job succeeds once, none dead", async function () {
    this.timeout(120_000);
    // The registry allows far less than the guard believes: 429s with Retry-After all along.
    sim.admin.setKnobs({ rateLimit: { capacity: 2, refillPerSecond: 8 } });
    seedCustody(sim, [1_000n]);
    const ids = Array.from({ length: 12 }, (_, i) => requestIdOf(`storm-${i}`));
    await seedRequests(db.pool, 1n, ids.map((requestId) => ({ requestId, amount: 2n })));
    await dispatchRequests(db.pool);
    const options = {
      databaseUrl: db.url,
      verraUrl: sim.url,
      capacity: 20,
      refillPerSec: 40,
      concurrency: 4,
      halfOpenAfterMs: 500,
      consecutiveFailures: 3,
    };
    children = [0, 1].map(() => startChild(options));
    await Promise.all(children.map((child) => waitForOutput(child, (out) => out.includes("READY"))));
    // Maintenance once the drain is under way.
    const deadline = Date.now() + 30_000;
    while (sim.admin.ledger.operations.size < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    sim.admin.startMaintenance(2_000);
    expect(await drained(db, 90_000)).to.include({ succeeded: 12, dead: 0 });
    await Promise.all(children.map(stopChild));

    expect(traffic.count(429)).to.be.greaterThan(0);
    expect(traffic.count(503)).to.be.greaterThan(0);
    const perMemo = operationsPerMemo(sim);
    expect(ids.every((id) => perMemo.get(id) === 1)).to.equal(true);
    expect(perMemo.size).to.equal(12);
  });

  it("a worker killed after the registry accepted, before the database recorded: the next one finds the memo", async function () {
    this.timeout(90_000);
    seedCustody(sim, [100n]);
    const id = requestIdOf("killed");
    await seedRequests(db.pool, 1n, [{ requestId: id, amount: 10n }]);
    await dispatchRequests(db.pool);
    const doomed = startChild({
      databaseUrl: db.url,
      verraUrl: sim.url,
      capacity: 10,
      refillPerSec: 10,
      concurrency: 1,
      leaseMs: 1_000,
      hangAfterRetire: true,
    });
    children = [doomed];
    await waitForOutput(doomed, (out) => out.includes(`RETIRE_ACCEPTED ${id}`));
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    expect(await requestRow(db, id)).to.include({ status: "requested", registry_reference: null });
    expect(operationsPerMemo(sim).get(id)).to.equal(1);

    await startInProcess({ capacity: 10, refillPerSec: 10 }, 1_000);
    expect(await drained(db)).to.include({ succeeded: 1, dead: 0 });
    const operations = [...sim.admin.ledger.operations.values()];
    expect(operations.filter((operation) => operation.memo === id)).to.have.length(1);
    expect(await requestRow(db, id)).to.deep.equal({
      status: "submitted",
      registry_status: "CONFIRMED",
      registry_reference: operations[0]?.id,
    });
    const { rows } = await db.pool.query("SELECT id FROM jobs WHERE key = $1", [id]);
    expect((await getJob(db.pool, rows[0].id))?.attempts).to.equal(2);
  });
});
