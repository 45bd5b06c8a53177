import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client, Pool } from "pg";
import { migrate } from "../../backend/src/db";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../backend/src/db/embedded";
import { createLogger } from "../../backend/src/logger";

/**
 * One PostgreSQL for the whole backend suite: `DATABASE_URL` when set (its database is used only to create and
 * drop per-file databases), otherwise an embedded server in a temp folder, started on first use and stopped by
 * the root hook in `hooks.ts`. Each test file that needs a database calls `createTestDatabase()` and gets a
 * fresh, empty one.
 */

type Cluster = { adminUrl(database?: string): string; stop(): Promise<void> };

let cluster: Promise<Cluster> | undefined;
const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** A temp folder the `postgres` user can traverse (mkdtemp makes 0700 folders, and we may run as root). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

const TEMP_PREFIX = "carbon-test-pg-";

/**
 * Removes test clusters left by runs killed with -9: older than ten minutes and with no live server. (A younger
 * folder may belong to a run starting right now in another terminal.)
 */
function removeAbandonedClusters(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs < 10 * 60_000) continue;
      const pidFile = path.join(dir, "pg", "postmaster.pid");
      const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]) : undefined;
      if (pid !== undefined && isAlive(pid)) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run is removing it, or it is not ours to read: leave it
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startCluster(): Promise<Cluster> {
  const external = process.env.DATABASE_URL;
  if (external !== undefined && external !== "") {
    return {
      adminUrl(database) {
        const url = new URL(external);
        if (database !== undefined) url.pathname = `/${database}`;
        return url.toString();
      },
      stop: async () => undefined,
    };
  }
  removeAbandonedClusters();
  const base = tempDir(TEMP_PREFIX);
  // Interrupted run (Ctrl-C, uncaught error): the server's own exit hook asks it to stop; the folder goes here.
  const removeFolder = () => fs.rmSync(base, { recursive: true, force: true });
  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({ dir: path.join(base, "pg"), port: await freePort(), logger, fast: true });
  } catch (error) {
    removeFolder();
    throw error;
  }
  process.on("exit", removeFolder);
  return {
    adminUrl: (database) => server.url(database),
    async stop() {
      await server.stop();
      process.off("exit", removeFolder);
      removeFolder();
    },
  };
}

export function testCluster(): Promise<Cluster> {
  cluster ??= startCluster();
  return cluster;
}

/** Stops the shared server if this run started one. Called once by the root `afterAll` hook. */
export async function stopTestCluster(): Promise<void> {
  if (cluster === undefined) return;
  const started = cluster;
  cluster = undefined;
  await (await started).stop();
}

export type TestDatabase = { url: string; pool: Pool; drop(): Promise<void> };

export type CreateTestDatabaseParameters = {
  /** Apply the backend's migrations before returning (default false: an empty database). */
  migrate?: boolean;
};

/** Creates a fresh empty database on the shared server; `drop()` closes the pool and drops it. */
export async function createTestDatabase(parameters: CreateTestDatabaseParameters = {}): Promise<TestDatabase> {
  const server = await testCluster();
  const name = `test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: server.adminUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = server.adminUrl(name);
  const pool = new Pool({ connectionString: url, max: 4 });
  const database: TestDatabase = {
    url,
    pool,
    async drop() {
      await pool.end();
      const client = new Client({ connectionString: server.adminUrl() });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
  if (parameters.migrate === true) {
    try {
      await migrate({ url, logger });
    } catch (error) {
      await database.drop();
      throw error;
    }
  }
  return database;
}
