import { type PublicClient, createPublicClient, http } from "viem";
import { hardhat } from "viem/chains";
import { type EmbeddedNode, startEmbeddedNode } from "../../backend/src/chain/embeddedNode";
import { Secret } from "../../backend/src/config";
import { createLogger } from "../../backend/src/logger";
import { createMetrics } from "../../backend/src/metrics";
import { devPrivateKey } from "../../backend/src/platform/devAccounts";
import { type Relayer, createRelayer } from "../../backend/src/relayer";

/**
 * One embedded Hardhat node for the whole backend suite: the Hardhat runtime is one per process, so test files
 * share the node (started on first use, closed by the root hook in `hooks.ts`). Files set the mining mode they
 * need in their own `before` (`useAutomine` / `useIntervalMining`): another file may have changed it, and
 * `evm_snapshot` / `evm_revert` in one file must not leak into another.
 */

let started: Promise<EmbeddedNode> | undefined;

export function testChain(): Promise<EmbeddedNode> {
  started ??= startEmbeddedNode({ port: 0, blockTimeMs: 0 });
  return started;
}

export async function stopTestChain(): Promise<void> {
  if (started === undefined) return;
  const node = started;
  started = undefined;
  await (await node).close();
}

/** A viem public client on the shared node with caching off (tests read fresh heads). */
export async function testPublicClient(): Promise<PublicClient> {
  const node = await testChain();
  return createPublicClient({ chain: hardhat, transport: http(node.url), cacheTime: 0, pollingInterval: 50 });
}

/** One block per transaction, mined as it arrives. */
export async function useAutomine(): Promise<void> {
  const { hre } = await testChain();
  await hre.network.provider.request({ method: "evm_setIntervalMining", params: [0] });
  await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
}

/** A block every `ms` milliseconds; transactions queue in the mempool until then (like Besu). */
export async function useIntervalMining(ms: number): Promise<void> {
  const { hre } = await testChain();
  await hre.network.provider.request({ method: "evm_setAutomine", params: [false] });
  await hre.network.provider.request({ method: "evm_setIntervalMining", params: [ms] });
}

/**
 * Mines `count` empty blocks, one `evm_mine` each. (`hardhat_mine` with a count reserves blocks whose
 * `parentHash` does not link to the previous block's hash, which a reorg-aware reader rightly refuses.)
 */
export async function mine(count = 1): Promise<void> {
  const { hre } = await testChain();
  for (let i = 0; i < count; i++) await hre.network.provider.request({ method: "evm_mine", params: [] });
}

/**
 * A relayer on the shared node sending as development account `accountIndex` (Hardhat's signers use the same
 * mnemonic: 0 is the test platform's admin, which holds the guardian and agent roles).
 */
export async function testRelayer(accountIndex: number): Promise<Relayer> {
  const node = await testChain();
  const logger = createLogger({ level: "silent" });
  return createRelayer(
    { logger, metrics: createMetrics({ defaultMetrics: false }) },
    { rpcUrl: node.url, keys: [new Secret(devPrivateKey(accountIndex))] },
  );
}
