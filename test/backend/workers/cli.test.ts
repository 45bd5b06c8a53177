import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { startWorkerProcess } from "../../../backend/src/cli/worker";
import { loadConfig } from "../../../backend/src/config";
import { queueDepth } from "../../../backend/src/queue/jobs";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";
import { type TestDatabase, createTestDatabase, tempDir } from "../../support/database";
import { CUSTODY, operationsPerMemo, requestIdOf, seedCustody, seedRequests } from "./fixtures/seed";

const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("carbon worker", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    sim = await startSimulator("VERRA", { port: 0 });
  });
  after(async () => {
    await sim?.close();
    await db?.drop();
  });

  it("refuses to run without DATABASE_URL, and without a registry URL", async () => {
    const options = { rateLimit: 5, burst: 10 };
    let error: unknown;
    await startWorkerProcess(loadConfig({ VERRA_API_URL: sim.url }), options).catch((caught) => (error = caught));
    expect(String(error)).to.match(/needs DATABASE_URL/).and.match(/embedded/);
    error = undefined;
    await startWorkerProcess(loadConfig({ DATABASE_URL: db.url }), options).catch((caught) => (error = caught));
    expect(String(error)).to.match(/no registry to serve/);
    error = undefined;
    await startWorkerProcess(loadConfig({ DATABASE_URL: db.url, VERRA_API_URL: sim.url }), {
      ...options,
      registry: ["irec"],
    }).catch((caught) => (error = caught));
    expect(String(error)).to.match(/IREC_API_URL is not set/);
  });

  it("dispatches and sends a request the indexer wrote, then stops on SIGTERM with exit 0", async function () {
    this.timeout(90_000);
    seedCustody(sim, [50n]);
    const child = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(__dirname, "fixtures", "cli.ts"),
        "--registry",
        "verra",
        "--concurrency",
        "2",
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          VERRA_API_URL: sim.url,
          CUSTODY_ACCOUNT: CUSTODY,
          LOG_LEVEL: "info",
          DATA_DIR: tempDir("carbon-worker-cli-"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const until = async (condition: () => Promise<boolean> | boolean, what: string) => {
        const deadline = Date.now() + 60_000;
        while (!(await condition())) {
          if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what}: ${out}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      await until(() => out.includes("registry worker ready"), "no ready line");
      const id = requestIdOf("cli-1");
      await seedRequests(db.pool, 1n, [{ requestId: id, amount: 7n }]);
      // What the indexer does after each step: the dispatcher wakes on it.
      await db.pool.query("SELECT pg_notify('carbon_chain_events', '{}')");
      await until(async () => (await queueDepth(db.pool)).succeeded === 1, "the job did not succeed");
      expect(operationsPerMemo(sim).get(id)).to.equal(1);
      child.kill("SIGTERM");
      expect(await exited).to.equal(0);
      expect(out).to.include("queue worker stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
