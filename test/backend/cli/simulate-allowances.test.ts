import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Starts `carbon simulate <name> --port 0` and resolves with its URL once it prints it. */
function simulate(name: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "carbon.js"), "simulate", name, "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[0-9.:]+)/.exec(output);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`carbon simulate ${name} exited with ${code}: ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

describe("carbon simulate uk-ets / citss (real processes)", function () {
  this.timeout(120_000);

  it("runs the UK ETS simulator, which opens accounts with valid check digits", async () => {
    const { child, url } = await simulate("uk-ets");
    try {
      const response = await fetch(`${url}/_admin/accounts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "TRADING_ACCOUNT", holderId: "H1" }) });
      expect(response.status).to.equal(201);
      expect(((await response.json()) as { accountIdentifier: string }).accountIdentifier).to.equal("UK-100-10000057-0-67");
    } finally {
      await stop(child);
    }
  });

  it("runs the CITSS simulator, which numbers entities CA1001 on", async () => {
    const { child, url } = await simulate("citss");
    try {
      const response = await fetch(`${url}/_admin/entities`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jurisdiction: "CA", name: "Cement", entityType: "COVERED_ENTITY" }) });
      expect(((await response.json()) as { id: string }).id).to.equal("CA1001");
    } finally {
      await stop(child);
    }
  });
});
