import { expect } from "chai";
import type { Address } from "viem";
import { buildOrder, orderTypes, settlementDomain } from "../../../../backend/src/chain/orders";
import { createIndexer } from "../../../../backend/src/indexer";
import { createLogger } from "../../../../backend/src/logger";
import { createMetrics } from "../../../../backend/src/metrics";
import { TestPaymentToken__factory } from "../../../../typechain-types";
import { testChain, testPublicClient, useAutomine } from "../../../support/chain";
import { type TestPlatform, deployTestPlatform } from "../../support/platform";
import { domainApp } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

/**
 * End to end on the embedded node: a Hardhat (ethers) signer signs an order, the API accepts it (so viem's digest
 * in the API equals what ethers signed), a buyer fills it on Settlement, the indexer projects the fill, and the
 * API's book, trades and inventory show it.
 */
describe("api routes: orders against the chain and the indexer", function () {
  this.timeout(180_000);
  let platform: TestPlatform;
  let h: Harness;

  before(async () => {
    await testChain();
    await useAutomine();
    platform = await deployTestPlatform();
    const { chainId, settlement } = platform.deployment;
    h = await domainApp({ settlement: { chainId, address: settlement } });
  });
  after(async () => {
    await h?.close();
  });

  it("posts an ethers-signed order, sees a partial fill through the indexer, and the order's remaining amount", async () => {
    const { alice, bob, admin, core, deployment } = platform;
    const { batchId } = await platform.deposit(alice, 100n);
    const token = await new TestPaymentToken__factory(admin).deploy("Test USD", "TUSD");
    await token.waitForDeployment();
    const tokenAddress = (await token.getAddress()) as Address;
    await (await platform.settlement.settlement.connect(admin).setPaymentToken(tokenAddress, true)).wait();
    await (await token.mint(bob.address, 1_000_000n)).wait();
    await (await token.connect(bob).approve(deployment.settlement, 1_000_000n)).wait();
    await (await core.creditToken.connect(alice).setApprovalForAll(deployment.settlement, true)).wait();

    const indexer = createIndexer(
      { logger: createLogger({ level: "silent" }), metrics: createMetrics({ defaultMetrics: false }), db: { pool: h.db.pool } },
      { client: await testPublicClient(), deployment, confirmations: 0, name: "api-e2e" },
    );
    await indexer.syncToHead();

    const order = buildOrder({
      maker: alice.address as Address,
      batchId,
      amount: 60n,
      unitPrice: 7n,
      paymentToken: tokenAddress,
      maxFeeBps: Number((await platform.settlement.settlement.fee()).feeBps),
      expiry: BigInt(Math.floor(Date.now() / 1000) + 3600),
      counter: 0n,
    });
    const domain = settlementDomain({ chainId: deployment.chainId, verifyingContract: deployment.settlement });
    const signature = await alice.signTypedData(
      domain as Record<string, unknown>,
      { Order: orderTypes.Order.map((field) => ({ ...field })) },
      order,
    );
    const posted = await h.app.inject({
      method: "POST",
      url: "/orders",
      payload: {
        order: {
          maker: order.maker,
          batchId: order.batchId.toString(),
          amount: "60",
          unitPrice: "7",
          paymentToken: tokenAddress,
          maxFeeBps: order.maxFeeBps,
          expiry: order.expiry.toString(),
          salt: order.salt.toString(),
          counter: "0",
        },
        signature,
      },
    });
    expect(posted.statusCode, posted.body).to.equal(201);
    const orderHash = posted.json().orderHash as string;
    const settlement = platform.settlement.settlement;
    expect(orderHash).to.equal((await settlement.hashOrder(order)).toLowerCase());

    await (await settlement.connect(bob).fill(order, 25n, signature)).wait();
    await indexer.syncToHead();

    const book = (await h.app.inject({ method: "GET", url: `/batches/${batchId}/orders` })).json();
    expect(book.items).to.have.length(1);
    expect(book.items[0]).to.include({ orderHash, amount: "60", filled: "25", remaining: "35", status: "partially_filled" });
    const trades = (await h.app.inject({ method: "GET", url: `/trades?batchId=${batchId}` })).json();
    expect(trades.items[0]).to.include({
      orderHash,
      amount: "25",
      paymentAmount: "175",
      taker: bob.address,
      maker: alice.address,
    });
    const inventory = (await h.app.inject({ method: "GET", url: `/holders/${bob.address}/inventory` })).json();
    expect(inventory.items).to.deep.include({
      batchId: batchId.toString(),
      registryId: "VERRA",
      serialPrefix: inventory.items[0].serialPrefix,
      available: "25",
      escrowed: "0",
      pendingRetirement: "0",
      pendingWithdrawal: "0",
      retired: "0",
      withdrawn: "0",
    });
    const batch = (await h.app.inject({ method: "GET", url: `/batches/${batchId}` })).json();
    expect(batch.custody).to.include({ totalSupply: "100", available: "100" });
  });
});
