import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { ensurePortsFree, PortInUseError } from "../../../backend/src/net/ports";
import { freePort, tempDir } from "../support/database";

const ROOT = path.resolve(__dirname, "..", "..", "..");

function carbon(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const options = { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 };
    execFile(process.execPath, [path.join(ROOT, "bin", "carbon.js"), ...args], options, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

async function occupy(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("front door: ports already in use", function () {
  this.timeout(180_000);

  it("ensurePortsFree names every taken port with the variable that moves it", async () => {
    const taken = await occupy();
    const free = await freePort();
    try {
      const error = await ensurePortsFree([
        { port: free, variable: "RPC_PORT", what: "the chain" },
        { port: taken.port, variable: "PORT", what: "the API" },
      ]).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(PortInUseError);
      const message = (error as Error).message;
      expect(message).to.include(`port ${taken.port}`).and.to.include("set PORT to a free port");
      expect(message).to.not.include("RPC_PORT");
    } finally {
      await taken.close();
    }
  });

  it("`carbon start` with the API port taken exits 1 naming the port and PORT, with no stack trace", async () => {
    const taken = await occupy();
    try {
      const env = {
        PORT: String(taken.port),
        RPC_PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(await freePort()),
        SIMULATOR_BASE_PORT: String(15_100 + (process.pid % 200) * 6),
        BANK_SIMULATOR_PORT: String(await freePort()),
        DATA_DIR: tempDir("carbon-front-door-"),
        LOG_LEVEL: "silent",
      };
      const result = await carbon(["start"], env);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include(`port ${taken.port} on 127.0.0.1 (PORT, the API) is already in use`);
      expect(result.stderr).to.include("set PORT to a free port");
      expect(result.stderr).to.not.match(/\n\s+at /);
      expect(result.stdout).to.not.include("platform is running");
    } finally {
      await taken.close();
    }
  });
});
