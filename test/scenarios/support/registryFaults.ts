/**
 * Helpers of the registry-fault scenarios (reconciliation freeze, webhook chaos, compromised oracle): the wallets'
 * chain calls, the simulator's admin routes, the operator routes and a deposit through the intent flow, all against
 * a running platform process (`startPlatformProcess`).
 */
import { expect } from "chai";
import { Client } from "pg";
import {
  type Abi,
  type Address,
  type HDAccount,
  type Hex,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  toHex,
} from "viem";
import { hardhat } from "viem/chains";
import { PLATFORM_ABIS, type PlatformContract, creditTokenAbi, registryBridgeAbi } from "../../../backend/src/chain/abi";
import { REGISTRY_IDS, batchIdOf, requestIdOf } from "../../../backend/src/chain/attestations";
import { buildOrder, settlementDomain, signOrder } from "../../../backend/src/chain/orders";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { parseSerial } from "../../../backend/src/registries/serials";
import { depositSellerBlock, platformFeeBps } from "../../support/platformFlows";
import { type JsonBody, type PlatformProcess, getJson, until } from "../../support/platformProcess";

export const DEMO_SERIAL = "20001-2000000001-2000010000-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
/** A block the seller holds at Verra (`SELLER-001`), deposited by `depositSecondBatch`. */
export const SECOND_SERIAL = "20002-2000010001-2000015000-VCS-VCU-500-VER-US-3352-01012024-31122024-0";

/** The batch id of a Verra serial (registry id and serial prefix). */
export function batchIdOfSerial(serial: string): bigint {
  return batchIdOf(REGISTRY_IDS.VERRA, parseSerial({ serial, registry: "VERRA" }).serialPrefix);
}

export function verraAdapter(platform: PlatformProcess): RegistryPort {
  return createRegistryAdapters({ urls: { VERRA: platform.simulatorUrl("VERRA") } }).VERRA as RegistryPort;
}

export function publicClientOf(platform: PlatformProcess) {
  return createPublicClient({ chain: hardhat, transport: http(platform.rpc), cacheTime: 0 });
}

export function walletOf(platform: PlatformProcess, account: HDAccount) {
  return createWalletClient({ account, chain: hardhat, transport: http(platform.rpc) });
}

/** Every custom error of the contracts a fill or a confirmation passes through, so reverts decode by name. */
export function combinedAbi(...names: PlatformContract[]): Abi {
  const [first, ...rest] = names.map((name) => PLATFORM_ABIS[name]);
  const errors = rest.flatMap((abi) => abi.filter((item) => item.type === "error"));
  return [...first!, ...errors] as Abi;
}

/** The custom error name a call reverts with (simulated from `account`), or undefined when it would succeed. */
export async function revertNameOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (error instanceof BaseError) {
      const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
      if (reverted instanceof ContractFunctionRevertedError)
        return reverted.data?.errorName ?? reverted.signature ?? reverted.shortMessage;
    }
    throw error;
  }
}

/** A buyer's fill of a fresh sell order of the seller in `batchId`: the revert name, or undefined when it would fill. */
export async function fillRevertName(
  platform: PlatformProcess,
  seller: HDAccount,
  buyer: HDAccount,
  batchId: bigint,
  amount: bigint,
): Promise<string | undefined> {
  const settlement = platform.address("settlement");
  const domain = settlementDomain({ chainId: hardhat.id, verifyingContract: settlement });
  const order = buildOrder({
    maker: seller.address,
    batchId,
    amount,
    unitPrice: 10_000_000n,
    paymentToken: platform.address("paymentToken"),
    maxFeeBps: await platformFeeBps(platform),
    expiry: BigInt(Math.floor(Date.now() / 1000) + 3600),
    counter: 0n,
  });
  const signature = await signOrder({ signer: seller, domain, order });
  return revertNameOf(() =>
    publicClientOf(platform).simulateContract({
      account: buyer,
      address: settlement,
      abi: combinedAbi("Settlement", "CreditToken", "IdentityRegistry"),
      functionName: "fill",
      args: [order, amount, signature],
    }),
  );
}

export async function isBatchFrozen(platform: PlatformProcess, batchId: bigint): Promise<boolean> {
  return (await publicClientOf(platform).readContract({
    address: platform.address("creditToken"),
    abi: creditTokenAbi,
    functionName: "isBatchFrozen",
    args: [batchId],
  })) as boolean;
}

export async function totalSupplyOf(platform: PlatformProcess, batchId: bigint): Promise<bigint> {
  return (await publicClientOf(platform).readContract({
    address: platform.address("creditToken"),
    abi: creditTokenAbi,
    functionName: "totalSupply",
    args: [batchId],
  })) as bigint;
}

/** The `BatchFrozen` logs of `batchId`: who froze it and why (`reasonCode`, e.g. reconciliation's 0x5202). */
export async function batchFrozenLogs(
  platform: PlatformProcess,
  batchId: bigint,
): Promise<Array<{ reasonCode: number; agent: Address }>> {
  const logs = await publicClientOf(platform).getContractEvents({
    address: platform.address("creditToken"),
    abi: creditTokenAbi,
    eventName: "BatchFrozen",
    args: { batchId },
    fromBlock: 0n,
  });
  return logs.map((log) => {
    const args = (log as unknown as { args: { reasonCode: number; agent: Address } }).args;
    return { reasonCode: Number(args.reasonCode), agent: args.agent };
  });
}

/** The request as the bridge holds it: `status` 1 pending, 2 confirmed (IRegistryBridge.RequestStatus). */
export async function chainRequestOf(platform: PlatformProcess, requestId: Hex): Promise<{ status: number; certificate: Hex }> {
  return (await publicClientOf(platform).readContract({
    address: platform.address("registryBridge"),
    abi: registryBridgeAbi,
    functionName: "requestOf",
    args: [requestId],
  })) as { status: number; certificate: Hex };
}

export type RetirementDetails = { beneficiary: string; reason: string };

/** `requestRetirement` from the holder's wallet; resolves with the indexed request id. */
export async function requestRetirement(
  platform: PlatformProcess,
  holder: HDAccount,
  batchId: bigint,
  amount: bigint,
  details: RetirementDetails,
): Promise<Hex> {
  const idempotencyKey = keccak256(toHex(`scenario-retirement-${Date.now()}-${Math.random()}`));
  const hash = await walletOf(platform, holder).writeContract({
    address: platform.address("registryBridge"),
    abi: registryBridgeAbi,
    functionName: "requestRetirement",
    args: [batchId, amount, idempotencyKey, details],
  });
  const receipt = await publicClientOf(platform).waitForTransactionReceipt({ hash, pollingInterval: 100 });
  expect(receipt.status).to.equal("success");
  const requestId = requestIdOf(holder.address, idempotencyKey);
  await until("the indexed request", async () => (await getJson(`${platform.api}/requests/${requestId}`)).requestId, 30_000);
  return requestId.toLowerCase() as Hex;
}

/** Resolves with the API's request once its chain status is `status`. */
export async function requestWithChainStatus(
  platform: PlatformProcess,
  requestId: Hex,
  status: string,
  timeoutMs = 90_000,
): Promise<JsonBody> {
  return until(
    `request ${requestId} ${status}`,
    async () => {
      const request = await getJson(`${platform.api}/requests/${requestId}`);
      return request.chainStatus === status ? request : undefined;
    },
    timeoutMs,
  );
}

export async function setVerraKnobs(platform: PlatformProcess, knobs: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${platform.simulatorUrl("VERRA")}/_admin/knobs`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(knobs),
  });
  expect(response.status, await response.clone().text()).to.equal(200);
}

export async function verraAdmin(platform: PlatformProcess, path: string, body: unknown = {}): Promise<JsonBody> {
  const response = await fetch(`${platform.simulatorUrl("VERRA")}/_admin/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).to.equal(200);
  return response.json();
}

export async function operatorGet(platform: PlatformProcess, path: string): Promise<JsonBody> {
  return getJson(`${platform.api}${path}`, { "x-api-key": platform.operatorKey() });
}

/** One query on the platform's database. */
export async function dbQuery<T extends Record<string, unknown>>(
  platform: PlatformProcess,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const db = new Client({ connectionString: platform.databaseUrl() });
  await db.connect();
  try {
    return (await db.query<T>(sql, values)).rows;
  } finally {
    await db.end();
  }
}

/** The seller's second Verra block (`SECOND_SERIAL`, 5,000 units) tokenized through the deposit flow and indexed. */
export async function depositSecondBatch(platform: PlatformProcess, seller: HDAccount): Promise<bigint> {
  const batchId = await depositSellerBlock(platform, seller, SECOND_SERIAL);
  await until(
    "the second batch in the index",
    async () => ((await getJson(`${platform.api}/batches/${batchId}`)).custody.totalSupply === "5000" ? true : undefined),
    30_000,
  );
  return batchId;
}

/** Parses one counter or gauge from the Prometheus text at `/metrics` (sum over the matching label sets). */
export async function metricValue(platform: PlatformProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${platform.api}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

export type { Address };
