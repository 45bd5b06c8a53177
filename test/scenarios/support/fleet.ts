/**
 * The registry-side processes of a platform started with `EMBEDDED_SERVICES=none`, each a real `carbon` process
 * (`carbon worker`, `carbon oracle --key-file`, `carbon aggregator`) joining it through DATABASE_URL, RPC_URL and
 * DEPLOYMENT_FILE, which a test kills with SIGKILL and starts again (scenario 4).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DEV_ACCOUNT_INDEX, devPrivateKey } from "../../../backend/src/platform/devAccounts";
import type { PlatformProcess } from "../../backend/support/platformProcess";

const CARBON = path.resolve(__dirname, "..", "..", "..", "bin", "carbon.js");

export type Member = { name: string; kind: "worker" | "oracle" | "aggregator"; args: string[]; env: Record<string, string> };

export type Fleet = {
  members: readonly Member[];
  start(name: string): void;
  /** SIGKILL, resolved once the process is gone. */
  kill(name: string): Promise<void>;
  running(name: string): boolean;
  /** The last output of every member (its warnings and errors), for a failure report. */
  output(): string;
  /** SIGKILL every member. */
  stop(): Promise<void>;
};

/**
 * Two workers sharing the registry limit, the three embedded oracle operators' nodes (development keys #1-#3, each
 * in a mode-600 key file) and the aggregator (relayer #8), on `platform`'s database, chain and Verra simulator.
 */
export function registryFleet(platform: PlatformProcess, limits: { ratePerSec: number; burst: number }): Fleet {
  const env = {
    LOG_LEVEL: "warn",
    DATABASE_URL: platform.databaseUrl(),
    RPC_URL: platform.rpc,
    DEPLOYMENT_FILE: path.join(platform.dataDir, "deployment.json"),
    // Verra only: the scenario's work is there (the other simulators want their credentials from a process that
    // names their URLs, which the platform's own embedded simulators keep to themselves).
    VERRA_API_URL: platform.simulatorUrl("VERRA"),
  };
  const keyFile = (index: number) => {
    const file = path.join(platform.dataDir, `oracle-${index}.key`);
    fs.writeFileSync(file, devPrivateKey(index), { mode: 0o600 });
    return file;
  };
  const limitArgs = ["--rate-limit", String(limits.ratePerSec), "--burst", String(limits.burst)];
  const members: Member[] = [
    { name: "worker-a", kind: "worker", args: ["worker", ...limitArgs], env: { ...env, GUARDIAN_KEY: devPrivateKey(DEV_ACCOUNT_INDEX.guardian) } },
    { name: "worker-b", kind: "worker", args: ["worker", ...limitArgs], env: { ...env, GUARDIAN_KEY: devPrivateKey(DEV_ACCOUNT_INDEX.guardian) } },
    ...DEV_ACCOUNT_INDEX.oracles.map((index, i): Member => ({ name: `oracle-${i + 1}`, kind: "oracle", args: ["oracle", "--key-file", keyFile(index), "--poll-ms", "1000"], env })),
    { name: "aggregator", kind: "aggregator", args: ["aggregator", "--window-ms", "250"], env: { ...env, RELAYER_KEY: devPrivateKey(DEV_ACCOUNT_INDEX.relayer) } },
  ];
  const children = new Map<string, { child: ChildProcess; exited: Promise<void> }>();
  const outputs = new Map<string, string>();
  const member = (name: string) => {
    const found = members.find((m) => m.name === name);
    if (found === undefined) throw new Error(`no fleet member ${name}`);
    return found;
  };
  const running = (name: string) => {
    const entry = children.get(name);
    return entry !== undefined && entry.child.exitCode === null && entry.child.signalCode === null;
  };
  const kill = async (name: string) => {
    const entry = children.get(name);
    if (entry === undefined || !running(name)) return;
    entry.child.kill("SIGKILL");
    await entry.exited;
  };
  return {
    members,
    running,
    kill,
    start(name) {
      if (running(name)) return;
      const m = member(name);
      const child = spawn(process.execPath, [CARBON, ...m.args], { env: { ...process.env, ...m.env }, stdio: ["ignore", "pipe", "pipe"] });
      const keep = (chunk: Buffer) => outputs.set(name, ((outputs.get(name) ?? "") + chunk.toString()).slice(-4000));
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      children.set(name, { child, exited: new Promise((resolve) => child.once("exit", () => resolve())) });
    },
    output: () => [...outputs.entries()].map(([name, text]) => `--- ${name} ---\n${text}`).join("\n"),
    async stop() {
      await Promise.all(members.map((m) => kill(m.name)));
    },
  };
}

/** A small seeded generator (mulberry32), so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
