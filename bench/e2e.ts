/**
 * End-to-end trading throughput (`npm run bench:e2e`) on the platform as `npm start` runs it (its own process:
 * embedded chain with 1 s interval mining, PostgreSQL, indexer, API): BENCH_TRADES signed sell orders are posted
 * to the API, two buyer wallets settle them on chain with `Settlement.fillBatch` as they are accepted, and the
 * clock stops when the API shows every trade in the buyers' inventories. BENCHMARKS.md target: >= 500 trades/s.
 *
 * Each phase is timed on the same clock, so the report says where the time goes: `postSeconds` (API accepting
 * every order: signature recovery, checks, insert), `settledSeconds` (last fill mined), `visibleSeconds` (the index
 * shows all, the end-to-end figure `tradesPerSec` is computed from).
 *
 * Then retirements through the registry (`retirements`, `retirementsPerSec`): BENCH_RETIREMENTS requests from the
 * seller's wallet, pipelined, each retired at the Verra simulator by the workers and burned on the oracles' 2-of-3
 * quorum; the clock stops when the API shows them all retired. `confirmBlocks` per request counts the blocks from
 * the registry's confirmation (the simulator's `confirmedAt`, against the chain head sampled every 100 ms) to the
 * burn: a burn in the next block counts 1. BENCHMARKS.md target: p99 <= 2 blocks.
 *
 * Writes bench/results/e2e.json. Env: BENCH_TRADES (default 2000), BENCH_FILLS_PER_TX (default 150),
 * BENCH_RETIREMENTS (default 100).
 */
import fs from "node:fs";
import path from "node:path";
import {
  type Address,
  type Hex,
  type PublicClient,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
} from "viem";
import { mnemonicToAccount, nonceManager } from "viem/accounts";
import { hardhat } from "viem/chains";
import { settlementAbi } from "../backend/src/chain/abi";
import { requestIdOf } from "../backend/src/chain/attestations";
import { type Order, buildOrder, settlementDomain, signOrder } from "../backend/src/chain/orders";
import { DEV_ACCOUNT_INDEX, DEV_MNEMONIC, devAccount } from "../backend/src/platform/devAccounts";
import { platformFeeBps } from "../test/support/platformFlows";
import { type PlatformProcess, getJson, startPlatformProcess, until } from "../test/support/platformProcess";
import { sendRetirements } from "../test/scenarios/support/registryLoad";
import { machineInfo } from "./results";

const TRADES = Number(process.env.BENCH_TRADES ?? 2000);
const FILLS_PER_TX = Number(process.env.BENCH_FILLS_PER_TX ?? 150);
const POST_CONCURRENCY = 32;
const UNIT_PRICE = 1_000_000n; // 1 TUSD (6 decimals) per tonne
const TARGET_TRADES_PER_SEC = 500;
const RETIREMENTS = Number(process.env.BENCH_RETIREMENTS ?? 100);
const TARGET_CONFIRM_BLOCKS = 2;

/** The `q` quantile (0..1) of `values`, nearest rank. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

type Retirements = {
  retirements: number;
  seconds: number;
  retirementsPerSec: number;
  confirmBlocksP50: number;
  confirmBlocksP99: number;
  confirmBlocksMax: number;
};

/** RETIREMENTS retirements of one unit each from the seller, through the registry, until the API shows them burned. */
async function retire(platform: PlatformProcess, client: PublicClient, batchId: string): Promise<Retirements> {
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const retiredOf = async () => BigInt((await getJson(`${platform.api}/batches/${batchId}`)).custody.retired);
  const before = await retiredOf();
  // The chain head against the wall clock, every 100 ms: block timestamps cannot be used (the embedded chain's run
  // ahead of the clock after the fast start-up blocks), the head at the moment the registry confirmed can.
  const heads: Array<{ at: number; head: bigint }> = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      heads.push({ at: Date.now(), head: await client.getBlockNumber({ cacheTime: 0 }) });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const t0 = performance.now();
  const { keys } = await sendRetirements(client, seller, {
    bridge: platform.address("registryBridge"),
    batchId: BigInt(batchId),
    amount: 1n,
    count: RETIREMENTS,
    tag: `bench-e2e-${Date.now()}`,
  });
  await until(
    "every retirement burned and indexed",
    async () => ((await retiredOf()) - before === BigInt(RETIREMENTS) ? true : undefined),
    600_000,
    200,
  );
  const seconds = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;

  const state = (await getJson(`${platform.simulatorUrl("VERRA")}/_admin/state`)) as {
    operations: Array<{ memo: string; kind: string; status: string; confirmedAt?: string }>;
  };
  const headAt = (time: number) => [...heads].reverse().find((sample) => sample.at <= time)?.head ?? heads[0]!.head;
  const confirmBlocks: number[] = [];
  for (const key of keys) {
    const requestId = requestIdOf(seller.address, key);
    const operation = state.operations.find((candidate) => candidate.memo === requestId && candidate.status === "CONFIRMED");
    if (operation?.confirmedAt === undefined) throw new Error(`no confirmed registry retirement for ${requestId}`);
    const request = await getJson(`${platform.api}/requests/${requestId}`);
    const burn = (await client.getTransactionReceipt({ hash: request.answeredTxHash })).blockNumber;
    // Blocks after the head at the registry's confirmation, up to and including the burn's.
    confirmBlocks.push(Number(burn - headAt(Date.parse(operation.confirmedAt))));
  }
  return {
    retirements: RETIREMENTS,
    seconds: Number(seconds.toFixed(3)),
    retirementsPerSec: Number((RETIREMENTS / seconds).toFixed(2)),
    confirmBlocksP50: quantile(confirmBlocks, 0.5),
    confirmBlocksP99: quantile(confirmBlocks, 0.99),
    confirmBlocksMax: Math.max(...confirmBlocks),
  };
}

type Signed = { order: Order; signature: Hex };

function orderJson({ order, signature }: Signed) {
  return {
    order: {
      ...order,
      side: "sell",
      batchId: String(order.batchId),
      amount: String(order.amount),
      unitPrice: String(order.unitPrice),
      minFill: String(order.minFill),
      expiry: String(order.expiry),
      salt: String(order.salt),
      counter: String(order.counter),
    },
    signature,
  };
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function main(): Promise<void> {
  // The simulators of `npm start` have no rate limit; the platform's own bucket is opened so the retirements measure
  // the pipeline (workers, oracles, aggregator), not a 5 calls/s default.
  const platform = await startPlatformProcess({
    BLOCK_TIME_MS: "1000",
    REGISTRY_RATE_LIMIT_PER_SEC: "500",
    REGISTRY_BURST: "100",
  });
  try {
    const { api, rpc } = platform;
    const batch = await until("the demo batch in the index", async () => (await getJson(`${api}/batches`)).items[0], 60_000);
    const batchId = BigInt(batch.batchId);
    const settlement = platform.address("settlement");
    const paymentToken = platform.address("paymentToken");
    const domain = settlementDomain({ chainId: hardhat.id, verifyingContract: settlement });
    const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
    const expiry = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const maxFeeBps = await platformFeeBps(platform);

    // The client's work, before the clock starts: sign every order (sequential salts: the cheap nonce words).
    const signed: Signed[] = [];
    for (let i = 1; i <= TRADES; i++) {
      const order = buildOrder({
        maker: seller.address,
        batchId,
        amount: 1n,
        unitPrice: UNIT_PRICE,
        paymentToken,
        maxFeeBps,
        expiry,
        salt: BigInt(i),
        counter: 0n,
      });
      signed.push({ order, signature: await signOrder({ signer: seller, domain, order }) });
    }

    const client = createPublicClient({ chain: hardhat, transport: http(rpc), cacheTime: 0 });
    const abi = settlementAbi;
    const buyers = [DEV_ACCOUNT_INDEX.buyer, DEV_ACCOUNT_INDEX.secondBuyer].map((addressIndex) => {
      const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex, nonceManager });
      return {
        account,
        wallet: createWalletClient({ account, chain: hardhat, transport: http(rpc) }),
        filled: 0,
        hashes: [] as Hex[],
      };
    });
    const inventoryOf = async (holder: Address) => {
      const page = await getJson(`${api}/holders/${holder}/inventory`);
      const row = page.items.find((item: { batchId: string }) => item.batchId === batch.batchId);
      return BigInt(row?.available ?? "0");
    };
    const before = await Promise.all(buyers.map((buyer) => inventoryOf(buyer.account.address)));

    const accepted: Signed[] = [];
    let sending = Promise.resolve();
    let turn = 0;
    /** Hands a full (or, at the end, the last partial) chunk of accepted orders to the next buyer. */
    const flush = (force: boolean) => {
      while (accepted.length >= FILLS_PER_TX || (force && accepted.length > 0)) {
        const chunk = accepted.splice(0, FILLS_PER_TX);
        const buyer = buyers[turn++ % buyers.length]!;
        sending = sending.then(async () => {
          const fills = chunk.map(({ order, signature }) => ({ order, amount: order.amount, signature }));
          const hash = await buyer.wallet.sendTransaction({
            to: settlement,
            data: encodeFunctionData({ abi, functionName: "fillBatch", args: [fills] }),
            gas: 150_000n + 70_000n * BigInt(fills.length),
          });
          buyer.hashes.push(hash);
          buyer.filled += fills.length;
        });
      }
    };

    const t0 = performance.now();
    await pool(signed, POST_CONCURRENCY, async (item) => {
      const response = await fetch(`${api}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(orderJson(item)),
      });
      if (response.status !== 201) throw new Error(`POST /orders: ${response.status} ${await response.text()}`);
      accepted.push(item);
      flush(false);
    });
    const postSeconds = (performance.now() - t0) / 1000;
    flush(true);
    await sending;
    const hashes = buyers.flatMap((buyer) => buyer.hashes);
    const receipts = await Promise.all(
      hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 120_000 })),
    );
    const reverted = receipts.filter((receipt) => receipt.status !== "success").length;
    if (reverted > 0) throw new Error(`${reverted} fillBatch transactions reverted`);
    const settledSeconds = (performance.now() - t0) / 1000;
    await until(
      "every trade in the buyers' inventories",
      async () => {
        const now = await Promise.all(buyers.map((buyer) => inventoryOf(buyer.account.address)));
        return now.every((amount, i) => amount - before[i]! === BigInt(buyers[i]!.filled)) ? true : undefined;
      },
      120_000,
      50,
    );
    const visibleSeconds = (performance.now() - t0) / 1000;

    const retirements = await retire(platform, client, batch.batchId);
    const blocks = receipts.map((receipt) => receipt.blockNumber);
    const result = {
      benchmark: "e2e",
      trades: TRADES,
      seconds: Number(visibleSeconds.toFixed(3)),
      tradesPerSec: Math.round(TRADES / visibleSeconds),
      targetTradesPerSec: TARGET_TRADES_PER_SEC,
      meetsTarget: TRADES / visibleSeconds >= TARGET_TRADES_PER_SEC,
      phases: {
        postSeconds: Number(postSeconds.toFixed(3)),
        ordersAcceptedPerSec: Math.round(TRADES / postSeconds),
        settledSeconds: Number(settledSeconds.toFixed(3)),
        visibleSeconds: Number(visibleSeconds.toFixed(3)),
      },
      transactions: hashes.length,
      fillsPerTx: FILLS_PER_TX,
      blocksSpanned: Number(blocks.reduce((a, b) => (b > a ? b : a)) - blocks.reduce((a, b) => (b < a ? b : a)) + 1n),
      gasPerFill: Math.round(Number(receipts.reduce((sum, receipt) => sum + receipt.gasUsed, 0n)) / TRADES),
      retirements: retirements.retirements,
      retirementSeconds: retirements.seconds,
      retirementsPerSec: retirements.retirementsPerSec,
      confirmBlocksP50: retirements.confirmBlocksP50,
      confirmBlocksP99: retirements.confirmBlocksP99,
      confirmBlocksMax: retirements.confirmBlocksMax,
      targetConfirmBlocks: TARGET_CONFIRM_BLOCKS,
      meetsConfirmTarget: retirements.confirmBlocksP99 <= TARGET_CONFIRM_BLOCKS,
      blockTimeMs: 1000,
      machine: machineInfo(),
      measuredAt: new Date().toISOString(),
    };
    const file = path.join(__dirname, "results", "e2e.json");
    const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ ...previous, ...result }, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
