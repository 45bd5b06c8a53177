import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { serialCommand } from "../../../backend/src/cli/serial";
import { simulateCommand } from "../../../backend/src/cli/simulate";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");

function carbon(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, "bin", "carbon.js"), ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("cli: carbon serial parse", () => {
  it("prints the canonical fields as JSON with bigints as decimal strings, exit 0", () => {
    const run = carbon("serial", "parse", "19627-957450860-957469821-VCS-VCU-352-VER-CL-14-1175-04112003-03112004-1");
    expect(run.status, run.stderr).to.equal(0);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(json).to.include({
      registry: "VERRA", blockStart: "957450860", blockEnd: "957469821", quantity: "18962", projectId: "1175",
      country: "CL", vintageStart: "2003-11-04", vintageEnd: "2004-11-03", additionalCertification: true,
    });
  });

  it("prints the error naming the field and exits non-zero on a malformed serial", () => {
    const run = carbon("serial", "parse", "19902-1139690318-11399259O1-VCS-VCU-500-VER-US-3352-01012024-31122024-0");
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain("blockEnd").and.to.contain("11399259O1");
    expect(run.stdout).to.equal("");
  });
});

describe("cli: carbon simulate", () => {
  it("runs a simulator on the given port until SIGINT", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "carbon.js"), "simulate", "gold-standard", "--port", "0"], {
      cwd: ROOT,
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const found = /listening on (http:\/\/\S+)/.exec(out)?.[1];
          if (found !== undefined) resolve(found);
        });
        child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
      });
      const state = await fetch(`${url}/_admin/state`);
      expect(state.status).to.equal(200);
      const forbidden = await fetch(`${url}/credits`);
      expect(forbidden.status).to.equal(403); // no browser-like User-Agent
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

// In-process checks of the command wiring (each spawn costs seconds of ts-node start-up on a loaded machine).
describe("cli commands in process", () => {
  it("honours --registry for opaque I-REC certificate numbers", async () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await serialCommand().parseAsync(["parse", "IREC-0042-XYZ", "--registry", "irec"], { from: "user" });
    } finally {
      process.stdout.write = original;
    }
    expect(JSON.parse(written.join(""))).to.include({ registry: "IREC", serial: "IREC-0042-XYZ", unitType: "I-REC(E)" });
  });

  it("refuses an unknown simulator name", async () => {
    const error = await simulateCommand()
      .parseAsync(["nope", "--port", "0"], { from: "user" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as Error).message).to.contain("unknown registry nope");
  });
});
