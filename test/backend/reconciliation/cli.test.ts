import { execFile } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { type TestDatabase, createTestDatabase, freePort } from "../../support/database";
import { EXIT_CLEAN, EXIT_DISCREPANCIES, EXIT_ERROR, runReconcileCommand } from "../../../backend/src/cli/reconcile";
import { activeBlocks, addBatch, addRegistry, address, snapshot } from "./fixtures";

const ROOT = path.resolve(__dirname, "..", "..", "..");

function capture(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env } };
}

describe("carbon reconcile", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await addRegistry(db.pool);
    await addBatch(db.pool, { batchId: 1n, holders: [[address(1), 200n]] });
    await snapshot(db.pool, 1n, activeBlocks(200n));
  });
  after(async () => {
    await db?.drop();
  });

  it("clean: exit 0 and the JSON summary", async () => {
    const { out, io } = capture({ DATABASE_URL: db.url, LOG_LEVEL: "silent" });
    expect(await runReconcileCommand({ json: true }, io)).to.equal(EXIT_CLEAN);
    const summary = JSON.parse(out.join(""));
    expect(summary).to.include({ status: "clean", batches: 1, blocks: 2, total: 0 });
    expect(summary.discrepancies).to.deep.equal({
      ghost_credit: 0,
      shortfall: 0,
      pending_lag: 0,
      status_mismatch: 0,
      index_drift: 0,
    });
    expect(summary.runId).to.match(/^\d+$/);
    expect(summary.durationMs).to.be.a("number");
  });

  it("discrepancies: exit 2, as a real `carbon reconcile --json` process", async () => {
    await snapshot(db.pool, 1n, activeBlocks(150n));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(ROOT, "bin", "carbon.js"), "reconcile", "--json"],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "silent" }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).to.equal(EXIT_DISCREPANCIES);
    const summary = JSON.parse(result.stdout);
    expect(summary).to.include({ status: "discrepancies", total: 1 });
    expect(summary.discrepancies.shortfall).to.equal(1);
    expect(summary.found[0]).to.include({ class: "shortfall", batchId: "1", expected: "200", actual: "150" });
  });

  it("text output names each discrepancy", async () => {
    const { out, io } = capture({ DATABASE_URL: db.url, LOG_LEVEL: "silent" });
    expect(await runReconcileCommand({}, io)).to.equal(EXIT_DISCREPANCIES);
    expect(out.join("")).to.match(/shortfall batch 1 \(VERRA\): expected 200, actual 150/);
  });

  it("error: exit 1 with the reason when the database cannot be reached", async () => {
    const port = await freePort();
    const { out, err, io } = capture({ DATABASE_URL: `postgres://nobody:x@127.0.0.1:${port}/none`, LOG_LEVEL: "silent" });
    expect(await runReconcileCommand({ json: true }, io)).to.equal(EXIT_ERROR);
    expect(JSON.parse(out.join(""))).to.include({ status: "error" });
    expect(err.join("")).to.match(/reconcile failed/);
  });
});
