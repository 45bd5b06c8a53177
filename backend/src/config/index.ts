import path from "node:path";
import { BaseError } from "../errors";
import { type EmbeddableService, type Env, ENV_KEYS, SECRET_KEYS, envSchema } from "./schema";
import type { Secret } from "./secret";

export { Secret, redactUrl } from "./secret";
export { EMBEDDABLE_SERVICES, type EmbeddableService } from "./schema";

/** The parsed configuration, grouped by the part of the backend that reads it. */
export type Config = {
  /** Absolute path of the folder for local state (embedded PostgreSQL lives under `<dataDir>/pg`). */
  dataDir: string;
  logLevel: Env["LOG_LEVEL"];
  /** `url` absent: start an embedded PostgreSQL on `embeddedPort`. */
  database: { url: Secret | undefined; embeddedPort: number };
  /** `rpcUrl` absent: the embedded Hardhat node. `blockTimeMs` 0 means automine. */
  chain: {
    rpcUrl: string | undefined;
    chainId: number;
    confirmations: number;
    blockTimeMs: number;
    /** JSON-RPC port of the embedded node. */
    embeddedRpcPort: number;
    /** Absolute path of the deployment record to use with `rpcUrl`. */
    deploymentFile: string | undefined;
  };
  /** First port of the embedded simulators (used only for registries without a URL). */
  simulatorBasePort: number;
  /** `siweDomain`: the authority in Sign-In with Ethereum messages (the public host, behind a load balancer). */
  api: { host: string; port: number; siweDomain: string };
  /** Registry API base URLs; absent means the embedded simulator. */
  registries: {
    verra: string | undefined;
    goldStandard: string | undefined;
    irec: string | undefined;
    inCcts: string | undefined;
    /** I-REC credentials (both or neither); absent: the embedded simulator's. */
    irecCredentials: { username: string; password: Secret } | undefined;
    /** India CCTS `x-api-key`; absent: the embedded simulator's key. */
    inCctsApiKey: Secret | undefined;
    /** The platform's custody account (same name at every registry). */
    custodyAccount: string;
    /** HMAC secret of registry webhooks; absent: the embedded stack generates one per run. */
    webhookSecret: Secret | undefined;
  };
  /**
   * Fiat legs of escrow deals: the bank statement API of the collection account (`bankUrl` absent: the embedded
   * simulator on `simulatorPort`), and the ISO 4217 currency whose minor unit fiat prices are in.
   */
  payments: {
    bankUrl: string | undefined;
    bankApiKey: Secret | undefined;
    collectionAccount: string;
    currency: string;
    simulatorPort: number;
  };
  /** Registry worker processes; `rateLimit` is the shared per-registry token bucket of every process. */
  workers: { concurrency: number; rateLimit: { capacity: number; refillPerSec: number } };
  /** Registry-side parts `carbon start` runs in its own process (the rest run as processes of their own). */
  embeddedServices: ReadonlySet<EmbeddableService>;
  /** Continuous reconciliation (registry custody against chain state). */
  reconciliation: { intervalMs: number };
  keys: {
    deployer: Secret<`0x${string}`> | undefined;
    guardian: Secret<`0x${string}`> | undefined;
    relayer: Secret<`0x${string}`> | undefined;
    agent: Secret<`0x${string}`> | undefined;
    keeper: Secret<`0x${string}`> | undefined;
  };
  oracle: { threshold: number };
  /** Evidence packages (docs/evidence.md): the TSA, the commit to name without git, the log's anchor key. */
  evidence: { tsaUrl: string | undefined; tsaTimeoutMs: number; softwareCommit: string | undefined; anchorKey: Secret<`0x${string}`> | undefined };
};

export type ConfigIssue = { key: string; message: string };

/** Start-up configuration is invalid. Lists every bad key; never includes the value of a secret. */
export class ConfigError extends BaseError {
  override name = "ConfigError";
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map((issue) => `${issue.key}: ${issue.message}`).join("; ")}`, {
      code: "CONFIG_INVALID",
      retryable: false,
      details: { keys: issues.map((issue) => issue.key) },
    });
    this.issues = issues;
  }
}

/**
 * Parses the environment once. Throws one `ConfigError` naming every bad key and why. Empty strings count as
 * absent, so `PORT=` in a `.env` file falls back to the default instead of failing.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of ENV_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const result = envSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join(".") || "(root)";
      const got = SECRET_KEYS.has(key) || raw[key] === undefined ? "" : `, got ${JSON.stringify(raw[key])}`;
      return { key, message: `${issue.message}${got}` };
    });
    throw new ConfigError(issues);
  }
  if ((result.data.IREC_USERNAME === undefined) !== (result.data.IREC_PASSWORD === undefined)) {
    throw new ConfigError([{ key: result.data.IREC_USERNAME === undefined ? "IREC_USERNAME" : "IREC_PASSWORD", message: "set IREC_USERNAME and IREC_PASSWORD together" }]);
  }
  if (result.data.BANK_API_URL !== undefined && result.data.BANK_API_KEY === undefined) {
    throw new ConfigError([{ key: "BANK_API_KEY", message: "required with BANK_API_URL (the statement API's bearer key)" }]);
  }
  if (result.data.RPC_URL !== undefined && result.data.DEPLOYMENT_FILE === undefined) {
    throw new ConfigError([{ key: "DEPLOYMENT_FILE", message: "required with RPC_URL (the contract addresses to use)" }]);
  }
  return toConfig(result.data);
}

function toConfig(env: Env): Config {
  return {
    dataDir: path.resolve(env.DATA_DIR),
    logLevel: env.LOG_LEVEL,
    database: { url: env.DATABASE_URL, embeddedPort: env.EMBEDDED_PG_PORT },
    chain: {
      rpcUrl: env.RPC_URL,
      chainId: env.CHAIN_ID,
      confirmations: env.CONFIRMATIONS,
      blockTimeMs: env.BLOCK_TIME_MS,
      embeddedRpcPort: env.RPC_PORT,
      deploymentFile: env.DEPLOYMENT_FILE === undefined ? undefined : path.resolve(env.DEPLOYMENT_FILE),
    },
    simulatorBasePort: env.SIMULATOR_BASE_PORT,
    api: { host: env.HOST, port: env.PORT, siweDomain: env.SIWE_DOMAIN ?? `${env.HOST}:${env.PORT}` },
    registries: {
      verra: env.VERRA_API_URL,
      goldStandard: env.GOLD_STANDARD_API_URL,
      irec: env.IREC_API_URL,
      inCcts: env.IN_CCTS_API_URL,
      irecCredentials: env.IREC_USERNAME === undefined || env.IREC_PASSWORD === undefined ? undefined : { username: env.IREC_USERNAME, password: env.IREC_PASSWORD },
      inCctsApiKey: env.IN_CCTS_API_KEY,
      custodyAccount: env.CUSTODY_ACCOUNT,
      webhookSecret: env.WEBHOOK_SECRET,
    },
    payments: {
      bankUrl: env.BANK_API_URL,
      bankApiKey: env.BANK_API_KEY,
      collectionAccount: env.BANK_ACCOUNT,
      currency: env.FIAT_CURRENCY,
      simulatorPort: env.BANK_SIMULATOR_PORT,
    },
    workers: {
      concurrency: env.WORKER_CONCURRENCY,
      rateLimit: { capacity: env.REGISTRY_BURST, refillPerSec: env.REGISTRY_RATE_LIMIT_PER_SEC },
    },
    embeddedServices: env.EMBEDDED_SERVICES,
    reconciliation: { intervalMs: env.RECONCILE_INTERVAL_MS },
    keys: { deployer: env.DEPLOYER_KEY, guardian: env.GUARDIAN_KEY, relayer: env.RELAYER_KEY, agent: env.AGENT_KEY, keeper: env.KEEPER_KEY },
    oracle: { threshold: env.ORACLE_THRESHOLD },
    evidence: { tsaUrl: env.EVIDENCE_TSA_URL, tsaTimeoutMs: env.EVIDENCE_TSA_TIMEOUT_MS, softwareCommit: env.EVIDENCE_SOFTWARE_COMMIT, anchorKey: env.EVIDENCE_ANCHOR_KEY },
  };
}
