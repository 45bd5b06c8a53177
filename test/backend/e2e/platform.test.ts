import { expect } from "chai";
import { createPublicClient, createWalletClient, http } from "viem";
import { hardhat } from "viem/chains";
import { settlementAbi } from "../../../backend/src/chain/abi";
import { buildOrder, settlementDomain, signOrder } from "../../../backend/src/chain/orders";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../../backend/src/platform/devAccounts";
import { platformFeeBps } from "../../support/platformFlows";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until } from "../../support/platformProcess";

describe("e2e: the embedded platform as npm start runs it", function () {
  this.timeout(240_000);
  let platform: PlatformProcess;
  let api: string;
  let rpc: string;

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "250" });
    ({ api, rpc } = platform);
  });

  after(async () => {
    await platform?.stop();
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

  it("settles a signed order posted to the API and filled from another wallet, and shows the trade and the custody " +
    "history", async () => {
    const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
    const buyer = devAccount(DEV_ACCOUNT_INDEX.buyer);
    // npm start syncs the index before it prints; waiting still keeps a loaded machine from failing the test.
    const batch = await until("the demo batch in the index", async () => (await getJson(`${api}/batches`)).items[0], 30_000);
    expect(batch.custody.available).to.equal("10000");
    expect(batch.registryStatus).to.include({ paused: false, circuit: "closed" });
    const settlement = platform.address("settlement");
    const paymentToken = platform.address("paymentToken");
    const domain = settlementDomain({ chainId: hardhat.id, verifyingContract: settlement });

    const order = buildOrder({
      maker: seller.address,
      batchId: BigInt(batch.batchId),
      amount: 1_000n,
      unitPrice: 12_500_000n,
      paymentToken,
      maxFeeBps: await platformFeeBps(platform),
      expiry: BigInt(Math.floor(Date.now() / 1000) + 3600),
      counter: 0n,
    });
    const signature = await signOrder({ signer: seller, domain, order });
    const posted = await fetch(`${api}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        order: {
          ...order,
          side: "sell",
          batchId: String(order.batchId),
          amount: "1000",
          unitPrice: String(order.unitPrice),
          minFill: "0",
          expiry: String(order.expiry),
          salt: String(order.salt),
          counter: "0",
        },
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
      abi: settlementAbi,
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
    const key = platform.operatorKey();
    expect(key).to.match(/^ck_[A-Za-z0-9_-]{43}$/);
    const withKey = await fetch(`${api}/reconciliation/runs`, { headers: { "x-api-key": key } });
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

describe("e2e: the embedded chain process does not outlive the platform", function () {
  this.timeout(240_000);

  it("stops the chain child when the platform process is killed outright (SIGKILL), releasing its port", async () => {
    const platform = await startPlatformProcess({ BLOCK_TIME_MS: "1000" }, privatePorts(process.pid + 25));
    try {
      const head = await fetch(platform.rpc, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
      });
      expect(head.status).to.equal(200);
      platform.child.kill("SIGKILL");
      await platform.exited;
      // The child sees its IPC channel close and exits; nothing answers on the RPC port afterwards.
      await until(
        "the chain port to close",
        async () => ((await fetch(platform.rpc, { method: "POST" }).then(() => true, () => false)) ? undefined : true),
        20_000,
      );
    } finally {
      await platform.stop();
    }
  });
});
