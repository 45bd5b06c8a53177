/**
 * One wiring per process role, used by the embedded platform (`services.ts`, `npm start`) and by the processes of
 * their own that production runs (`carbon worker`, `carbon oracle`, `carbon aggregator`): the same parts, the same
 * defaults, every interval from the config (ORACLE_POLL_MS, ORACLE_RESERVE_INTERVAL_MS, AGGREGATOR_WINDOW_MS,
 * WORKER_CONCURRENCY, REGISTRY_RATE_LIMIT_PER_SEC / REGISTRY_BURST), a command-line flag overriding it per process.
 *
 * The differences between the embedded platform and the processes, all intended:
 * - One guard per process. In the platform it is shared by its workers, oracle nodes, watchers and deposit watcher
 *   (one breaker per registry for the whole process); every `carbon worker` and `carbon oracle` process has its own
 *   breaker. The token bucket of a registry is one row in Postgres, shared by every process either way.
 * - Only the platform and `carbon worker` set the bucket's limits (`configure`); an oracle process joins the buckets
 *   (`join`, creating a missing one with its own values), so it cannot undo the limits the operator gave the workers.
 * - Only processes holding GUARDIAN_KEY pause a registry on the bridge when its breaker opens (the platform and
 *   `carbon worker`); an oracle node's breaker only stops its own calls.
 * - The platform runs the request dispatcher even when EMBEDDED_SERVICES leaves its workers out, so requests get
 *   their jobs before a `carbon worker` joins; every worker process runs one too (it is idempotent).
 * - The platform runs the embedded chain's three development oracle keys; `carbon oracle` runs one operator key
 *   read from a file. Each node reads the registries (and the bank) through adapters of its own either way.
 * - The platform's bank is its simulator unless BANK_API_URL is set; `carbon oracle` attests fiat payments only
 *   with BANK_API_URL.
 */
import type { Hex, LocalAccount, PublicClient } from "viem";
import type { Deployment } from "../chain/deployment";
import { createChainReader } from "../chain/reader";
import type { Secret } from "../config";
import type { Context } from "../context";
import { createImmobilizeHandler } from "../deposits/immobilize";
import type { BucketConfig, RegistryGuard } from "../guard";
import { type OracleAggregator, type OracleNode, startOracleAggregator, startOracleNode } from "../oracle";
import type { RegistryName } from "../registries/ids";
import type { RegistryPort } from "../registries/port";
import { createRelayer } from "../relayer";
import { createRequestDispatcher } from "../requests/dispatch";
import { type RegistryWorkers, type WorkerGuard, createWorkerGuard, startRegistryWorkers } from "../workers/runner";
import { type BankAccess, paymentSourceFor } from "./bank";

export type Adapters = Partial<Record<RegistryName, RegistryPort>>;

/** The chain a role talks to. */
export type ChainAccess = { rpcUrl: string; deployment: Deployment; publicClient: PublicClient };

export type StartGuardParameters = {
  registries: readonly RegistryName[];
  /** A per-process override of the shared bucket (`carbon worker --rate-limit --burst`); default the config's. */
  rateLimit?: Partial<BucketConfig> | undefined;
  /** `configure`: this process sets the buckets' limits (workers, the platform); `join`: it only joins them. */
  buckets: "configure" | "join";
  /** With the guardian's key, an opening breaker pauses the registry on the bridge through a relayer. */
  guardian?: { key: Secret<Hex>; chain: ChainAccess } | undefined;
};

/** The registry guard of a process: shared buckets, breakers, and the bridge pause when the process has the key. */
export async function startGuard(ctx: Context, params: StartGuardParameters): Promise<WorkerGuard> {
  const limits = { ...ctx.config.workers.rateLimit, ...params.rateLimit };
  const guardian =
    params.guardian === undefined
      ? undefined
      : {
          relayer: createRelayer(ctx, { rpcUrl: params.guardian.chain.rpcUrl, keys: [params.guardian.key] }),
          bridge: params.guardian.chain.deployment.registryBridge,
          chain: createChainReader(params.guardian.chain.publicClient, params.guardian.chain.deployment),
        };
  return createWorkerGuard(ctx, {
    registries: Object.fromEntries(params.registries.map((registry) => [registry, limits])),
    guardian,
    buckets: params.buckets,
  });
}

export type StartWorkerRoleParameters = {
  adapters: Adapters;
  guard: RegistryGuard;
  /** False: only the request dispatcher (the platform with EMBEDDED_SERVICES leaving its workers out). */
  workers: boolean;
  /** Default WORKER_CONCURRENCY. */
  concurrency?: number | undefined;
};

/** The worker role: the request dispatcher and the registry workers (retire, withdraw, immobilize jobs). */
export async function startWorkerRole(ctx: Context, params: StartWorkerRoleParameters): Promise<RegistryWorkers | undefined> {
  await createRequestDispatcher(ctx).start();
  if (!params.workers) return undefined;
  const { adapters, guard } = params;
  const custodyAccount = ctx.config.registries.custodyAccount;
  const immobilize = createImmobilizeHandler({ adapters, guard, custodyAccount, db: ctx.db.pool });
  return startRegistryWorkers(ctx, {
    adapters,
    guard,
    custodyAccount,
    concurrency: params.concurrency ?? ctx.config.workers.concurrency,
    handlers: { immobilize },
  });
}

export type StartOracleRoleParameters = {
  account: LocalAccount;
  /** This node's own adapter instances (never shared with workers or other nodes). */
  adapters: Adapters;
  guard: RegistryGuard;
  chain: ChainAccess;
  /** The fiat collection account's bank; absent: the node attests no FIAT_PAYMENT_RECEIVED. */
  bank?: BankAccess | undefined;
  /** Defaults ORACLE_POLL_MS and ORACLE_RESERVE_INTERVAL_MS. */
  pollMs?: number | undefined;
  reserveIntervalMs?: number | undefined;
};

/** One oracle node. */
export function startOracleRole(ctx: Context, params: StartOracleRoleParameters): OracleNode {
  const { config } = ctx;
  return startOracleNode(ctx, {
    account: params.account,
    adapters: params.adapters,
    payments: params.bank === undefined ? undefined : paymentSourceFor(config, params.bank),
    guard: params.guard,
    custodyAccount: config.registries.custodyAccount,
    deployment: params.chain.deployment,
    publicClient: params.chain.publicClient,
    pollMs: params.pollMs ?? config.oracle.pollMs,
    reserveIntervalMs: params.reserveIntervalMs ?? config.oracle.reserveIntervalMs,
  });
}

export type StartAggregatorRoleParameters = {
  /** RELAYER_KEY (the embedded chain's development relayer key in the platform). */
  relayerKey: Secret<Hex>;
  chain: ChainAccess;
  /** Default AGGREGATOR_WINDOW_MS. */
  windowMs?: number | undefined;
};

/** The aggregator relaying the oracle quorums, confirmations in batches. */
export function startAggregatorRole(ctx: Context, params: StartAggregatorRoleParameters): OracleAggregator {
  const relayer = createRelayer(ctx, { rpcUrl: params.chain.rpcUrl, keys: [params.relayerKey] });
  const { deployment, publicClient } = params.chain;
  return startOracleAggregator(ctx, {
    relayer,
    deployment,
    publicClient,
    windowMs: params.windowMs ?? ctx.config.oracle.aggregatorWindowMs,
  });
}
