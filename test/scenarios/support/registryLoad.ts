/**
 * Helpers of the registry-load scenarios (issue 7, scenarios 2 and 3): many retirement requests sent from one
 * wallet as pipelined transactions (explicit nonces, several per block), the simulator's knobs over HTTP, the
 * platform's Prometheus counters, the requests as the platform database holds them, and the sliding-window check
 * of a token-bucket limit over a list of timestamps.
 */
import { Client } from "pg";
import {
  type Address,
  type HDAccount,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  encodeFunctionData,
  keccak256,
  toHex,
} from "viem";
import { hardhat } from "viem/chains";
import { registryBridgeAbi } from "../../../backend/src/chain/abi";
import type { PlatformProcess } from "../../support/platformProcess";

export type Registry = "VERRA" | "GOLD_STANDARD" | "IREC" | "IN_CCTS";

/** `PATCH /_admin/knobs` of the platform's simulator of `registry`. */
export async function setKnobs(
  platform: PlatformProcess,
  knobs: Record<string, unknown>,
  registry: Registry = "VERRA",
): Promise<void> {
  const response = await fetch(`${platform.simulatorUrl(registry)}/_admin/knobs`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(knobs),
  });
  if (!response.ok) throw new Error(`PATCH knobs: ${response.status} ${await response.text()}`);
}

/** The sum of a Prometheus counter's samples whose labels include every `labels` pair (0 when absent). */
export async function metricValue(platform: PlatformProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${platform.api}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (wanted) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

export type SentRetirements = { hashes: Hex[]; keys: Hex[] };

/**
 * Sends `count` `requestRetirement(batchId, amount, key_i, details)` transactions from `holder` without waiting
 * between them: signed locally with consecutive nonces and explicit gas and fees, so the node packs as many per
 * block as fit. Returns once every transaction is accepted by the node (not mined).
 */
export async function sendRetirements(
  client: PublicClient,
  holder: HDAccount,
  parameters: { bridge: Address; batchId: bigint; amount: bigint; count: number; tag: string; concurrency?: number },
): Promise<SentRetirements> {
  const abi = registryBridgeAbi;
  const keys = Array.from({ length: parameters.count }, (_, i) => keccak256(toHex(`${parameters.tag}-${i}`)));
  const details = (i: number) => ({ beneficiary: `Load client ${i}`, reason: "registry load scenario" });
  const estimate = await client.estimateContractGas({
    account: holder,
    address: parameters.bridge,
    abi,
    functionName: "requestRetirement",
    args: [parameters.batchId, parameters.amount, keys[0]!, details(0)],
  });
  const gas = (estimate * 3n) / 2n;
  const nonce = await client.getTransactionCount({ address: holder.address, blockTag: "pending" });
  const signed: Hex[] = [];
  for (let i = 0; i < parameters.count; i++) {
    signed.push(
      await holder.signTransaction({
        type: "eip1559",
        chainId: hardhat.id,
        to: parameters.bridge,
        nonce: nonce + i,
        gas,
        maxFeePerGas: 100_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
        data: encodeFunctionData({
          abi,
          functionName: "requestRetirement",
          args: [parameters.batchId, parameters.amount, keys[i]!, details(i)],
        }),
      }),
    );
  }
  // In nonce order per chunk: the node queues a future nonce until its predecessors arrive, but order keeps it simple.
  const hashes: Hex[] = [];
  const chunk = parameters.concurrency ?? 25;
  for (let i = 0; i < signed.length; i += chunk) {
    hashes.push(
      ...(await Promise.all(
        signed.slice(i, i + chunk).map((serializedTransaction) => client.sendRawTransaction({ serializedTransaction })),
      )),
    );
  }
  return { hashes, keys };
}

/** Receipts of `hashes`, polled (every transaction mined within `timeoutMs`). */
export async function receiptsOf(client: PublicClient, hashes: Hex[], timeoutMs = 60_000): Promise<TransactionReceipt[]> {
  return Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 250, timeout: timeoutMs })));
}

export type RequestRow = { request_id: string; chain_status: string; registry_status: string | null; amount: string };

/** Every indexed request of `holder` (the platform database). */
export async function requestsOf(platform: PlatformProcess, holder: Address): Promise<RequestRow[]> {
  const db = new Client({ connectionString: platform.databaseUrl() });
  await db.connect();
  try {
    const { rows } = await db.query<RequestRow>(
      "SELECT request_id, chain_status, registry_status, amount::text FROM requests WHERE holder = $1 ORDER BY created_at",
      [holder.toLowerCase()],
    );
    return rows;
  } finally {
    await db.end();
  }
}

/**
 * The most events of `times` (epoch ms) inside any window of `windowMs` and the bound a token bucket of
 * `capacity` refilled at `perSecond` allows there (`capacity + perSecond * windowMs / 1000`), per window length.
 * Only windows starting at an event matter (the worst window starts at one).
 */
export function worstWindows(
  times: number[],
  capacity: number,
  perSecond: number,
  windowsMs: number[],
): Array<{ windowMs: number; most: number; allowed: number }> {
  const sorted = [...times].sort((a, b) => a - b);
  return windowsMs.map((windowMs) => {
    let most = 0;
    let end = 0;
    for (let start = 0; start < sorted.length; start++) {
      while (end < sorted.length && sorted[end]! - sorted[start]! < windowMs) end++;
      most = Math.max(most, end - start);
    }
    return { windowMs, most, allowed: capacity + (perSecond * windowMs) / 1000 };
  });
}
