import { type PublicClient, createPublicClient, http } from "viem";
import { createApiKey } from "../api/apiKeys";
import { chainPauseStatus } from "../api/registry-status";
import { readDeploymentFile } from "../chain/deployment";
import { startApi } from "../api/server";
import type { Config } from "../config";
import { type Context, createContext } from "../context";
import { migrate } from "../db";
import { createRegistryGuard, createRegistryStatusSource } from "../guard";
import { createIndexer } from "../indexer";
import type { Deployment } from "../indexer/types";
import { REGISTRY_NAMES, type RegistryName } from "../registries/ids";
import { type RunningSimulator, startSimulator } from "../simulators";
import { startChainProcess } from "./chainProcess";
import { type DemoWallet, seedSimulator } from "./demo";

export type Platform = {
  ctx: Context;
  apiUrl: string;
  rpcUrl: string;
  deployment: Deployment;
  simulators: Partial<Record<RegistryName, string>>;
  /** Present on the embedded chain only. */
  wallets: DemoWallet[];
  /** An operator API key (every scope) made for this run, on the embedded database only (it is reset each start). */
  operatorKey: string | undefined;
  /** Ordered shutdown: API, services (indexer, simulators, chain), database. True when every hook succeeded. */
  close(reason?: string): Promise<boolean>;
};

/** Calls per second the platform allows itself per registry (burst 10, 5/s sustained), below the simulators' limits. */
const DEFAULT_REGISTRY_LIMIT = { capacity: 10, refillPerSec: 5 };

const REGISTRY_URL_KEYS = { VERRA: "verra", GOLD_STANDARD: "goldStandard", IREC: "irec", IN_CCTS: "inCcts" } as const;

/**
 * The embedded chain lives only as long as the process, so an embedded database left by an earlier run indexes a
 * chain that no longer exists (and holds orders signed for it). Both embedded: start from an empty schema. A
 * database given by DATABASE_URL is never wiped; with the embedded chain, the indexer's reorg handling rolls its
 * index back to the new chain, and the operator is warned that off-chain rows from earlier runs remain.
 */
async function prepareDatabase(ctx: Context): Promise<void> {
  if (ctx.config.chain.rpcUrl === undefined) {
    if (ctx.db.embedded) {
      await ctx.db.pool.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    } else {
      ctx.logger.warn("DATABASE_URL with the embedded chain: rows from earlier runs refer to a chain that is gone");
    }
  }
  await migrate({ url: ctx.db.url, logger: ctx.logger });
}

/** The embedded stack starts from an empty database each run, so it makes the operator a key to use at once. */
async function embeddedOperatorKey(ctx: Context): Promise<string | undefined> {
  if (ctx.config.chain.rpcUrl !== undefined || !ctx.db.embedded) return undefined;
  return (await createApiKey(ctx.db.pool, { name: "embedded operator", scopes: ["*"] })).key;
}

async function startChain(ctx: Context) {
  const { config } = ctx;
  if (config.chain.rpcUrl !== undefined) {
    const deployment = readDeploymentFile(config.chain.deploymentFile as string);
    return { rpcUrl: config.chain.rpcUrl, deployment, wallets: [] as DemoWallet[] };
  }
  const chain = await startChainProcess(
    {
      port: config.chain.embeddedRpcPort,
      blockTimeMs: config.chain.blockTimeMs,
      threshold: config.oracle.threshold,
      confirmations: config.chain.confirmations,
    },
    ctx.logger.child({ component: "chain" }),
  );
  ctx.shutdown.register("services", "chain", () => chain.close());
  return chain;
}

async function startSimulators(ctx: Context): Promise<Partial<Record<RegistryName, string>>> {
  const urls: Partial<Record<RegistryName, string>> = {};
  for (const [index, registry] of REGISTRY_NAMES.entries()) {
    const external = ctx.config.registries[REGISTRY_URL_KEYS[registry]];
    if (external !== undefined) {
      urls[registry] = external;
      continue;
    }
    const simulator: RunningSimulator = await startSimulator(registry, { port: ctx.config.simulatorBasePort + index });
    ctx.shutdown.register("services", `simulator:${registry}`, () => simulator.close());
    seedSimulator(registry, simulator);
    urls[registry] = simulator.url;
  }
  return urls;
}

/**
 * Readiness fails when the chain stops producing blocks: with a block interval, a head older than ten intervals
 * (at least 30 s) means the node or the validators are stuck. Under automine a block only follows a transaction,
 * so an old head is normal there and only reachability is checked.
 */
function registerChainHeadCheck(ctx: Context, client: PublicClient): void {
  const blockTimeMs = ctx.config.chain.blockTimeMs;
  const maxAgeMs = blockTimeMs > 0 ? Math.max(30_000, 10 * blockTimeMs) : Number.POSITIVE_INFINITY;
  ctx.readiness.register(
    "chain_head_age",
    async () => {
      const head = await client.getBlock({ blockTag: "latest" });
      const ageMs = Date.now() - Number(head.timestamp) * 1000;
      return ageMs > maxAgeMs ? { ok: false, detail: `head ${head.number} is ${Math.round(ageMs / 1000)} s old` } : undefined;
    },
    { timeoutMs: 2_000 },
  );
}

/**
 * Boots the whole platform in one process: database (embedded unless DATABASE_URL), chain (embedded Hardhat node
 * in a child process with the contracts deployed and demo data, unless RPC_URL), registry simulators (for registries without a URL),
 * the indexer and the API. A failure part-way shuts down what had started.
 */
export async function startPlatform(config: Config): Promise<Platform> {
  const ctx = await createContext(config, { migrate: false });
  try {
    await prepareDatabase(ctx);
    const simulators = await startSimulators(ctx);
    const { rpcUrl, deployment, wallets } = await startChain(ctx);
    const client = createPublicClient({ transport: http(rpcUrl), cacheTime: 0 });
    registerChainHeadCheck(ctx, client);
    const indexer = createIndexer({ ...ctx }, { client, deployment });
    await indexer.syncToHead();
    indexer.start(); // createIndexer registers its own stop with ctx.shutdown
    // One guard per process: shared rate limits in Postgres, circuit states in /health/ready, /metrics and the API.
    // Registry calls of the platform go through `guard.guardedCall`.
    const guard = createRegistryGuard(ctx, {
      registries: Object.fromEntries(REGISTRY_NAMES.map((registry) => [registry, DEFAULT_REGISTRY_LIMIT])),
    });
    await guard.init();
    const { address } = await startApi({
      ...ctx,
      api: {
        settlement: { chainId: deployment.chainId, address: deployment.settlement },
        siwe: { domain: config.api.siweDomain, chainId: deployment.chainId },
        // On-chain registry pauses from the index, circuit states from this process's guard.
        registryStatus: chainPauseStatus(ctx.db.pool, createRegistryStatusSource({ guard, db: ctx.db.pool })),
      },
    });
    const operatorKey = await embeddedOperatorKey(ctx);
    const close = (reason = "close") => ctx.shutdown.run(reason);
    return { ctx, apiUrl: address, rpcUrl, deployment, simulators, wallets, operatorKey, close };
  } catch (error) {
    await ctx.shutdown.run("start-up failed").catch(() => undefined);
    throw error;
  }
}
