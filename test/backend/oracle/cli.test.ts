import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { generatePrivateKey } from "viem/accounts";
import { readKeyFile, runAggregator, runOracleNode } from "../../../backend/src/cli/oracle";

describe("carbon oracle / carbon aggregator: key file and configuration checks", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oracle-cli-"));
  const key = generatePrivateKey();
  const keyFile = (name: string, content: string, mode: number) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
    return file;
  };
  const failure = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("expected a failure");
  };
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads a 0x key from an owner-only file and refuses group/world-accessible ones without echoing the key", () => {
    expect(readKeyFile(keyFile("ok.key", `${key}\n`, 0o600))).to.equal(key);
    for (const mode of [0o640, 0o604, 0o660]) {
      const file = keyFile(`open-${mode.toString(8)}.key`, key, mode);
      expect(() => readKeyFile(file)).to.throw(
        `is accessible by group or others (mode ${mode.toString(8)}); run: chmod 600 ${file}`,
      );
    }
    const bad = keyFile("bad.key", "not-a-key", 0o600);
    expect(() => readKeyFile(bad)).to.throw("must hold 0x followed by 64 hex digits");
    expect(() => readKeyFile(path.join(dir, "missing.key"))).to.throw("cannot read key file");
    try {
      readKeyFile(keyFile("open.key", key, 0o644));
    } catch (error) {
      expect((error as Error).message).not.to.contain(key.slice(2));
    }
  });

  it("names the missing configuration: DATABASE_URL, RPC_URL, DEPLOYMENT_FILE for both; RELAYER_KEY for the " +
    "aggregator", async () => {
    const file = keyFile("node.key", key, 0o600);
    expect(await failure(() => runOracleNode({ keyFile: file, pollMs: 1000, reserveIntervalMs: 0 }, {}))).to.equal(
      "DATABASE_URL: set DATABASE_URL, RPC_URL, DEPLOYMENT_FILE (an oracle process joins a running platform)",
    );
    const deploymentFile = path.join(dir, "deployment.json");
    const zero = `0x${"00".repeat(20)}`;
    fs.writeFileSync(
      deploymentFile,
      JSON.stringify({
        chainId: 31337,
        creditToken: zero,
        identityRegistry: zero,
        registryBridge: zero,
        settlement: zero,
        startBlock: 0,
      }),
    );
    const env = { DATABASE_URL: "postgres://u:p@127.0.0.1:1/x", RPC_URL: "http://127.0.0.1:1", DEPLOYMENT_FILE: deploymentFile };
    expect(await failure(() => runOracleNode({ keyFile: file, pollMs: 1000, reserveIntervalMs: 0 }, env))).to.contain(
      "set at least one registry URL",
    );
    expect(await failure(() => runAggregator({ windowMs: 100 }, env))).to.contain("set RELAYER_KEY");
  });
});
