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
 * Writes bench/results/e2e.json. Env: BENCH_TRADES (default 2000), BENCH_FILLS_PER_TX (default 150).
 */
import fs from "node:fs";
import path from "node:path";
import { type Address, type Hex, createPublicClient, createWalletClient, encodeFunctionData, http } from "viem";
import { mnemonicToAccount, nonceManager } from "viem/accounts";
import { hardhat } from "viem/chains";
import { loadAbi } from "../backend/src/chain/artifacts";
import { type Order, buildOrder, settlementDomain, signOrder } from "../backend/src/chain/orders";
import { DEV_ACCOUNT_INDEX, DEV_MNEMONIC, devAccount } from "../backend/src/platform/embeddedChain";
import { getJson, startPlatformProcess, until } from "../test/backend/support/platformProcess";
import { machineInfo } from "./results";

const TRADES = Number(process.env.BENCH_TRADES ?? 2000);
const FILLS_PER_TX = Number(process.env.BENCH_FILLS_PER_TX ?? 150);
const POST_CONCURRENCY = 32;
const UNIT_PRICE = 1_000_000n; // 1 TUSD (6 decimals) per tonne
const TARGET_TRADES_PER_SEC = 500;

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
  const platform = await startPlatformProcess({ BLOCK_TIME_MS: "1000" });
  try {
    const { api, rpc } = platform;
    const batch = await until("the demo batch in the index", async () => (await getJson(`${api}/batches`)).items[0], 60_000);
    const batchId = BigInt(batch.batchId);
    const settlement = platform.address("settlement");
    const paymentToken = platform.address("paymentToken");
    const domain = settlementDomain({ chainId: hardhat.id, verifyingContract: settlement });
    const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
    const expiry = BigInt(Math.floor(Date.now() / 1000) + 3600);

    // The client's work, before the clock starts: sign every order (sequential salts: the cheap nonce words).
    const signed: Signed[] = [];
    for (let i = 1; i <= TRADES; i++) {
      const order = buildOrder({ maker: seller.address, batchId, amount: 1n, unitPrice: UNIT_PRICE, paymentToken, expiry, salt: BigInt(i), counter: 0n });
      signed.push({ order, signature: await signOrder({ signer: seller, domain, order }) });
    }

    const client = createPublicClient({ chain: hardhat, transport: http(rpc), cacheTime: 0 });
    const abi = loadAbi("Settlement");
    const buyers = [DEV_ACCOUNT_INDEX.buyer, DEV_ACCOUNT_INDEX.secondBuyer].map((addressIndex) => {
      const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex, nonceManager });
      return { account, wallet: createWalletClient({ account, chain: hardhat, transport: http(rpc) }), filled: 0, hashes: [] as Hex[] };
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
    const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 120_000 })));
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
