import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Address, createPublicClient, createWalletClient, http } from "viem";
import { hardhat } from "viem/chains";
import { loadAbi } from "../../../backend/src/chain/artifacts";
import { buildOrder, settlementDomain, signOrder } from "../../../backend/src/chain/orders";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../../backend/src/platform/embeddedChain";

const ROOT = path.resolve(__dirname, "..", "..", "..");

type Started = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Starts `carbon start` exactly as `npm start` does, on private ports and a temporary data folder. */
function startPlatformProcess(env: Record<string, string>): Started {
  let output = "";
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "carbon.js"), "start"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

describe("e2e: the embedded platform as npm start runs it", function () {
  this.timeout(240_000);
  const ports = { api: 3310 + (process.pid % 50), rpc: 8700 + (process.pid % 50), sim: 4300 + 4 * (process.pid % 50), pg: 55000 + (process.pid % 50) };
  const api = `http://127.0.0.1:${ports.api}`;
  const rpc = `http://127.0.0.1:${ports.rpc}`;
  let dataDir: string;
  let platform: Started;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "carbon-e2e-"));
    fs.chmodSync(dataDir, 0o755); // as root, embedded PostgreSQL runs as the postgres user, which must enter it
    platform = startPlatformProcess({
      DATA_DIR: dataDir,
      PORT: String(ports.api),
      RPC_PORT: String(ports.rpc),
      SIMULATOR_BASE_PORT: String(ports.sim),
      EMBEDDED_PG_PORT: String(ports.pg),
      BLOCK_TIME_MS: "250",
    });
    const outcome = await until(
      "the start-up summary",
      async () => {
        if (platform.output().includes("Ctrl-C stops everything")) return "started";
        return platform.child.exitCode === null ? undefined : "exited";
      },
      180_000,
    ).catch((error: unknown) => String(error));
    if (outcome !== "started") throw new Error(`carbon start: ${outcome}\n--- its output ---\n${platform.output()}`);
  });

  after(async () => {
    if (platform?.child.exitCode === null) platform.child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("is ready, with every check passing", async () => {
    const ready = await getJson(`${api}/health/ready`);
    expect(ready.status).to.equal("ready");
    expect(ready.failing).to.deep.equal([]);
    expect(ready.checks.map((check: { name: string }) => check.name)).to.include.members([
      "database",
      "chain_head_age",
      "indexer_lag",
      "registry_circuits",
    ]);
  });

  it("settles a signed order posted to the API and filled from another wallet, and shows the trade and the custody history", async () => {
    const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
    const buyer = devAccount(DEV_ACCOUNT_INDEX.buyer);
    // npm start syncs the index before it prints; waiting still keeps a loaded machine from failing the test.
    const batch = await until(
      "the demo batch in the index",
      async () => (await getJson(`${api}/batches`)).items[0],
      30_000,
    );
    expect(batch.custody.available).to.equal("10000");
    expect(batch.registryStatus).to.include({ paused: false, circuit: "closed" });
    const summary = platform.output();
    const address = (name: string) => (summary.match(new RegExp(`${name}\\s+(0x[0-9a-fA-F]{40})`)) ?? [])[1] as Address;
    const settlement = address("settlement");
    const paymentToken = address("paymentToken");
    const domain = settlementDomain({ chainId: hardhat.id, verifyingContract: settlement });

    const order = buildOrder({
      maker: seller.address,
      batchId: BigInt(batch.batchId),
      amount: 1_000n,
      unitPrice: 12_500_000n,
      paymentToken,
      expiry: BigInt(Math.floor(Date.now() / 1000) + 3600),
      counter: 0n,
    });
    const signature = await signOrder({ signer: seller, domain, order });
    const posted = await fetch(`${api}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        order: { ...order, side: "sell", batchId: String(order.batchId), amount: "1000", unitPrice: String(order.unitPrice), minFill: "0", expiry: String(order.expiry), salt: String(order.salt), counter: "0" },
        signature,
      }),
    });
    expect(posted.status, await posted.clone().text()).to.equal(201);
    const book = await getJson(`${api}/batches/${batch.batchId}/orders`);
    expect(book.items.map((o: { remaining: string }) => o.remaining)).to.deep.equal(["1000"]);

    const wallet = createWalletClient({ account: buyer, chain: hardhat, transport: http(rpc) });
    const client = createPublicClient({ chain: hardhat, transport: http(rpc) });
    const hash = await wallet.writeContract({
      address: settlement,
      abi: loadAbi("Settlement"),
      functionName: "fill",
      args: [order, 400n, signature],
    });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 100 });
    expect(receipt.status).to.equal("success");

    const trades = await until(
      "the indexed trade",
      async () => {
        const page = await getJson(`${api}/trades?batchId=${batch.batchId}`);
        return page.items.length > 0 ? page.items : undefined;
      },
      30_000,
    );
    expect(trades).to.have.length(1);
    expect(trades[0].amount).to.equal("400");
    const history = await getJson(`${api}/batches/${batch.batchId}/history?limit=100`);
    const transfers = history.items.filter((e: { event: string }) => e.event === "TransferSingle");
    const last = transfers[transfers.length - 1];
    expect(last.txHash).to.equal(hash);
    expect(last.args.from).to.equal(seller.address.toLowerCase());
    expect(last.args.to).to.equal(buyer.address.toLowerCase());
    expect(last.args.value).to.equal("400");
    const after = await getJson(`${api}/batches/${batch.batchId}`);
    expect(after.custody.totalSupply).to.equal("10000");
    const remaining = await getJson(`${api}/batches/${batch.batchId}/orders`);
    expect(remaining.items.map((o: { remaining: string }) => o.remaining)).to.deep.equal(["600"]);
  });

  it("prints an operator API key that opens the operator routes, which refuse a request without it", async () => {
    const key = (platform.output().match(/Operator API key .*: (ck_[A-Za-z0-9_-]{43})/) ?? [])[1];
    expect(key, "operator key in the start-up summary").to.be.a("string");
    const withKey = await fetch(`${api}/reconciliation/runs`, { headers: { "x-api-key": key as string } });
    expect(withKey.status).to.equal(200);
    const without = await fetch(`${api}/reconciliation/runs`);
    expect(without.status).to.equal(401);
  });

  it("shuts down cleanly on Ctrl-C (SIGINT) and releases every port", async () => {
    platform.child.kill("SIGINT");
    expect(await platform.exited).to.equal(0);
    for (const url of [`${api}/health/live`, rpc]) {
      const reachable = await fetch(url, { method: "POST" }).then(() => true, () => false);
      expect(reachable, url).to.equal(false);
    }
  });
});
