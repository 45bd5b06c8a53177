import crypto from "node:crypto";
import path from "node:path";
import type { PublicClient } from "viem";
import { createApiKey } from "../auth/apiKeys";
import { platformPublicClient } from "../chain/clients";
import { cachedRegistryStatus, chainPauseStatus } from "../registries/status";
import { readDeploymentFile, writeDeploymentFile } from "../chain/deployment";
import { startApi } from "../api/server";
import { type Config, Secret, siweDomainOf } from "../config";
import { type Context, createContext } from "../context";
import { migrate } from "../db";
import { createRegistryStatusSource } from "../guard";
import { createIndexer } from "../indexer";
import type { Deployment } from "../chain/deployment";
import { REGISTRY_NAMES, type RegistryName } from "../registries/ids";
import { type RunningSimulator, startSimulator } from "../simulators";
import { ensurePortsFree } from "../net/ports";
import { startBank } from "./bank";
import { startChainProcess } from "./chainProcess";
import { plannedPorts } from "./ports";
import { configuredRegistryUrls } from "./registryAccess";
import { type DemoWallet, seedSimulator } from "./demo";
import { DEV_ACCOUNT_INDEX, devAccount, devPrivateKey } from "./devAccounts";
import { type PlatformKeys, startRegistryServices } from "./services";
import { builtWebApp } from "./webBuild";

/** How long the API keeps a registry's pause and breaker status for its batch reads. */
const REGISTRY_STATUS_TTL_MS = 250;

export type Platform = {
  ctx: Context;
  apiUrl: string;
  rpcUrl: string;
  deployment: Deployment;
  /** The deployment record other processes join with (DEPLOYMENT_FILE); the embedded chain's is under DATA_DIR. */
  deploymentFile: string;
  simulators: Partial<Record<RegistryName, string>>;
  /** The bank statement API of the fiat collection account (the embedded simulator unless BANK_API_URL). */
  bank: { url: string; simulated: boolean };
  /** Present on the embedded chain only. */
  wallets: DemoWallet[];
  /** An operator API key (every scope) made for this run, on the embedded database only (it is reset each start). */
  operatorKey: string | undefined;
  /** The web app's address, when it is built (`npm run build`; `npm start` builds it). */
  appUrl: string | undefined;
  /** Ordered shutdown: API, services (indexer, simulators, chain), database. True when every hook succeeded. */
  close(reason?: string): Promise<boolean>;
};


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
    const deploymentFile = config.chain.deploymentFile as string;
    return {
      rpcUrl: config.chain.rpcUrl,
      deployment: readDeploymentFile(deploymentFile),
      deploymentFile,
      wallets: [] as DemoWallet[],
    };
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
  const deploymentFile = path.join(config.dataDir, "deployment.json");
  writeDeploymentFile(deploymentFile, chain.deployment);
  return { ...chain, deploymentFile };
}

type Registries = { urls: Partial<Record<RegistryName, string>>; simulators: Partial<Record<RegistryName, RunningSimulator>> };

/** Registries with a configured URL are used as they are; the others get a seeded simulator of their own. */
async function startSimulators(ctx: Context): Promise<Registries> {
  const registries: Registries = { urls: {}, simulators: {} };
  const configured = configuredRegistryUrls(ctx.config);
  for (const [index, registry] of REGISTRY_NAMES.entries()) {
    const external = configured[registry];
    if (external !== undefined) {
      registries.urls[registry] = external;
      continue;
    }
    const simulator: RunningSimulator = await startSimulator(registry, { port: ctx.config.simulatorBasePort + index });
    ctx.shutdown.register("services", `simulator:${registry}`, () => simulator.close());
    seedSimulator(registry, simulator);
    registries.urls[registry] = simulator.url;
    registries.simulators[registry] = simulator;
  }
  return registries;
}

/**
 * The keys of the platform's own roles. The embedded chain's are the development accounts (public test keys); on
 * an external chain they come from GUARDIAN_KEY, AGENT_KEY, RELAYER_KEY and KEEPER_KEY, and oracle nodes run as their own
 * processes (`carbon oracle --key-file`), each operator holding its key.
 */
function platformKeys(config: Config): PlatformKeys {
  if (config.chain.rpcUrl === undefined) {
    const dev = (index: number) => new Secret(devPrivateKey(index));
    return {
      guardian: dev(DEV_ACCOUNT_INDEX.guardian),
      agent: dev(DEV_ACCOUNT_INDEX.deployer),
      relayer: dev(DEV_ACCOUNT_INDEX.relayer),
      keeper: dev(DEV_ACCOUNT_INDEX.keeper),
      oracles: DEV_ACCOUNT_INDEX.oracles.map(devAccount),
    };
  }
  const { guardian, agent, relayer, keeper } = config.keys;
  return { guardian, agent, relayer, keeper, oracles: [] };
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
 * in a child process with the contracts deployed and demo data, unless RPC_URL), registry simulators (for
 * registries without a URL), the bank simulator (unless BANK_API_URL), the indexer, the registry services (guard,
 * workers, deposit and registry watchers,
 * oracle nodes and aggregator, reconciliation: `services.ts`) and the API. A failure part-way shuts down what had
 * started.
 */
export async function startPlatform(config: Config): Promise<Platform> {
  await ensurePortsFree(plannedPorts(config));
  const ctx = await createContext(config, { migrate: false });
  try {
    await prepareDatabase(ctx);
    const registries = await startSimulators(ctx);
    const bank = await startBank(ctx);
    const { rpcUrl, deployment, deploymentFile, wallets } = await startChain(ctx);
    const client = platformPublicClient(rpcUrl);
    registerChainHeadCheck(ctx, client);
    const indexer = createIndexer({ ...ctx }, { client, deployment });
    await indexer.syncToHead();
    indexer.start(); // createIndexer registers its own stop with ctx.shutdown
    // The embedded simulators sign their webhooks with a secret made for this run unless WEBHOOK_SECRET is set.
    const webhookSecret = config.registries.webhookSecret?.reveal() ?? crypto.randomBytes(32).toString("hex");
    const services = await startRegistryServices(ctx, {
      chain: { rpcUrl, deployment, publicClient: client },
      urls: registries.urls,
      simulated: Object.keys(registries.simulators) as RegistryName[],
      webhookSecret,
      keys: platformKeys(config),
      bank,
    });
    // On-chain registry pauses from the index, circuit states and Retry-After blocks from this process's guard,
    // kept 250 ms (a quarter of a block by default): batch reads then cost one query, not three.
    const registryStatus = cachedRegistryStatus(
      chainPauseStatus(ctx.db.pool, createRegistryStatusSource({ guard: services.guard, db: ctx.db.pool })),
      REGISTRY_STATUS_TTL_MS,
    );
    const siwe = { domain: siweDomainOf(config), chainId: deployment.chainId };
    const registryNames = Object.keys(services.adapters) as RegistryName[];
    const appUrl = `http://${config.api.host}:${config.api.port}`;
    const { address } = await startApi({
      ...ctx,
      api: {
        settlement: { chainId: deployment.chainId, address: deployment.settlement },
        siwe,
        registryStatus,
        certificates: { registryBridge: deployment.registryBridge, client, publicUrl: appUrl },
      },
      client: {
        deployment,
        publicRpcUrl: rpcUrl,
        publicUrl: appUrl,
        client,
        registryStatus,
        registries: registryNames,
        siwe,
        custodyAccount: config.registries.custodyAccount,
      },
      web: builtWebApp(),
      deposits: { custodyAccount: config.registries.custodyAccount, registries: registryNames },
      webhooks: { adapters: services.adapters, onChanges: services.watchers.onChanges },
    });
    for (const [registry, simulator] of Object.entries(registries.simulators)) {
      simulator.admin.subscribe({ url: `${address}/webhooks/${registry}`, secret: webhookSecret });
    }
    const operatorKey = await embeddedOperatorKey(ctx);
    const close = (reason = "close") => ctx.shutdown.run(reason);
    const bankView = { url: bank.url, simulated: bank.simulator !== undefined };
    const web = builtWebApp() === undefined ? undefined : `${address}/`;
    return {
      ctx,
      apiUrl: address,
      rpcUrl,
      deployment,
      deploymentFile,
      simulators: registries.urls,
      bank: bankView,
      wallets,
      operatorKey,
      appUrl: web,
      close,
    };
  } catch (error) {
    await ctx.shutdown.run("start-up failed").catch(() => undefined);
    throw error;
  }
}
