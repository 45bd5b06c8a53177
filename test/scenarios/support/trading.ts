/**
 * Wallet-side helpers of the trading scenarios (ISSUE 7): chain clients on the running platform, transactions sent
 * with a fixed gas limit (so a losing attempt is judged by the chain, not refused by gas estimation) and the custom
 * error a reverted transaction carried, read from the node's own trace of it; new KYC-verified, funded wallets; a
 * seller's order posted through the API; a deposit tokenized through the API and the registry.
 */
import {
  type Abi,
  type Address,
  type HDAccount,
  type Hash,
  type Hex,
  type LocalAccount,
  type PublicClient,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  encodeFunctionData,
  erc20Abi,
  http,
  keccak256,
  parseAbi,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { identityRegistryAbi, platformErrorsAbi } from "../../../backend/src/chain/abi";
import { type Order, buildOrder, settlementDomain, signOrder } from "../../../backend/src/chain/orders";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../../backend/src/platform/devAccounts";
import { platformFeeBps } from "../../support/platformFlows";
import type { PlatformProcess } from "../../support/platformProcess";

export const paymentTokenAbi = [
  ...erc20Abi,
  ...parseAbi(["function mint(address to, uint256 amount)", "error TestPaymentTokenUnauthorized(address caller)"]),
] as const;

/** Every custom error any platform contract (or the payment token) can revert with, for decoding revert data. */
const errorAbi: Abi = [
  ...platformErrorsAbi(),
  ...paymentTokenAbi.filter((item) => item.type === "error"),
];

export type Outcome = {
  hash: Hash;
  status: "success" | "reverted";
  blockNumber: bigint;
  error?: string;
  errorArgs?: readonly unknown[];
};

export function publicClientOf(platform: PlatformProcess): PublicClient {
  return createPublicClient({ chain: hardhat, transport: http(platform.rpc), pollingInterval: 100 }) as PublicClient;
}

/** The custom error a mined, reverted transaction carried, from the node's trace (exact, whatever else the block held). */
export async function revertOf(
  platform: PlatformProcess,
  hash: Hash,
): Promise<{ error?: string; errorArgs?: readonly unknown[]; data: Hex }> {
  const response = await fetch(platform.rpc, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "debug_traceTransaction",
      params: [hash, { disableStack: true, disableMemory: true, disableStorage: true }],
    }),
  });
  const body = (await response.json()) as { result?: { failed: boolean; returnValue: string }; error?: unknown };
  if (body.result === undefined) throw new Error(`debug_traceTransaction ${hash}: ${JSON.stringify(body.error)}`);
  const data = (body.result.returnValue.startsWith("0x") ? body.result.returnValue : `0x${body.result.returnValue}`) as Hex;
  try {
    const decoded = decodeErrorResult({ abi: errorAbi, data });
    return { error: decoded.errorName, errorArgs: decoded.args, data };
  } catch {
    return { data };
  }
}

/**
 * Sends one contract call from `account` with a fixed gas limit (no estimation: the attempt reaches the chain even
 * when it is bound to lose), waits for it to be mined and reports how it ended, with the named error of a revert.
 */
export async function attempt(
  platform: PlatformProcess,
  account: LocalAccount | HDAccount,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; nonce?: number; gas?: bigint },
): Promise<Outcome> {
  const wallet = createWalletClient({ account, chain: hardhat, transport: http(platform.rpc) });
  const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args });
  const hash = await wallet.sendTransaction({
    to: call.address,
    data,
    gas: call.gas ?? 1_500_000n,
    ...(call.nonce === undefined ? {} : { nonce: call.nonce }),
  });
  const receipt = await publicClientOf(platform).waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 120_000 });
  if (receipt.status === "success") return { hash, status: "success", blockNumber: receipt.blockNumber };
  const revert = await revertOf(platform, hash);
  return {
    hash,
    status: "reverted",
    blockNumber: receipt.blockNumber,
    error: revert.error ?? `undecoded ${revert.data}`,
    errorArgs: revert.errorArgs,
  };
}

/** Sends one transaction and fails loudly unless it succeeds. */
export async function must(
  platform: PlatformProcess,
  account: LocalAccount | HDAccount,
  call: Parameters<typeof attempt>[2],
): Promise<Outcome> {
  const outcome = await attempt(platform, account, call);
  if (outcome.status !== "success") throw new Error(`${call.functionName} reverted: ${outcome.error}`);
  return outcome;
}

/**
 * `count` new wallets (deterministic keys from `tag`), each with gas money, a verified identity, `dollars` TUSD
 * and Settlement approved for TUSD; the deployer's transactions go out at once with consecutive nonces.
 */
export async function fundedBuyers(
  platform: PlatformProcess,
  tag: string,
  count: number,
  dollars: bigint,
): Promise<LocalAccount[]> {
  const client = publicClientOf(platform);
  const deployer = devAccount(DEV_ACCOUNT_INDEX.deployer);
  const admin = createWalletClient({ account: deployer, chain: hardhat, transport: http(platform.rpc) });
  const wallets = Array.from({ length: count }, (_, i) => privateKeyToAccount(keccak256(toHex(`${tag}-${i}`))));
  const expiry = BigInt(Math.floor(Date.now() / 1000) + 365 * 24 * 3600);
  let nonce = await client.getTransactionCount({ address: deployer.address, blockTag: "pending" });
  const hashes: Hash[] = [];
  for (const wallet of wallets) {
    hashes.push(await admin.sendTransaction({ to: wallet.address, value: 10n ** 18n, nonce: nonce++, gas: 21_000n }));
    hashes.push(
      await admin.writeContract({
        address: platform.address("identityRegistry"),
        abi: identityRegistryAbi,
        functionName: "registerIdentity",
        args: [wallet.address, 840, expiry],
        nonce: nonce++,
        gas: 300_000n,
      }),
    );
    hashes.push(
      await admin.writeContract({
        address: platform.address("paymentToken"),
        abi: paymentTokenAbi,
        functionName: "mint",
        args: [wallet.address, dollars],
        nonce: nonce++,
        gas: 200_000n,
      }),
    );
  }
  await expectAllSucceeded(client, hashes);
  const approvals = await Promise.all(
    wallets.map((wallet) =>
      createWalletClient({ account: wallet, chain: hardhat, transport: http(platform.rpc) }).writeContract({
        address: platform.address("paymentToken"),
        abi: paymentTokenAbi,
        functionName: "approve",
        args: [platform.address("settlement"), (1n << 256n) - 1n],
        gas: 100_000n,
      }),
    ),
  );
  await expectAllSucceeded(client, approvals);
  return wallets;
}

async function expectAllSucceeded(client: PublicClient, hashes: Hash[]): Promise<void> {
  const receipts = await Promise.all(
    hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 200, timeout: 120_000 })),
  );
  const failed = receipts.filter((receipt) => receipt.status !== "success");
  if (failed.length > 0) throw new Error(`${failed.length} set-up transactions reverted`);
}

/** A sell order of `maker` signed and posted through `POST /orders` (201); answers the order and its signature. */
export async function postSellOrder(
  platform: PlatformProcess,
  maker: LocalAccount | HDAccount,
  params: { batchId: bigint; amount: bigint; unitPrice: bigint; salt: bigint },
): Promise<{ order: Order; signature: Hex; orderHash: Hex }> {
  const domain = settlementDomain({ chainId: hardhat.id, verifyingContract: platform.address("settlement") });
  const order = buildOrder({
    maker: maker.address,
    batchId: params.batchId,
    amount: params.amount,
    unitPrice: params.unitPrice,
    paymentToken: platform.address("paymentToken"),
    maxFeeBps: await platformFeeBps(platform),
    expiry: BigInt(Math.floor(Date.now() / 1000) + 3600),
    salt: params.salt,
    counter: 0n,
  });
  const signature = await signOrder({ signer: maker, domain, order });
  const response = await fetch(`${platform.api}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      order: {
        ...order,
        side: "sell",
        batchId: String(order.batchId),
        amount: String(order.amount),
        unitPrice: String(order.unitPrice),
        minFill: "0",
        expiry: String(order.expiry),
        salt: String(order.salt),
        counter: "0",
      },
      signature,
    }),
  });
  if (response.status !== 201) throw new Error(`POST /orders: ${response.status} ${await response.text()}`);
  const { orderHash } = (await response.json()) as { orderHash: Hex };
  return { order, signature, orderHash };
}

export { depositSellerBlock } from "../../support/platformFlows";
