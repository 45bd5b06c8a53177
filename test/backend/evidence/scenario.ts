/**
 * A real retirement on the shared embedded chain, as the platform makes one: a deposit minted on a 2-of-3 oracle
 * quorum, a signed sell order stored through the API's order store and filled on Settlement by the buyer, the
 * buyer's retirement request, and the registry's confirmation relayed with a 2-of-3 quorum; the indexer projects it
 * all into a migrated database (batches, orders, fills, requests).
 */
import type { Address, Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { insertOrder } from "../../../backend/src/orders/store";
import { buildOrder, hashOrder, settlementDomain, signOrder } from "../../../backend/src/chain/orders";
import { createIndexer } from "../../../backend/src/indexer";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { TestPaymentToken__factory } from "../../../typechain-types";
import { testPublicClient } from "../../support/chain";
import type { TestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";

const MNEMONIC = "test test test test test test test test test test test junk";

export type RetirementScenario = {
  platform: TestPlatform;
  batchId: bigint;
  requestId: Hex;
  orderHash: Hex;
  syncIndex(): Promise<void>;
};

export async function retirementScenario(db: TestDatabase): Promise<RetirementScenario> {
  const platform = await deployTestPlatform();
  const { alice, bob, admin, core, settlement, deployment } = platform;
  const client = await testPublicClient();
  const indexer = createIndexer(
    { logger: createLogger({ level: "silent" }), metrics: createMetrics({ defaultMetrics: false }), db: { pool: db.pool } },
    { client, deployment: deployment, confirmations: 0, maxBlockRange: 50, pollIntervalMs: 50, name: `evidence-${Date.now()}` },
  );
  const syncIndex = async () => {
    await indexer.syncToHead();
  };
  const usd = await new TestPaymentToken__factory(admin).deploy("Test USD", "TUSD");
  await usd.waitForDeployment();
  const usdAddress = (await usd.getAddress()) as Address;
  await (await settlement.settlement.connect(admin).setPaymentToken(usdAddress, true)).wait();
  await (await usd.mint(bob.address, 1_000_000n)).wait();
  await (await usd.connect(bob).approve(deployment.settlement, 1_000_000n)).wait();
  const { batchId } = await platform.deposit(alice, 100n, `VCS-EVIDENCE-${Date.now() % 100000}`);
  await (await core.creditToken.connect(alice).setApprovalForAll(deployment.settlement, true)).wait();
  await syncIndex();

  const domain = settlementDomain({ chainId: deployment.chainId, verifyingContract: deployment.settlement });
  const order = buildOrder({
    maker: alice.address as Address,
    batchId,
    amount: 60n,
    unitPrice: 5n,
    paymentToken: usdAddress,
    maxFeeBps: Number((await settlement.settlement.fee()).feeBps),
    expiry: BigInt(Math.floor(Date.now() / 1000)) + 86_400n,
    counter: await settlement.settlement.counterOf(alice.address),
  });
  const signature = await signOrder({ signer: mnemonicToAccount(MNEMONIC, { addressIndex: 5 }), domain, order });
  const orderHash = hashOrder({ domain, order }).toLowerCase() as Hex;
  await insertOrder(db.pool, {
    orderHash,
    side: order.side,
    maker: order.maker.toLowerCase(),
    taker: order.taker.toLowerCase(),
    batchId: batchId.toString(),
    amount: order.amount.toString(),
    minFill: order.minFill.toString(),
    unitPrice: order.unitPrice.toString(),
    paymentToken: order.paymentToken.toLowerCase(),
    maxFeeBps: order.maxFeeBps,
    salt: order.salt.toString(),
    counter: order.counter.toString(),
    expiresAt: new Date(Number(order.expiry) * 1000),
    signature,
  });
  await (await settlement.settlement.connect(bob).fill(order, 30n, signature)).wait();
  const request = await platform.requestRetirement(bob, batchId, 20n);
  await platform.confirmRetirement(request, "EVIDENCE");
  await syncIndex();
  return { platform, batchId, requestId: request.requestId.toLowerCase() as Hex, orderHash, syncIndex };
}
