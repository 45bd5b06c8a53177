/**
 * The registry side of the platform, as one process runs it (`npm start`; production splits the same parts into
 * `carbon worker`, `carbon oracle` and `carbon aggregator` processes):
 *
 * - the registry guard (shared rate limits in Postgres, circuit breakers) with the guardian's on-chain pause;
 * - the request dispatcher and the registry workers (retire, withdraw, immobilize jobs);
 * - the deposit watcher (intents whose block arrived in custody);
 * - the registry watchers (polling, the change applier, custody snapshots; webhooks arrive through the API);
 * - the oracle nodes (one per key, each with its own registry adapters and bank statement reader) and the
 *   aggregator relaying their quorums;
 * - the reconciler, freezing batches with the agent's key;
 * - the deal keeper, starting the registry delivery and settling deals whose conditions hold, with its own key.
 *
 * A part whose key is missing (guardian, agent, relayer, keeper, oracle keys on an external chain) is left out with a
 * warning saying what it costs; everything else still runs. EMBEDDED_SERVICES leaves the workers, the oracle nodes or
 * the aggregator to processes of their own, which join with DATABASE_URL, RPC_URL and DEPLOYMENT_FILE.
 */
import type { Hex, LocalAccount, PublicClient } from "viem";
import { platformClients } from "../chain/clients";
import type { Secret } from "../config";
import type { Context } from "../context";
import { createDealKeeper } from "../deals/keeper";
import { createDepositWatcher, createImmobilizeHandler } from "../deposits";
import type { BridgePauser, RegistryGuard } from "../guard";
import type { Deployment } from "../indexer/types";
import { createChainReader, startOracleAggregator, startOracleNode } from "../oracle";
import { createBatchFreezer, createReconciler } from "../reconciliation";
import type { RegistryName } from "../registries/ids";
import type { RegistryPort } from "../registries/port";
import { createRelayer } from "../relayer";
import { type RegistryWatchers, createRegistryWatchers } from "../watchers";
import { createRequestDispatcher, createWorkerGuard, startRegistryWorkers } from "../workers";
import { type BankAccess, paymentSourceFor } from "./bank";
import { registryAdaptersFor } from "./registryAccess";

export type PlatformKeys = {
  /** Pauses a registry on the bridge while its breaker is open. */
  guardian?: LocalAccount | undefined;
  /** CreditToken agent: freezes batches on reconciliation findings. */
  agent?: LocalAccount | undefined;
  /** Sends the aggregator's quorum transactions. */
  relayer?: Secret<Hex> | undefined;
  /** Sends the deal keeper's startDelivery / settleDeal transactions. */
  keeper?: Secret<Hex> | undefined;
  /** Oracle nodes run in this process (the embedded default: three). */
  oracles: LocalAccount[];
};

export type StartRegistryServicesParameters = {
  rpcUrl: string;
  deployment: Deployment;
  publicClient: PublicClient;
  /** Base URL per registry. */
  urls: Partial<Record<RegistryName, string>>;
  /** Registries served by the platform's own simulators. */
  simulated: readonly RegistryName[];
  webhookSecret: string;
  keys: PlatformKeys;
  /** Oracle reserve attestations per batch (default hourly). */
  reserveIntervalMs?: number;
  /** The collection account's bank, which oracle nodes read for FIAT_PAYMENT_RECEIVED; absent: no fiat attestations. */
  bank?: BankAccess | undefined;
};

export type RegistryServices = {
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  guard: RegistryGuard;
  pauser: BridgePauser | undefined;
  watchers: RegistryWatchers;
};

export async function startRegistryServices(ctx: Context, params: StartRegistryServicesParameters): Promise<RegistryServices> {
  const { config, logger } = ctx;
  const { deployment, publicClient, rpcUrl, keys } = params;
  const custodyAccount = config.registries.custodyAccount;
  const adaptersOf = () => registryAdaptersFor(config, { urls: params.urls, simulated: params.simulated, webhookSecret: params.webhookSecret });
  const adapters = adaptersOf();
  const registries = Object.keys(adapters) as RegistryName[];

  const guardian = keys.guardian === undefined ? undefined : { ...platformClients(keys.guardian, deployment, rpcUrl), bridge: deployment.registryBridge };
  if (guardian === undefined) logger.warn("no GUARDIAN_KEY: an open circuit breaker will not pause its registry on the bridge");
  const { guard, pauser } = await createWorkerGuard(ctx, {
    registries: Object.fromEntries(registries.map((registry) => [registry, config.workers.rateLimit])),
    guardian,
  });

  const embedded = config.embeddedServices;
  await createRequestDispatcher(ctx).start();
  if (embedded.has("workers")) {
    const immobilize = createImmobilizeHandler({ adapters, guard, custodyAccount, db: ctx.db.pool });
    await startRegistryWorkers(ctx, { adapters, guard, custodyAccount, concurrency: config.workers.concurrency, handlers: { immobilize } });
  } else {
    logger.info("EMBEDDED_SERVICES without workers: registry jobs wait for `carbon worker` processes");
  }
  createDepositWatcher(ctx, { adapters, guard, custodyAccount, intervalMs: 2_000, chain: createChainReader(publicClient, deployment) }).start();
  const watchers = createRegistryWatchers(ctx, { adapters, guard, custodyAccount });
  watchers.start();

  // Each oracle node reads the registries and the bank through adapters of its own (its own view, never another
  // node's). In one process they also share its guard: the registry's rate limit counts every call from this platform.
  if (params.bank === undefined) logger.warn("no bank: oracle nodes attest no FIAT_PAYMENT_RECEIVED, fiat deals cannot settle");
  for (const account of embedded.has("oracles") ? keys.oracles : []) {
    startOracleNode(ctx, {
      account,
      adapters: adaptersOf(),
      payments: params.bank === undefined ? undefined : paymentSourceFor(config, params.bank),
      guard,
      custodyAccount,
      deployment,
      publicClient,
      pollMs: 1_000,
      reserveIntervalMs: params.reserveIntervalMs ?? 3_600_000,
    });
  }
  if (!embedded.has("aggregator")) {
    logger.info("EMBEDDED_SERVICES without aggregator: oracle quorums are relayed by a `carbon aggregator` process");
  } else if (keys.relayer === undefined) {
    logger.warn("no RELAYER_KEY: oracle quorums are not relayed from this process (run `carbon aggregator`)");
  } else {
    const relayer = createRelayer(ctx, { rpcUrl, keys: [keys.relayer] });
    startOracleAggregator(ctx, { relayer, deployment, publicClient, windowMs: 250 });
  }

  const freezer =
    keys.agent === undefined
      ? undefined
      : createBatchFreezer({ walletClient: platformClients(keys.agent, deployment, rpcUrl).walletClient, creditToken: deployment.creditToken, logger });
  if (freezer === undefined) logger.warn("no AGENT_KEY: reconciliation reports discrepancies but cannot freeze batches");
  createReconciler(ctx, {
    intervalMs: config.reconciliation.intervalMs,
    ...(freezer === undefined ? {} : { onDiscrepancy: freezer.onDiscrepancy }),
  }).start();

  if (keys.keeper === undefined) {
    logger.warn("no KEEPER_KEY: deals whose conditions hold wait for a party to call startDelivery / settleDeal");
  } else {
    const relayer = createRelayer(ctx, { rpcUrl, keys: [keys.keeper] });
    createDealKeeper(ctx, { relayer, settlement: deployment.settlement }).start();
  }

  return { adapters, guard, pauser, watchers };
}
