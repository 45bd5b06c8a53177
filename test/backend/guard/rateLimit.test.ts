import path from "node:path";
import { expect } from "chai";
import { blockUntil, bucketState, configureBucket, take } from "../../../backend/src/guard/rateLimit";
import { createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { createReadiness } from "../../../backend/src/readiness";
import { RegistryRateLimitedError } from "../../../backend/src/registries/errors";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { spawnTs } from "../queue/fixtures/spawn";

const logger = createLogger({ level: "silent" });
const TAKE_LOOP = path.join(__dirname, "fixtures", "takeLoop.ts");

/** Most grants in any window [t, t + 1 s) of `take_log` (grant times are the bucket's own clock). */
async function maxPerSecond(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT coalesce(max(n), 0)::int AS n FROM (
       SELECT count(*) AS n FROM take_log a JOIN take_log b ON b.at >= a.at AND b.at < a.at + interval '1 second'
        GROUP BY a.id) w`,
  );
  return rows[0]!.n;
}

describe("guard: shared token bucket in Postgres", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await db.pool.query("CREATE TABLE take_log (id bigserial PRIMARY KEY, pid int NOT NULL, at timestamptz NOT NULL)");
    await db.pool.query("CREATE TABLE take_go (go boolean)");
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await db.pool.query("TRUNCATE take_log, take_go, rate_buckets");
  });

  it("take: a full bucket grants its burst, then answers how long to wait", async () => {
    await configureBucket(db.pool, "VERRA", { capacity: 3, refillPerSec: 1 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await take(db.pool, "VERRA"));
    expect(results.slice(0, 3).every((r) => r.granted)).to.equal(true);
    const last = results[3]!;
    expect(last.granted).to.equal(false);
    if (last.granted) return;
    expect(last.waitMs).to.be.within(1, 1_000); // one token at 1/s, minus the time since the burst
    await new Promise((resolve) => setTimeout(resolve, last.waitMs + 20));
    expect((await take(db.pool, "VERRA")).granted).to.equal(true);
  });

  it("take: concurrent takes over separate connections never spend more than the bucket holds", async () => {
    await configureBucket(db.pool, "GOLD_STANDARD", { capacity: 10, refillPerSec: 0.001 });
    const results = await Promise.all(Array.from({ length: 40 }, () => take(db.pool, "GOLD_STANDARD")));
    expect(results.filter((r) => r.granted)).to.have.length(10);
  });

  it("three processes never exceed capacity + rate over any 1 s window (C = 2, R = 5/s: at most 7)", async function () {
    this.timeout(120_000);
    const capacity = 2;
    const rate = 5;
    await configureBucket(db.pool, "VERRA", { capacity, refillPerSec: rate });
    const children = [1, 2, 3].map(() => spawnTs(TAKE_LOOP, [db.url, "VERRA", "3000"]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await db.pool.query("INSERT INTO take_go VALUES (true)");
    const codes = await Promise.all(children.map((child) => child.exited));
    expect(codes, children.map((child) => child.stderr()).join("\n")).to.deep.equal([0, 0, 0]);
    const { rows } = await db.pool.query<{ total: number; pids: number; span_ms: number }>(
      `SELECT count(*)::int AS total, count(DISTINCT pid)::int AS pids,
              (extract(epoch FROM max(at) - min(at)) * 1000)::int AS span_ms FROM take_log`,
    );
    const stats = rows[0]!;
    expect(await maxPerSecond(db)).to.be.at.most(capacity + rate);
    expect(stats.pids).to.be.at.least(2);
    // and the limit is used, not starved (80%: the children sleep exactly the wait they are told, but this
    // machine is loaded and a stalled event loop loses refill beyond the bucket's capacity)
    expect(stats.total).to.be.at.least(Math.floor(0.8 * (capacity + (rate * stats.span_ms) / 1000)));
    expect(stats.total).to.be.at.most(Math.ceil(capacity + (rate * stats.span_ms) / 1000) + 1);
    const denied = children.map((child) => JSON.parse(child.stdout().trim()).denied as number);
    expect(denied.reduce((a, b) => a + b, 0)).to.be.greaterThan(0);
  });

  it("a 429 with Retry-After seen by one process blocks the others until it passes", async function () {
    this.timeout(120_000);
    const guard = createRegistryGuard(
      { logger, metrics: createMetrics({ defaultMetrics: false }), readiness: createReadiness(), db: { pool: db.pool } },
      { registries: { IREC: { capacity: 2, refillPerSec: 10 } } },
    );
    await guard.init();
    const children = [1, 2].map(() => spawnTs(TAKE_LOOP, [db.url, "IREC", "5000"]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await db.pool.query("INSERT INTO take_go VALUES (true)");
    // wait until the children are taking
    for (let i = 0; i < 600; i++) {
      const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM take_log");
      if (rows[0]!.n >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let thrown: unknown;
    try {
      await guard.guardedCall("IREC", async () => {
        throw new RegistryRateLimitedError("429", { registry: "IREC", status: 429, retryAfterMs: 1_500 });
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(RegistryRateLimitedError);
    const blockedUntil = (await bucketState(db.pool, "IREC"))!.blockedUntil!;
    expect(blockedUntil.getTime()).to.be.greaterThan(Date.now() - 100);
    // a block only ever extends: a shorter Retry-After from another call leaves it as is
    expect((await blockUntil(db.pool, "IREC", 100)).getTime()).to.equal(blockedUntil.getTime());
    const codes = await Promise.all(children.map((child) => child.exited));
    expect(codes, children.map((child) => child.stderr()).join("\n")).to.deep.equal([0, 0]);
    const { rows } = await db.pool.query<{ inside: number; after: number; before: number }>(
      `SELECT count(*) FILTER (WHERE at > $1::timestamptz - interval '1500 milliseconds' AND at < $1)::int AS inside,
              count(*) FILTER (WHERE at >= $1)::int AS after,
              count(*) FILTER (WHERE at <= $1::timestamptz - interval '1500 milliseconds')::int AS before
         FROM take_log`,
      [blockedUntil],
    );
    expect(rows[0]).to.include({ inside: 0 });
    expect(rows[0]!.before).to.be.greaterThan(0);
    expect(rows[0]!.after).to.be.greaterThan(0);
  });
});
