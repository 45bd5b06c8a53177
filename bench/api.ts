/**
 * Read API latency (`npm run bench:api`): the batch availability read (`GET /batches/:batchId`, what a buyer's
 * screen polls) at a fixed 1,000 requests/s against the whole platform as `npm start` runs it (a separate process:
 * embedded PostgreSQL, chain with 1 s blocks, indexer, simulators), with autocannon as the load generator in this
 * process. BENCHMARKS.md target: p99 <= 20 ms.
 *
 * Side by side in the same run, the same rate against `GET /health/live` (no database, no query): the floor that
 * fastify, the loopback network and the load generator give on this machine, so the ratio of the two p99s says what
 * the read itself costs, whatever the machine's noise. autocannon corrects latencies for coordinated omission at a
 * fixed rate (a request the client could not send on time counts as waiting).
 *
 * Writes bench/results/api.json. Env: BENCH_RATE (default 1000), BENCH_SECONDS (default 15).
 */
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { getJson, startPlatformProcess, until } from "../test/support/platformProcess";
import { machineInfo } from "./results";

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = 32;
const TARGET_P99_MS = 20;

type Run = {
  url: string;
  rps: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
};

async function load(url: string, rate: number, seconds: number): Promise<Run> {
  const result = await autocannon({ url, connections: CONNECTIONS, overallRate: rate, duration: seconds });
  return {
    url,
    rps: Math.round(result.requests.total / seconds),
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  const platform = await startPlatformProcess({ BLOCK_TIME_MS: "1000" });
  try {
    const batch = await until(
      "the demo batch in the index",
      async () => (await getJson(`${platform.api}/batches`)).items[0],
      60_000,
    );
    const read = `${platform.api}/batches/${batch.batchId}`;
    const floor = `${platform.api}/health/live`;
    await load(read, RATE / 2, 3); // warm-up: JIT, pool connections, pg plan cache
    const baseline = await load(floor, RATE, SECONDS);
    const batchRead = await load(read, RATE, SECONDS);
    const result = {
      benchmark: "api",
      endpoint: "GET /batches/:batchId",
      targetRps: RATE,
      rps: batchRead.rps,
      p50Ms: batchRead.p50Ms,
      p99Ms: batchRead.p99Ms,
      targetP99Ms: TARGET_P99_MS,
      meetsTarget: batchRead.p99Ms <= TARGET_P99_MS && batchRead.errors === 0 && batchRead.non2xx === 0,
      p99VsHealthLive: Number((batchRead.p99Ms / Math.max(baseline.p99Ms, 0.001)).toFixed(2)),
      runs: { batchRead, healthLive: baseline },
      seconds: SECONDS,
      connections: CONNECTIONS,
      machine: machineInfo(),
      measuredAt: new Date().toISOString(),
    };
    const file = path.join(__dirname, "results", "api.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    if (batchRead.errors > 0 || batchRead.non2xx > 0) {
      throw new Error(`${batchRead.errors} errors and ${batchRead.non2xx} non-2xx answers under load`);
    }
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
