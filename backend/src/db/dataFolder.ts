import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../logger";
import { DatabaseStartError } from "./errors";

/**
 * Inspection and repair of an embedded PostgreSQL data folder left by an earlier run. The policy: reuse an
 * initialised folder, clear a lock file whose server is gone, stop our own orphaned server, and refuse (with a
 * message saying what to do) anything else. A folder is never deleted; at most an incomplete one is renamed.
 */

export type FolderState = "missing" | "empty" | "initialised" | "incomplete";

export function inspectDataFolder(dir: string): FolderState {
  if (!fs.existsSync(dir)) return "missing";
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return "empty";
  const initialised = ["PG_VERSION", "postgresql.conf", path.join("global", "pg_control")].every((file) =>
    fs.existsSync(path.join(dir, file)),
  );
  return initialised ? "initialised" : "incomplete";
}

/** Refuses a folder from another PostgreSQL major version instead of letting the server fail obscurely. */
export function checkMajorVersion(dir: string, expectedMajor: string): void {
  const found = fs.readFileSync(path.join(dir, "PG_VERSION"), "utf8").trim();
  if (found !== expectedMajor) {
    throw new DatabaseStartError(
      `The data folder ${dir} belongs to PostgreSQL ${found}, but the embedded server is ${expectedMajor}. ` +
        "Upgrade it with pg_upgrade, point DATABASE_URL at a server, or choose another DATA_DIR.",
    );
  }
}

/**
 * A folder with files but no complete cluster is what an interrupted `initdb` leaves. It holds no data worth
 * keeping, but it is moved aside (not deleted) so nothing disappears silently.
 */
export function moveAside(dir: string, logger: Logger): string {
  const target = `${dir}.incomplete-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  fs.renameSync(dir, target);
  logger.warn({ dir, movedTo: target }, "embedded postgres: incomplete data folder moved aside");
  return target;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

/** Parent pid from `/proc/<pid>/stat` (field 4; the command name in field 2 may contain spaces). */
function parentPid(pid: number): number | undefined {
  const stat = readProc(pid, "stat");
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[1] === undefined ? undefined : Number(fields[1]);
}

/** True when `pid` is a postgres server whose data directory is `dir`. */
function isPostgresOn(pid: number, dir: string): boolean {
  const cmdline = readProc(pid, "cmdline");
  if (cmdline !== undefined) {
    const args = cmdline.split("\0");
    return path.basename(args[0] ?? "") === "postgres" && args.includes(path.resolve(dir));
  }
  // No /proc (macOS): ask ps; an unknown answer is treated as "not ours", which only leads to a clear error.
  try {
    const command = execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
    return command.includes("postgres") && command.includes(path.resolve(dir));
  } catch {
    return false;
  }
}

/** The file recording which process started the server on `dir`. */
export function ownerFile(dir: string): string {
  return `${path.resolve(dir)}.owner`;
}

function readOwner(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(ownerFile(dir), "utf8"), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/**
 * Deals with `postmaster.pid` before a start:
 * - its pid is dead, or alive but not a postgres on this folder (pid reused after a reboot or in a container):
 *   the file is stale and removed (postgres itself would refuse to start while the pid is alive);
 * - its pid is a postgres on this folder whose parent is gone (our process was killed with -9 and the server
 *   survived it): the orphan is stopped with SIGINT (fast shutdown: clean, no data loss) and we start afresh;
 * - its pid is a postgres on this folder with a live parent: another process is using it; we refuse.
 */
export async function clearStaleLock(dir: string, logger: Logger): Promise<void> {
  const lockFile = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(lockFile)) return;
  const pid = Number.parseInt(fs.readFileSync(lockFile, "utf8").split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgresOn(pid, dir)) {
    fs.rmSync(lockFile, { force: true });
    logger.warn({ dir, pid }, "embedded postgres: removed stale postmaster.pid from an interrupted run");
    return;
  }
  // The starter's pid is recorded beside the folder: if the server's parent is no longer that process, the
  // starter died and the server was re-parented (to init or a subreaper), so nobody will ever stop it.
  const parent = parentPid(pid);
  const owner = readOwner(dir);
  const orphaned =
    parent === undefined || parent === 1 || !isAlive(parent) || (owner !== undefined && owner !== parent);
  if (!orphaned) {
    throw new DatabaseStartError(
      `PostgreSQL (pid ${pid}, started by pid ${parent}) is already running on ${dir}. ` +
        "Stop that process, or use another DATA_DIR or a DATABASE_URL.",
      { details: { pid, parent } },
    );
  }
  logger.warn({ dir, pid }, "embedded postgres: stopping an orphaned server left by an interrupted run");
  process.kill(pid, "SIGINT");
  if (!(await waitForExit(pid, 30_000))) {
    throw new DatabaseStartError(`The orphaned PostgreSQL (pid ${pid}) on ${dir} did not stop within 30 s.`);
  }
}
