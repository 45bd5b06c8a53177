/** Helpers of the evidence tests: the `carbon` CLI as a child process, re-zipping a package with one byte changed. */
import { execFile } from "node:child_process";
import path from "node:path";
import { buildZip } from "../../../backend/src/evidence/zip";
import { verifierModules } from "../../../backend/src/evidence/verifier";

export const REPO = path.resolve(__dirname, "..", "..", "..");

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs a command asynchronously (the chain it talks to is served by this process). */
export function runNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd ?? REPO, env: options.env ?? process.env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export const runCli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  runNode([path.join(REPO, "bin", "carbon.js"), ...args], { env });

/** The package's entries (name -> bytes). */
export function entriesOf(zip: Uint8Array): Map<string, Uint8Array> {
  return new Map(verifierModules().unzip.readZip(zip).map((e) => [e.name, e.data]));
}

/** The same package with byte `at` (default: the middle) of entry `name` XOR-ed with 0x01, re-zipped like the builder does. */
export async function withFlippedByte(zip: Uint8Array, name: string, at?: number): Promise<Buffer> {
  const entries = [...entriesOf(zip)].map(([entryName, data]) => {
    if (entryName !== name) return { name: entryName, data };
    const copy = new Uint8Array(data);
    // `at` below 1 is a fraction of the file's length; absent, its middle.
    const i = at === undefined ? Math.floor(copy.length / 2) : at < 1 ? Math.floor(copy.length * at) : at;
    copy[i] = (copy[i] ?? 0) ^ 0x01;
    return { name: entryName, data: copy };
  });
  if (!entries.some((e) => e.name === name)) throw new Error(`no entry ${name} in the package`);
  return buildZip(entries);
}
