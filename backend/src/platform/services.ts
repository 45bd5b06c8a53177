/**
 * The registry side of the platform, as one process runs it (`npm start`; production splits the worker, oracle and
 * aggregator roles into `carbon worker`, `carbon oracle` and `carbon aggregator` processes, wired by the same
 * `roles.ts`):
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
 * Every transaction goes through a relayer holding the role's key. A part whose key is missing (guardian, agent,
 * relayer, keeper, oracle keys on an external chain) is left out with a warning saying what it costs; everything
 * else still runs. EMBEDDED_SERVICES leaves the workers, the oracle nodes or the aggregator to processes of their
 * own, which join with DATABASE_URL, RPC_URL and DEPLOYMENT_FILE.
 */
import type { Hex, LocalAccount } from "viem";
import { createChainReader } from "../chain/reader";
import type { Secret } from "../config";
import type { Context } from "../context";
import { createDealKeeper } from "../deals/keeper";
import { createDepositWatcher } from "../deposits/watcher";
import type { BridgePauser, RegistryGuard } from "../guard";
import { createBatchFreezer, createReconciler } from "../reconciliation";
import type { RegistryName } from "../registries/ids";
import type { RegistryPort } from "../registries/port";
import { createRelayer } from "../relayer";
import { type RegistryWatchers, createRegistryWatchers } from "../watchers";
import type { BankAccess } from "./bank";
import { registryAdaptersFor } from "./registryAccess";
import { type ChainAccess, startAggregatorRole, startGuard, startOracleRole, startWorkerRole } from "./roles";

export type PlatformKeys = {
  /** Pauses a registry on the bridge while its breaker is open. */
  guardian?: Secret<Hex> | undefined;
  /** CreditToken agent: freezes batches on reconciliation findings. */
  agent?: Secret<Hex> | undefined;
  /** Sends the aggregator's quorum transactions. */
  relayer?: Secret<Hex> | undefined;
  /** Sends the deal keeper's startDelivery / settleDeal transactions. */
  keeper?: Secret<Hex> | undefined;
  /** Oracle nodes run in this process (the embedded default: three). */
  oracles: LocalAccount[];
};

export type StartRegistryServicesParameters = {
  chain: ChainAccess;
  /** Base URL per registry. */
  urls: Partial<Record<RegistryName, string>>;
  /** Registries served by the platform's own simulators. */
  simulated: readonly RegistryName[];
  webhookSecret: string;
  keys: PlatformKeys;
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
  const { chain, keys } = params;
  const custodyAccount = config.registries.custodyAccount;
  const adaptersOf = () =>
    registryAdaptersFor(config, { urls: params.urls, simulated: params.simulated, webhookSecret: params.webhookSecret });
  const adapters = adaptersOf();
  const registries = Object.keys(adapters) as RegistryName[];

  if (keys.guardian === undefined)
    logger.warn("no GUARDIAN_KEY: an open circuit breaker will not pause its registry on the bridge");
  const guardian = keys.guardian === undefined ? undefined : { key: keys.guardian, chain };
  const { guard, pauser } = await startGuard(ctx, { registries, buckets: "configure", guardian });

  const embedded = config.embeddedServices;
  await startWorkerRole(ctx, { adapters, guard, workers: embedded.has("workers") });
  if (!embedded.has("workers"))
    logger.info("EMBEDDED_SERVICES without workers: registry jobs wait for `carbon worker` processes");
  const reader = createChainReader(chain.publicClient, chain.deployment);
  createDepositWatcher(ctx, {
    adapters,
    guard,
    custodyAccount,
    intervalMs: config.deposits.watchIntervalMs,
    chain: reader,
  }).start();
  const watchers = createRegistryWatchers(ctx, { adapters, guard, custodyAccount });
  watchers.start();

  // Each oracle node reads the registries and the bank through adapters of its own (its own view, never another
  // node's). In one process they also share its guard: the registry's rate limit counts every call from this platform.
  if (params.bank === undefined) logger.warn("no bank: oracle nodes attest no FIAT_PAYMENT_RECEIVED, fiat deals cannot settle");
  for (const account of embedded.has("oracles") ? keys.oracles : []) {
    startOracleRole(ctx, { account, adapters: adaptersOf(), guard, chain, bank: params.bank });
  }
  if (!embedded.has("aggregator")) {
    logger.info("EMBEDDED_SERVICES without aggregator: oracle quorums are relayed by a `carbon aggregator` process");
  } else if (keys.relayer === undefined) {
    logger.warn("no RELAYER_KEY: oracle quorums are not relayed from this process (run `carbon aggregator`)");
  } else {
    startAggregatorRole(ctx, { relayerKey: keys.relayer, chain });
  }

  const freezer =
    keys.agent === undefined
      ? undefined
      : createBatchFreezer({
          relayer: createRelayer(ctx, { rpcUrl: chain.rpcUrl, keys: [keys.agent] }),
          creditToken: chain.deployment.creditToken,
          logger,
        });
  if (freezer === undefined) logger.warn("no AGENT_KEY: reconciliation reports discrepancies but cannot freeze batches");
  createReconciler(ctx, {
    intervalMs: config.reconciliation.intervalMs,
    ...(freezer === undefined ? {} : { onDiscrepancy: freezer.onDiscrepancy }),
  }).start();

  if (keys.keeper === undefined) {
    logger.warn("no KEEPER_KEY: deals whose conditions hold wait for a party to call startDelivery / settleDeal");
  } else {
    const relayer = createRelayer(ctx, { rpcUrl: chain.rpcUrl, keys: [keys.keeper] });
    createDealKeeper(ctx, { relayer, settlement: chain.deployment.settlement }).start();
  }

  return { adapters, guard, pauser, watchers };
}
