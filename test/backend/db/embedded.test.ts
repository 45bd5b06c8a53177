import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { type Database, DatabaseStartError, startDatabase } from "../../../backend/src/db";
import { createLogger } from "../../../backend/src/logger";
import { freePort, isAlive, tempDir } from "../../support/database";
import { until } from "../../support/platformProcess";

const logger = createLogger({ level: "silent" });

async function waitDead(pid: number): Promise<void> {
  for (let i = 0; i < 100 && isAlive(pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** Starts embedded PostgreSQL on `dir` in a child process, which is then killed with -9. Returns the server pid. */
async function startInChildAndKillIt(dataDir: string, port: number): Promise<number> {
  const script = `
    const { startDatabase } = require("./backend/src/db");
    const { createLogger } = require("./backend/src/logger");
    startDatabase({ dataDir: ${JSON.stringify(dataDir)}, database: { url: undefined, embeddedPort: ${port} } },
      createLogger({ level: "silent" }), { fast: true }).then(() => console.log("ready"));`;
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: path.resolve(__dirname, "../../.."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return Number(fs.readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
}

describe("db: embedded PostgreSQL", () => {
  let base: string;
  let port: number;
  let db: Database | undefined;
  const config = () => ({ dataDir: base, database: { url: undefined, embeddedPort: port } });
  const start = () => startDatabase(config(), logger, { fast: true });
  const pgDir = () => path.join(base, "pg");
  const serverPid = () => Number(fs.readFileSync(path.join(pgDir(), "postmaster.pid"), "utf8").split("\n")[0]);

  let root: string;

  before(async () => {
    root = tempDir("carbon-embedded-test-");
    base = path.join(root, "deep", ".data"); // DATA_DIR does not exist yet
    port = await freePort();
  });
  afterEach(async () => {
    await db?.stop();
    db = undefined;
  });
  after(() => {
    const pidFile = path.join(pgDir(), "postmaster.pid");
    if (fs.existsSync(pidFile)) {
      const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
      if (isAlive(pid)) process.kill(pid, "SIGQUIT");
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("creates a missing DATA_DIR, initialises a cluster under <DATA_DIR>/pg and creates the carbon database", async () => {
    db = await start();
    expect(db.embedded).to.equal(true);
    expect(db.url).to.match(/\/carbon$/);
    await db.pool.query("create table kept (value text); insert into kept values ('survives restarts')");
    expect(fs.existsSync(path.join(pgDir(), "PG_VERSION"))).to.equal(true);
  });

  it("reuses the initialised cluster on the next start, data intact", async () => {
    db = await start();
    const { rows } = await db.pool.query("select value from kept");
    expect(rows).to.deep.equal([{ value: "survives restarts" }]);
  });

  it("restarts a server killed with -9 under it: same port, data intact, the pool reconnects", async () => {
    db = await start();
    const before = serverPid();
    process.kill(before, "SIGKILL");
    await waitDead(before);
    const after = await until(
      "the restarted server",
      async () => {
        const pid = serverPid(); // throws (not yet) while postmaster.pid is missing
        return pid !== before && isAlive(pid) ? pid : undefined;
      },
      10_000,
      50,
    );
    expect(after).to.not.equal(before);
    const rows = await until(
      "the pool reconnected (recovery done)",
      async () => (await db!.pool.query("select value from kept")).rows,
      10_000,
      100,
    );
    expect(rows).to.deep.equal([{ value: "survives restarts" }]);
    // stop() stops the restarted server, and nothing restarts it again.
    await db.stop();
    db = undefined;
    await waitDead(after);
    expect(isAlive(after)).to.equal(false);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(fs.existsSync(path.join(pgDir(), "postmaster.pid"))).to.equal(false);
  });

  it("removes a planted postmaster.pid whose pid is dead or is not a postgres on this folder", async () => {
    for (const pid of [4_194_000, process.pid]) {
      fs.writeFileSync(path.join(pgDir(), "postmaster.pid"), `${pid}\n${pgDir()}\n0\n${port}\n\n127.0.0.1\n0 0\nready\n`);
      db = await start();
      expect((await db.pool.query("select value from kept")).rows).to.have.length(1);
      await db.stop();
      db = undefined;
    }
  });

  it("stops a server orphaned by a starter killed with -9, then starts afresh", async () => {
    const orphan = await startInChildAndKillIt(base, port);
    expect(isAlive(orphan)).to.equal(true);
    db = await start();
    expect(isAlive(orphan)).to.equal(false);
    expect((await db.pool.query("select value from kept")).rows).to.have.length(1);
  });

  it("refuses, with a clear message, a folder in use by a live process", async () => {
    db = await start();
    const error = await rejection(start());
    expect(error).to.be.instanceOf(DatabaseStartError);
    expect(error.message).to.match(/already running on .*pg/);
  });

  it("names the port when it is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const error = await rejection(start());
      expect(error).to.be.instanceOf(DatabaseStartError);
      expect(error.message).to.contain(`port ${port}`);
      expect(error.message).to.contain("EMBEDDED_PG_PORT");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("refuses a cluster whose password file is missing, leaving the folder untouched", async () => {
    fs.renameSync(`${pgDir()}.password`, `${pgDir()}.password.bak`);
    try {
      const error = await rejection(start());
      expect(error.message).to.contain("password file");
      expect(fs.existsSync(path.join(pgDir(), "PG_VERSION"))).to.equal(true);
    } finally {
      fs.renameSync(`${pgDir()}.password.bak`, `${pgDir()}.password`);
    }
  });

  it("moves an incomplete folder (interrupted initdb) aside instead of deleting it", async () => {
    const other = tempDir("carbon-incomplete-test-");
    try {
      fs.mkdirSync(path.join(other, "pg"));
      fs.writeFileSync(path.join(other, "pg", "PG_VERSION"), "17\n");
      db = await startDatabase({ dataDir: other, database: { url: undefined, embeddedPort: port } }, logger, {
        fast: true,
      });
      const aside = fs.readdirSync(other).find((name) => name.startsWith("pg.incomplete-"));
      expect(aside).to.be.a("string");
      expect(fs.existsSync(path.join(other, aside ?? "", "PG_VERSION"))).to.equal(true);
      await db.stop();
      db = undefined;
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
