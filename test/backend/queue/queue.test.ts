import path from "node:path";
import { expect } from "chai";
import { BaseError } from "../../../backend/src/errors";
import { createLogger } from "../../../backend/src/logger";
import {
  claimJobs,
  completeJob,
  enqueue,
  failJob,
  getJob,
  listDeadJobs,
  queueDepth,
  redriveJob,
} from "../../../backend/src/queue/jobs";
import { createWorker } from "../../../backend/src/queue/worker";
import {
  RegistryRateLimitedError,
  RegistryRejectedError,
  RegistryUnavailableError,
} from "../../../backend/src/registries/errors";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { spawnTs, waitForOutput } from "./fixtures/spawn";

const logger = createLogger({ level: "silent" });
const FIXTURES = path.join(__dirname, "fixtures");

describe("queue: jobs in Postgres", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await db.pool.query("TRUNCATE jobs, job_redrives RESTART IDENTITY");
  });

  it("keeps one job for a duplicate key and returns it unchanged", async () => {
    const first = await enqueue(db.pool, { kind: "retire", key: "0xreq1", registry: "VERRA", payload: { n: 1 } });
    const second = await enqueue(db.pool, { kind: "retire", key: "0xreq1", registry: "VERRA", payload: { n: 2 } });
    expect(first.created).to.equal(true);
    expect(second.created).to.equal(false);
    expect(second.job.id).to.equal(first.job.id);
    expect(second.job.payload).to.deep.equal({ n: 1 });
    // concurrent duplicates through separate connections: still one row
    const many = await Promise.all(
      Array.from({ length: 8 }, (_, i) => enqueue(db.pool, { kind: "retire", key: "0xreq2", payload: { i } })),
    );
    expect(many.filter((result) => result.created)).to.have.length(1);
    expect(new Set(many.map((result) => result.job.id)).size).to.equal(1);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM jobs");
    expect(rows[0].n).to.equal(2);
  });

  it("claims by run_at, only due jobs, of one registry when asked", async () => {
    const later = new Date(Date.now() + 60_000);
    await enqueue(db.pool, { kind: "retire", key: "a", registry: "VERRA", runAt: new Date(Date.now() - 2_000) });
    await enqueue(db.pool, { kind: "retire", key: "b", registry: "IREC", runAt: new Date(Date.now() - 3_000) });
    await enqueue(db.pool, { kind: "retire", key: "c", registry: "VERRA", runAt: later });
    const verra = await claimJobs(db.pool, "w1", { registry: "VERRA", limit: 10, leaseMs: 10_000 });
    expect(verra.map((job) => job.key)).to.deep.equal(["a"]);
    const rest = await claimJobs(db.pool, "w1", { limit: 10, leaseMs: 10_000 });
    expect(rest.map((job) => job.key)).to.deep.equal(["b"]);
    expect(rest[0]?.attempts).to.equal(1);
    expect(rest[0]?.state).to.equal("running");
  });

  it("leaves jobs of excluded registries (circuit open) queued with their attempts intact", async () => {
    await enqueue(db.pool, { kind: "retire", key: "v", registry: "VERRA" });
    await enqueue(db.pool, { kind: "retire", key: "g", registry: "GOLD_STANDARD" });
    await enqueue(db.pool, { kind: "sweep", key: "n" });
    const claimed = await claimJobs(db.pool, "w", { excludeRegistries: ["VERRA"], limit: 10, leaseMs: 10_000 });
    expect(claimed.map((job) => job.key).sort()).to.deep.equal(["g", "n"]);
    const { rows } = await db.pool.query("SELECT state, attempts FROM jobs WHERE key = 'v'");
    expect(rows[0]).to.deep.equal({ state: "queued", attempts: 0 });
  });

  it("two child processes with their own pools never claim the same job", async function () {
    this.timeout(120_000);
    await db.pool.query("CREATE TABLE IF NOT EXISTS claim_log (job_id bigint NOT NULL, worker text NOT NULL)");
    await db.pool.query("CREATE TABLE IF NOT EXISTS claim_go (go boolean)");
    await db.pool.query("TRUNCATE claim_log, claim_go");
    const count = 300;
    await db.pool.query(
      `INSERT INTO jobs (kind, key, registry) SELECT 'retire', 'k' || g, 'VERRA' FROM generate_series(1, $1) g`,
      [count],
    );
    const children = [
      spawnTs(path.join(FIXTURES, "claimLoop.ts"), [db.url, "A"]),
      spawnTs(path.join(FIXTURES, "claimLoop.ts"), [db.url, "B"]),
    ];
    // Both connected before the go: on a loaded machine one child can take seconds longer to start than the other.
    await Promise.all(children.map((child) => waitForOutput(child, (out) => out.includes("waiting for go"))));
    await db.pool.query("INSERT INTO claim_go VALUES (true)");
    const codes = await Promise.all(children.map((child) => child.exited));
    expect(codes, children.map((child) => child.stderr()).join("\n")).to.deep.equal([0, 0]);
    const { rows } = await db.pool.query<{ claims: number; distinct_jobs: number; workers: number }>(
      "SELECT count(*)::int AS claims, count(DISTINCT job_id)::int AS distinct_jobs, count(DISTINCT worker)::int AS " +
        "workers FROM claim_log",
    );
    expect(rows[0]).to.deep.equal({ claims: count, distinct_jobs: count, workers: 2 });
    const depth = await queueDepth(db.pool);
    expect(depth.succeeded).to.equal(count);
  });

  it("recovers the job of a worker killed mid-job once its lease expires", async function () {
    this.timeout(120_000);
    const { job } = await enqueue(db.pool, { kind: "retire", key: "0xkill", registry: "VERRA" });
    const doomed = spawnTs(path.join(FIXTURES, "claimAndHang.ts"), [db.url, "2000"]);
    const out = await waitForOutput(doomed, (text) => text.includes("claimed"));
    expect(JSON.parse(out.trim()).claimed).to.deep.equal([job.id]);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    // still leased: nobody else may take it
    expect(await claimJobs(db.pool, "rescuer", { limit: 5, leaseMs: 10_000 })).to.have.length(0);
    const leased = await getJob(db.pool, job.id);
    const waitMs = leased!.lockedUntil!.getTime() - Date.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs) + 300));
    const rescued = await claimJobs(db.pool, "rescuer", { limit: 5, leaseMs: 10_000 });
    expect(rescued.map((j) => j.id)).to.deep.equal([job.id]);
    expect(rescued[0]?.attempts).to.equal(2);
    // the dead worker's attempt can no longer write: fenced by (locked_by, attempts)
    expect(await completeJob(db.pool, { id: job.id, lockedBy: leased!.lockedBy, attempts: 1 })).to.equal(false);
    expect(await completeJob(db.pool, rescued[0]!)).to.equal(true);
  });

  it("dead-letters a job whose lease expired on its last attempt", async () => {
    const { job } = await enqueue(db.pool, { kind: "retire", key: "0xpoison", maxAttempts: 1 });
    expect(await claimJobs(db.pool, "w", { limit: 1, leaseMs: 1 })).to.have.length(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000 })).to.have.length(0);
    const stored = await getJob(db.pool, job.id);
    expect(stored).to.include({ state: "dead", lastErrorCode: "QUEUE_LEASE_EXPIRED", lockedBy: null });
  });

  it("retries a retryable error with exponential backoff computed in SQL", async () => {
    const { job } = await enqueue(db.pool, { kind: "retire", key: "0xretry", maxAttempts: 5 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await db.pool.query("UPDATE jobs SET run_at = now() WHERE id = $1", [job.id]);
      const [claimed] = await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000 });
      expect(claimed?.attempts).to.equal(attempt);
      const result = await failJob(db.pool, claimed!, new RegistryUnavailableError("503", { registry: "VERRA" }), {
        baseMs: 1_000,
      });
      expect(result.outcome).to.equal("retry");
      // updated_at is the failing statement's now(): the delay exactly as SQL computed it
      const stored = await getJob(db.pool, job.id);
      delays.push(stored!.runAt.getTime() - stored!.updatedAt.getTime());
    }
    // base * 2^(n-1) * [0.5, 1): 1 s, 2 s, 4 s before jitter (1 ms of slack: JavaScript dates hold milliseconds)
    expect(delays[0]).to.be.within(500 - 1, 1_000 + 1);
    expect(delays[1]).to.be.within(1_000 - 1, 2_000 + 1);
    expect(delays[2]).to.be.within(2_000 - 1, 4_000 + 1);
    const stored = await getJob(db.pool, job.id);
    expect(stored?.state).to.equal("queued");
    expect(stored?.lastErrorCode).to.equal("REGISTRY_UNAVAILABLE");
    expect(stored?.lockedBy).to.equal(null);
  });

  it("honours retryAfterMs: never earlier, at most 10% later", async () => {
    await enqueue(db.pool, { kind: "retire", key: "0x429" });
    const [claimed] = await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000 });
    const result = await failJob(
      db.pool,
      claimed!,
      new RegistryRateLimitedError("429", { registry: "VERRA", retryAfterMs: 7_000 }),
      { baseMs: 10 },
    );
    expect(result.outcome).to.equal("retry");
    if (result.outcome !== "retry") return;
    const stored = await getJob(db.pool, claimed!.id);
    expect(result.runAt.getTime() - stored!.updatedAt.getTime()).to.be.within(7_000 - 1, 7_700 + 1);
    expect(await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000 })).to.have.length(0);
  });

  it("dead-letters after max attempts and at once on a non-retryable error; redrive with an audit row", async () => {
    const { job: tired } = await enqueue(db.pool, { kind: "retire", key: "0xtired", maxAttempts: 2 });
    const unavailable = new RegistryUnavailableError("down", { registry: "VERRA" });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await db.pool.query("UPDATE jobs SET run_at = now() WHERE id = $1", [tired.id]);
      const [claimed] = await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000, kinds: ["retire"] });
      expect(claimed?.id).to.equal(tired.id);
      const result = await failJob(db.pool, claimed!, unavailable, { baseMs: 1 });
      expect(result.outcome).to.equal(attempt === 2 ? "dead" : "retry");
    }
    const { job: refused } = await enqueue(db.pool, { kind: "retire", key: "0xrefused", maxAttempts: 5 });
    const [claimed] = await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000 });
    expect(claimed?.id).to.equal(refused.id);
    const rejected = new RegistryRejectedError("insufficient units", { registry: "VERRA", status: 422 });
    expect((await failJob(db.pool, claimed!, rejected)).outcome).to.equal("dead");
    expect(await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000 })).to.have.length(0);

    const dead = await listDeadJobs(db.pool);
    expect(dead.map((job) => job.key).sort()).to.deep.equal(["0xrefused", "0xtired"]);
    expect((await getJob(db.pool, refused.id))?.lastErrorCode).to.equal("REGISTRY_REJECTED");

    const redriven = await redriveJob(db.pool, refused.id, "ops@example");
    expect(redriven.state).to.equal("queued");
    expect(redriven.attempts).to.equal(0);
    expect(redriven.redrivenBy).to.equal("ops@example");
    const { rows } = await db.pool.query("SELECT operator, previous_attempts, previous_error FROM job_redrives");
    expect(rows).to.have.length(1);
    expect(rows[0].operator).to.equal("ops@example");
    expect(rows[0].previous_attempts).to.equal(1);
    expect(rows[0].previous_error).to.match(/insufficient units/);
    let thrown: unknown;
    try {
      await redriveJob(db.pool, refused.id, "ops@example");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(BaseError).and.have.property("code", "QUEUE_NOT_DEAD");
    const [again] = await claimJobs(db.pool, "w", { limit: 1, leaseMs: 10_000 });
    expect(again?.id).to.equal(refused.id);
    expect(again?.attempts).to.equal(1);
  });

  it("worker: wakes on NOTIFY, retries, completes; stop waits for the job in flight", async function () {
    this.timeout(60_000);
    const ctx = testContext(db, logger);
    const { metrics, readiness } = ctx;
    const seen: string[] = [];
    let release: (() => void) | undefined;
    const worker = createWorker<{ mode: string }>(ctx, {
      kinds: ["retire"],
      concurrency: 2,
      pollMs: 20_000, // far longer than the test waits: only the notification can wake it
      backoff: { baseMs: 1 },
      handler: async (job) => {
        seen.push(`${job.key}#${job.attempts}`);
        if (job.payload.mode === "flaky" && job.attempts === 1) {
          throw new RegistryUnavailableError("blip", { registry: "VERRA" });
        }
        if (job.payload.mode === "slow") await new Promise<void>((resolve) => (release = resolve));
      },
    });
    await worker.start();
    try {
      await exerciseWorker();
    } finally {
      release?.();
      await worker.stop();
    }
    async function exerciseWorker() {
      expect((await readiness.run()).ready).to.equal(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await enqueue(db.pool, { kind: "retire", key: "fast", payload: { mode: "ok" } });
      await until(async () => (await queueDepth(db.pool)).succeeded === 1, 10_000);
      // the retry's run_at is ~1 ms away; the requeue trigger notifies, so it runs without a poll
      await enqueue(db.pool, { kind: "retire", key: "flaky", payload: { mode: "flaky" } });
      await until(async () => (await queueDepth(db.pool)).succeeded === 2, 10_000);
      expect(seen).to.include.members(["fast#1", "flaky#1", "flaky#2"]);

      const { job: slow } = await enqueue(db.pool, { kind: "retire", key: "slow", payload: { mode: "slow" } });
      await until(async () => release !== undefined, 10_000);
      const stopped = worker.stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await getJob(db.pool, slow.id))?.state).to.equal("running");
      release!();
      await stopped;
      expect((await getJob(db.pool, slow.id))?.state).to.equal("succeeded");
      const body = (await metrics.render()).body;
      expect(body).to.match(/carbon_jobs_total\{kind="retire",outcome="succeeded"\} 3/);
      expect(body).to.match(/carbon_jobs_total\{kind="retire",outcome="retry"\} 1/);
      expect(body).to.include("carbon_job_duration_seconds_bucket");
    }
  });
});

describe("queue: worker leases", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });

  it("extends the lease while a handler runs longer than it, so no other worker takes the job", async function () {
    this.timeout(60_000);
    const ctx = testContext(db, logger);
    let started = false;
    const worker = createWorker(ctx, {
      kinds: ["slow"],
      leaseMs: 300,
      pollMs: 50,
      handler: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      },
    });
    await worker.start();
    const { job } = await enqueue(db.pool, { kind: "slow", key: "long" });
    await until(async () => started, 10_000);
    for (let i = 0; i < 10; i++) {
      expect(await claimJobs(db.pool, "thief", { limit: 1, leaseMs: 10_000 })).to.have.length(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await worker.stop();
    expect(await getJob(db.pool, job.id)).to.include({ state: "succeeded", attempts: 1 });
  });
});

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
