/**
 * Issue 7, scenario 10, on the platform as `npm start` runs it: PostgreSQL dies in the middle of a busy run (SIGKILL
 * of the postmaster, the harshest restart: crash recovery, every connection cut). The platform restarts its embedded
 * server; the indexer, dispatcher, workers, watchers, oracle nodes, aggregator and API reconnect by themselves and
 * finish the work: every retirement requested before, during and after the outage is retired at the registry exactly
 * once and burned, the index catches up with the chain, and the invariants are clean. Meanwhile the API answers 503
 * with Retry-After instead of failing.
 */
import { expect } from "chai";
import type { PublicClient } from "viem";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { isAlive } from "../backend/support/database";
import { demoBatch } from "../backend/support/platformFlows";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until } from "../backend/support/platformProcess";
import { AT_REST, checkInvariants, simulatorState } from "./support/invariants";
import { receiptsOf, requestsOf, sendRetirements } from "./support/registryLoad";
import { publicClientOf } from "./support/trading";

const BEFORE = 15;
const DURING = 10;

describe("scenario 10: PostgreSQL restarted in the middle of a run", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  let client: PublicClient;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500", REGISTRY_RATE_LIMIT_PER_SEC: "40", REGISTRY_BURST: "20" }, privatePorts(process.pid + 17));
    client = publicClientOf(platform);
  });
  after(async () => {
    await platform?.stop();
  });

  it("killed with SIGKILL while retirements are in flight: restarted, every service reconnects, each request retired once and burned", async () => {
    const batch = await demoBatch(platform);
    const batchId = BigInt(batch.batchId);
    const bridge = platform.address("registryBridge");
    const tag = `pg-restart-${Date.now()}`;

    // A busy moment: requests mined and being worked on when the database goes.
    const first = await sendRetirements(client, seller, { bridge, batchId, amount: 10n, count: BEFORE, tag: `${tag}-a` });
    await receiptsOf(client, first.hashes);
    await until("work under way (some request at the registry)", async () => ((await requestsOf(platform, seller.address)).some((row) => row.registry_status !== null) ? true : undefined), 60_000, 100);
    const killed = platform.postgresPid();
    const killedAt = Date.now();
    process.kill(killed, "SIGKILL");
    // Buyers reading availability meanwhile get an answer or a 503 with Retry-After, never a 500.
    const reads: Array<{ status: number; code?: string; retryAfter: string | null }> = [];
    const reading = (async () => {
      while (Date.now() - killedAt < 5_000) {
        const response = await fetch(`${platform.api}/batches/${batchId}`);
        const body = (await response.json()) as { code?: string };
        reads.push({ status: response.status, code: body.code, retryAfter: response.headers.get("retry-after") });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    // While it is down the chain goes on: more requests are mined, which the indexer must pick up afterwards.
    const second = await sendRetirements(client, seller, { bridge, batchId, amount: 10n, count: DURING, tag: `${tag}-b` });
    await receiptsOf(client, second.hashes);
    const restarted = await until(
      "a new PostgreSQL server",
      async () => {
        const pid = platform.postgresPid();
        return pid !== killed && isAlive(pid) ? pid : undefined;
      },
      60_000,
    );
    const restartedAfter = Date.now() - killedAt;
    await reading;
    expect(reads.filter((read) => read.status !== 200 && !(read.status === 503 && read.code === "DATABASE_UNAVAILABLE" && read.retryAfter === "1"))).to.deep.equal([]);
    expect(reads.at(-1)?.status, "reads answered again after the restart").to.equal(200);
    expect(restarted).to.not.equal(killed);
    expect(isAlive(killed)).to.equal(false);

    const rows = await until(
      "every request burned",
      async () => {
        const current = await requestsOf(platform, seller.address);
        return current.length === BEFORE + DURING && current.every((row) => row.chain_status === "confirmed") ? current : undefined;
      },
      180_000,
      1_000,
    );
    const refused = reads.filter((read) => read.status === 503).length;
    console.log(`      PostgreSQL back after ${restartedAfter} ms (${refused} of ${reads.length} reads meanwhile got 503); all ${BEFORE + DURING} requests burned ${Date.now() - killedAt} ms after the kill`);

    // Exactly one registry retirement per request, each confirmed for its units.
    const ids = new Set(rows.map((row) => row.request_id));
    const operations = (await simulatorState(platform)).operations.filter((operation) => ids.has(operation.memo));
    expect(operations).to.have.length(BEFORE + DURING);
    expect(new Set(operations.map((operation) => operation.memo)).size).to.equal(BEFORE + DURING);
    expect(operations.filter((operation) => operation.kind !== "RETIRE" || operation.status !== "CONFIRMED" || operation.quantity !== "10")).to.deep.equal([]);

    // The index caught up with the chain, the API is ready again, and the platform says what happened.
    const view = await until(
      "the indexed burns",
      async () => {
        const current = await getJson(`${platform.api}/batches/${batchId}`);
        return current.custody.retired === String(10 * (BEFORE + DURING)) ? current : undefined;
      },
      30_000,
    );
    expect(view.custody.pendingRetirement).to.equal("0");
    const ready = await fetch(`${platform.api}/health/ready`);
    expect(ready.status, await ready.text()).to.equal(200);
    expect(platform.output()).to.match(/embedded postgres: restarted/);
    expect(platform.output(), "no request failed with a 500 (webhooks included)").to.not.match(/"unhandled error"/);
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
