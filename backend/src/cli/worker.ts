/**
 * `carbon worker [--registry <name...>] [--concurrency N] [--rate-limit N --burst N]`: a registry worker process.
 * Claims `retire` / `withdraw` / `immobilize` jobs from the platform's database (DATABASE_URL; never the embedded one, which
 * belongs to the `carbon start` process), sends them to the registries configured by VERRA_API_URL,
 * GOLD_STANDARD_API_URL, IREC_API_URL, IN_CCTS_API_URL from CUSTODY_ACCOUNT, and also runs the request
 * dispatcher (idempotent: any number of processes may run it). With RPC_URL + DEPLOYMENT_FILE + GUARDIAN_KEY an
 * opening circuit breaker pauses that registry on RegistryBridge and its closing unpauses it.
 *
 * Every worker process shares one token bucket per registry in Postgres: `--rate-limit` / `--burst` rewrite the
 * shared bucket, so give every process (and the platform) the same values. SIGTERM / SIGINT: no new claims, jobs
 * in flight finish, then exit.
 */
import { Command, InvalidArgumentError } from "commander";
import { platformPublicClient } from "../chain/clients";
import { readDeploymentFile } from "../chain/deployment";
import { type Config, loadConfig } from "../config";
import { type Context, createContext } from "../context";
import { handleSignals } from "../shutdown";
import { configuredRegistryUrls, registryAdaptersFor } from "../platform/registryAccess";
import { type StartGuardParameters, startGuard, startWorkerRole } from "../platform/roles";
import { REGISTRY_CLI_NAMES, REGISTRY_NAMES, type RegistryName } from "../registries/ids";

export type WorkerCommandParameters = {
  registry?: string[];
  concurrency?: number;
  /** Default REGISTRY_RATE_LIMIT_PER_SEC / REGISTRY_BURST. */
  rateLimit?: number;
  burst?: number;
};

const URL_ENV: Record<RegistryName, string> = {
  VERRA: "VERRA_API_URL",
  GOLD_STANDARD: "GOLD_STANDARD_API_URL",
  IREC: "IREC_API_URL",
  IN_CCTS: "IN_CCTS_API_URL",
};

/** The registries to serve and their URLs: the ones named (each must have a URL), else every one with a URL. */
export function workerRegistries(config: Config, names: string[] | undefined): Partial<Record<RegistryName, string>> {
  const configured = configuredRegistryUrls(config);
  const wanted =
    names === undefined
      ? REGISTRY_NAMES.filter((registry) => configured[registry] !== undefined)
      : names.map((name) => {
          const registry = REGISTRY_CLI_NAMES[name] ?? REGISTRY_NAMES.find((candidate) => candidate === name);
          if (registry === undefined)
            throw new InvalidArgumentError(
              `unknown registry ${name}; expected one of ${Object.keys(REGISTRY_CLI_NAMES).join(", ")}`,
            );
          if (configured[registry] === undefined) throw new Error(`--registry ${name}: ${URL_ENV[registry]} is not set`);
          return registry;
        });
  if (wanted.length === 0) throw new Error(`no registry to serve: set at least one of ${Object.values(URL_ENV).join(", ")}`);
  return Object.fromEntries(wanted.map((registry) => [registry, configured[registry]]));
}

/** The guardian's key and chain when RPC_URL, DEPLOYMENT_FILE and GUARDIAN_KEY are all set; undefined otherwise. */
function guardianOf(config: Config): StartGuardParameters["guardian"] {
  const { rpcUrl, deploymentFile } = config.chain;
  const key = config.keys.guardian;
  if (rpcUrl === undefined || deploymentFile === undefined || key === undefined) return undefined;
  return { key, chain: { rpcUrl, deployment: readDeploymentFile(deploymentFile), publicClient: platformPublicClient(rpcUrl) } };
}

/** Starts the worker process's parts on `config`; resolves once it claims jobs. Stop with `ctx.shutdown.run()`. */
export async function startWorkerProcess(config: Config, options: WorkerCommandParameters): Promise<Context> {
  if (config.database.url === undefined) {
    throw new Error(
      "carbon worker needs DATABASE_URL: a worker process shares the platform's database, and the embedded " +
        "database belongs to the `carbon start` process (which runs its own workers)",
    );
  }
  const urls = workerRegistries(config, options.registry);
  const ctx = await createContext(config);
  try {
    const guardian = guardianOf(config);
    const rateLimit = { capacity: options.burst, refillPerSec: options.rateLimit };
    const limits = Object.fromEntries(Object.entries(rateLimit).filter(([, value]) => value !== undefined));
    const { guard } = await startGuard(ctx, {
      registries: Object.keys(urls) as RegistryName[],
      rateLimit: limits,
      buckets: "configure",
      guardian,
    });
    const adapters = registryAdaptersFor(config, { urls });
    const concurrency = options.concurrency ?? config.workers.concurrency;
    await startWorkerRole(ctx, { adapters, guard, workers: true, concurrency });
    ctx.logger.info(
      {
        registries: Object.keys(urls),
        concurrency,
        custodyAccount: config.registries.custodyAccount,
        guardianPausing: guardian !== undefined,
      },
      "registry worker ready",
    );
    return ctx;
  } catch (error) {
    await ctx.shutdown.run("start failed");
    throw error;
  }
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError("expected a positive number");
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = positive(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}

export function workerCommand(): Command {
  return new Command("worker")
    .description("run a registry worker process (needs DATABASE_URL and registry URLs; SIGTERM finishes jobs in flight)")
    .option("--registry <name...>", `serve only these registries (${Object.keys(REGISTRY_CLI_NAMES).join(", ")})`)
    .option("--concurrency <n>", "jobs at the same time (default WORKER_CONCURRENCY)", positiveInteger)
    .option(
      "--rate-limit <perSec>",
      "shared calls per second per registry (same value in every process; default REGISTRY_RATE_LIMIT_PER_SEC)",
      positive,
    )
    .option("--burst <n>", "shared burst per registry (same value in every process; default REGISTRY_BURST)", positiveInteger)
    .action(async (options: WorkerCommandParameters) => {
      const ctx = await startWorkerProcess(loadConfig(), options);
      handleSignals(ctx);
    });
}
