/**
 * The whole platform as `npm start` runs it (`bin/carbon.js start`), as a real child process on private ports and
 * a temporary data folder: for the end-to-end tests and the end-to-end benchmarks.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Address } from "viem";

const ROOT = path.resolve(__dirname, "..", "..");

export type PlatformProcess = {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output: () => string;
  exited: Promise<number | null>;
  api: string;
  rpc: string;
  dataDir: string;
  /** A contract address from the start-up summary (`settlement`, `paymentToken`, ...). */
  address(name: string): Address;
  /** The operator API key the summary printed. */
  operatorKey(): string;
  /** The embedded PostgreSQL database of the run (superuser), for assertions and fault injection. */
  databaseUrl(): string;
  /** Base URL of the platform's simulator of `registry` (its `/_admin` routes flip the knobs). */
  simulatorUrl(registry: "VERRA" | "GOLD_STANDARD" | "IREC" | "IN_CCTS"): string;
  /** Base URL of the platform's bank simulator (`POST /_admin/credits` books a buyer's transfer). */
  bankUrl(): string;
  /** PID of the embedded PostgreSQL server (postmaster). */
  postgresPid(): number;
  /** SIGKILL if still running, then remove the data folder. */
  stop(): Promise<void>;
};

/** Platforms started and not yet stopped, so that a failing test can show what they printed. */
const running = new Set<PlatformProcess>();

/** The tail of every running platform's output, for a failed test's report. */
export function runningPlatformOutput(chars = 8000): string {
  return [...running]
    .map((platform) => `--- platform on ${platform.api} (output tail) ---\n${platform.output().slice(-chars)}`)
    .join("\n");
}

/** Ports no other test process of this run picks (offset by pid), overridable by the caller. */
export function privatePorts(seed = process.pid) {
  const slot = seed % 50;
  // All below Linux's ephemeral range (32768-60999): a port there can be the local end of any outgoing connection
  // at the moment a server wants to bind it (CI once found 55032 taken that way).
  return { api: 3310 + slot, rpc: 8700 + slot, sim: 4300 + 4 * slot, bank: 4500 + slot, pg: 15400 + slot };
}

/** Polls `probe` until it yields a value (errors count as "not yet"). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A JSON answer as tests read it: the assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type JsonBody = any;

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<JsonBody> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * A platform killed with SIGKILL cannot stop its embedded PostgreSQL (the server is its own process group); the
 * next start would recover it, but a test removing the folder must stop it first (SIGINT: fast shutdown).
 */
async function stopOrphanedPostgres(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!Number.isInteger(pid) || pid <= 0 || !alive()) return;
  process.kill(pid, "SIGINT");
  await until("the orphaned PostgreSQL to stop", async () => (alive() ? undefined : true), 20_000, 100);
}

/** Starts the platform and resolves once it printed its summary; rejects with its output when it exits first. */
export async function startPlatformProcess(env: Record<string, string> = {}, ports = privatePorts()): Promise<PlatformProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "carbon-platform-"));
  fs.chmodSync(dataDir, 0o755); // as root, embedded PostgreSQL runs as the postgres user, which must enter it
  let output = "";
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "carbon.js"), "start"], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: "warn",
      DATA_DIR: dataDir,
      PORT: String(ports.api),
      RPC_PORT: String(ports.rpc),
      SIMULATOR_BASE_PORT: String(ports.sim),
      BANK_SIMULATOR_PORT: String(ports.bank),
      EMBEDDED_PG_PORT: String(ports.pg),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const started: { self?: PlatformProcess } = {}; // set once started
  const stop = async () => {
    if (started.self) running.delete(started.self);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    await stopOrphanedPostgres(path.join(dataDir, "pg"));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const outcome = await until(
    "the start-up summary",
    async () => {
      if (output.includes("Ctrl-C stops everything")) return "started";
      return child.exitCode === null ? undefined : "exited";
    },
    180_000,
  ).catch((error: unknown) => String(error));
  if (outcome !== "started") {
    await stop();
    throw new Error(`carbon start: ${outcome}\n--- its output ---\n${output}`);
  }
  const find = (pattern: RegExp, what: string) => {
    const found = output.match(pattern)?.[1];
    if (found === undefined) throw new Error(`the start-up summary has no ${what}`);
    return found;
  };
  const self: PlatformProcess = {
    child,
    output: () => output,
    exited,
    api: `http://127.0.0.1:${ports.api}`,
    rpc: `http://127.0.0.1:${ports.rpc}`,
    dataDir,
    address: (name) => find(new RegExp(`${name}\\s+(0x[0-9a-fA-F]{40})`), name) as Address,
    operatorKey: () => find(/X-Api-Key\): (ck_\S+)/, "operator key"),
    databaseUrl: () => {
      const password = fs.readFileSync(path.join(dataDir, "pg.password"), "utf8").trim();
      return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${ports.pg}/carbon`;
    },
    simulatorUrl: (registry) => `http://127.0.0.1:${ports.sim + ["VERRA", "GOLD_STANDARD", "IREC", "IN_CCTS"].indexOf(registry)}`,
    bankUrl: () => `http://127.0.0.1:${ports.bank}`,
    postgresPid: () => Number(fs.readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]),
    stop,
  };
  started.self = self;
  running.add(self);
  return self;
}

export type AuditReport = { verdict: string; checks: Array<{ id: string; ok: boolean }> };

/**
 * `carbon audit verify-certificate` against the platform's chain, as an auditor runs it. Asynchronous on purpose:
 * a spawnSync blocks this process's event loop for seconds, long enough for a server to close an idle keep-alive
 * socket that the next fetch then reuses ("other side closed").
 */
export async function verifyCertificate(platform: PlatformProcess, requestId: string): Promise<AuditReport> {
  const args = [
    path.join(ROOT, "bin", "carbon.js"),
    "audit",
    "verify-certificate",
    requestId,
    "--rpc",
    platform.rpc,
    "--bridge",
    platform.address("registryBridge"),
    "--json",
  ];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { cwd: ROOT, encoding: "utf8" }, (error, out, err) =>
      error ? reject(new Error(`carbon audit: ${error.message}\n${err}`)) : resolve(out),
    ),
  );
  return JSON.parse(stdout) as AuditReport;
}
