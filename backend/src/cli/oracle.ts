/**
 * `carbon oracle --key-file <path>`: one oracle node with the operator's own key (a file holding a 0x private key,
 * readable by its owner only). `carbon aggregator`: collects the nodes' signatures to the on-chain threshold and
 * relays with RELAYER_KEY. Both need DATABASE_URL (the shared board), RPC_URL and DEPLOYMENT_FILE; the node needs
 * the registry URLs (VERRA_API_URL, ...) and CUSTODY_ACCOUNT, and for fiat deals BANK_API_URL, BANK_API_KEY,
 * BANK_ACCOUNT and FIAT_CURRENCY. The key is never logged or echoed.
 */
import fs from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { privateKeyToAccount } from "viem/accounts";
import { platformPublicClient } from "../chain/clients";
import { readDeploymentFile } from "../chain/deployment";
import { type Config, loadConfig } from "../config";
import { type Context, createContext } from "../context";
import { handleSignals } from "../shutdown";
import { ValidationError } from "../errors";
import { configuredBank } from "../platform/bank";
import { configuredRegistryUrls, registryAdaptersFor } from "../platform/registryAccess";
import { type ChainAccess, startAggregatorRole, startGuard, startOracleRole } from "../platform/roles";
import type { RegistryName } from "../registries/ids";

/** The operator's private key from `file`; refuses a file group or others may read (or write). */
export function readKeyFile(file: string): `0x${string}` {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ValidationError("keyFile", `cannot read key file ${file}`);
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(3, "0");
    throw new ValidationError(
      "keyFile",
      `key file ${file} is accessible by group or others (mode ${mode}); run: chmod 600 ${file}`,
    );
  }
  const key = fs.readFileSync(file, "utf8").trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new ValidationError("keyFile", `key file ${file} must hold 0x followed by 64 hex digits`);
  return key as `0x${string}`;
}

/** The chain every oracle process needs, or a ValidationError naming what is missing. */
function chainOf(config: Config): ChainAccess {
  const missing = [
    config.database.url === undefined ? "DATABASE_URL" : undefined,
    config.chain.rpcUrl === undefined ? "RPC_URL" : undefined,
    config.chain.deploymentFile === undefined ? "DEPLOYMENT_FILE" : undefined,
  ].filter((key) => key !== undefined);
  if (missing.length > 0)
    throw new ValidationError(missing[0] as string, `set ${missing.join(", ")} (an oracle process joins a running platform)`);
  const rpcUrl = config.chain.rpcUrl as string;
  return {
    rpcUrl,
    deployment: readDeploymentFile(config.chain.deploymentFile as string),
    publicClient: platformPublicClient(rpcUrl),
  };
}

async function openContext(config: Config): Promise<Context> {
  const ctx = await createContext(config);
  handleSignals(ctx);
  return ctx;
}

/** `--poll-ms` and `--reserve-interval-ms` override ORACLE_POLL_MS and ORACLE_RESERVE_INTERVAL_MS. */
export type OracleCommandParameters = { keyFile: string; pollMs?: number | undefined; reserveIntervalMs?: number | undefined };

export async function runOracleNode(options: OracleCommandParameters, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const account = privateKeyToAccount(readKeyFile(options.keyFile));
  const config = loadConfig(env);
  const chain = chainOf(config);
  const adapters = registryAdaptersFor(config, { urls: configuredRegistryUrls(config) });
  if (Object.keys(adapters).length === 0)
    throw new ValidationError("VERRA_API_URL", "set at least one registry URL (VERRA_API_URL, ...)");
  const bank = configuredBank(config);
  const ctx = await openContext(config);
  if (bank === undefined) ctx.logger.warn("no BANK_API_URL: this node attests no FIAT_PAYMENT_RECEIVED");
  // Joins the shared rate limit of its registries (creating a missing bucket, never changing the workers' limits).
  const { guard } = await startGuard(ctx, { registries: Object.keys(adapters) as RegistryName[], buckets: "join" });
  startOracleRole(ctx, {
    account,
    adapters,
    guard,
    chain,
    bank,
    pollMs: options.pollMs,
    reserveIntervalMs: options.reserveIntervalMs,
  });
}

/** `--window-ms` overrides AGGREGATOR_WINDOW_MS. */
export type AggregatorCommandParameters = { windowMs?: number | undefined };

export async function runAggregator(options: AggregatorCommandParameters, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env);
  const chain = chainOf(config);
  const relayerKey = config.keys.relayer;
  if (relayerKey === undefined)
    throw new ValidationError("RELAYER_KEY", "set RELAYER_KEY (the aggregator sends the transactions)");
  const ctx = await openContext(config);
  startAggregatorRole(ctx, { relayerKey, chain, windowMs: options.windowMs });
}

function parseMs(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`expected milliseconds, got ${text}`);
  return Number(text);
}

export function oracleCommand(): Command {
  return new Command("oracle")
    .description("run one oracle node: read the registries and the chain, sign attestations with the operator's key")
    .requiredOption("--key-file <path>", "file holding the node's 0x private key (mode 600)")
    .option("--poll-ms <ms>", "pause between passes over the to-do list (default ORACLE_POLL_MS)", parseMs)
    .option("--reserve-interval-ms <ms>", "reserve attestation interval, 0: off (default ORACLE_RESERVE_INTERVAL_MS)", parseMs)
    .action((options: OracleCommandParameters) => runOracleNode(options));
}

export function aggregatorCommand(): Command {
  return new Command("aggregator")
    .description("collect oracle signatures to the on-chain threshold and relay them (RELAYER_KEY), confirmations in batches")
    .option("--window-ms <ms>", "how long a ready confirmation waits for company (default AGGREGATOR_WINDOW_MS)", parseMs)
    .action((options: AggregatorCommandParameters) => runAggregator(options));
}
