/**
 * The one configuration schema: a tree of settings, each naming its environment variable, its zod schema (default
 * included) and whether it is a secret. `Config` (index.ts) is inferred from this tree, so a new setting is one line
 * here. Every value arrives as a string; empty strings count as absent. A secret's value is wrapped in a `Secret`
 * and is never echoed in an error message. Checks across settings are `CROSS_CHECKS`, below the tree.
 */
import path from "node:path";
import { z } from "zod";
import { Secret } from "./secret";

/** One environment variable. */
export type Setting<S extends z.ZodType = z.ZodType> = {
  readonly kind: "setting";
  readonly env: string;
  readonly secret: boolean;
  readonly schema: S;
};

function setting<S extends z.ZodType>(env: string, schema: S): Setting<S> {
  return { kind: "setting", env, secret: false, schema };
}

/** A setting whose value must never be printed: parsed by `schema`, then kept in a `Secret`. */
function secret<T extends string>(env: string, schema: z.ZodType<T | undefined>) {
  const wrapped = schema.transform((value) => (value === undefined ? undefined : new Secret<T>(value)));
  return { kind: "setting", env, secret: true, schema: wrapped } as const satisfies Setting;
}

function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      message: `expected integer ${min}-${max}`,
    })
    .transform(Number);
}

function urlWith(protocols: readonly string[], message: string) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message },
  );
}

const httpUrl = () => urlWith(["http:", "https:"], "expected an http(s) URL");

/** A secret string of at least `minLength` characters. */
function text(minLength = 1) {
  return z.string().min(minLength, minLength > 1 ? { message: `expected at least ${minLength} characters` } : undefined);
}

function privateKey() {
  return z
    .string()
    .refine((value) => /^0x[0-9a-fA-F]{64}$/.test(value), { message: "expected 0x followed by 64 hex digits" })
    .transform((value) => value as `0x${string}`);
}

const absolutePath = () => z.string().min(1).transform((value) => path.resolve(value));

/** A decimal from 0 to 1 (a score threshold). */
const fraction = () => z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, "expected a decimal 0-1").transform(Number);

/** `id=url` pairs, comma-separated, as a map from list id to its http(s) URL. */
const listUrls = z.string().transform((value, zctx) => {
  const urls = new Map<string, string>();
  for (const part of value.split(",").map((item) => item.trim()).filter(Boolean)) {
    const [id, url] = [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)];
    if (!/^[a-z0-9-]+$/.test(id) || !httpUrl().safeParse(url).success) {
      zctx.addIssue({ code: "custom", message: `expected id=http(s) URL pairs, got ${JSON.stringify(part)}` });
      return z.NEVER;
    }
    urls.set(id, url);
  }
  return urls;
});

/** Registry-side parts the platform process can run itself or leave to processes of their own. */
export const EMBEDDABLE_SERVICES = ["workers", "oracles", "aggregator"] as const;
export type EmbeddableService = (typeof EMBEDDABLE_SERVICES)[number];

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const embeddedServices = z
  .string()
  .trim()
  .transform((value, zctx) => {
    const parts = value === "none" ? [] : value.split(",").map((part) => part.trim());
    const unknown = parts.filter((part) => !(EMBEDDABLE_SERVICES as readonly string[]).includes(part));
    if (unknown.length > 0) {
      const expected = `expected "none" or some of ${EMBEDDABLE_SERVICES.join(", ")}`;
      zctx.addIssue({ code: "custom", message: `unknown service ${unknown.join(", ")}; ${expected}` });
      return z.NEVER;
    }
    return new Set(parts as EmbeddableService[]) as ReadonlySet<EmbeddableService>;
  })
  .default(() => new Set(EMBEDDABLE_SERVICES));

export const configSchema = {
  /** Folder for local state (embedded PostgreSQL under `<dataDir>/pg`, the embedded chain's deployment record). */
  dataDir: setting("DATA_DIR", absolutePath().prefault(".data")),
  logLevel: setting("LOG_LEVEL", z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info")),
  database: {
    /** Absent: an embedded PostgreSQL on `embeddedPort`. Holds a password, so it is a secret. */
    url: secret("DATABASE_URL", urlWith(["postgres:", "postgresql:"], "expected a postgres:// or postgresql:// URL").optional()),
    embeddedPort: setting("EMBEDDED_PG_PORT", integer(1, 65535).default(54329)),
  },
  chain: {
    /** Absent: the embedded Hardhat node. */
    rpcUrl: setting("RPC_URL", httpUrl().optional()),
    chainId: setting("CHAIN_ID", integer(1, Number.MAX_SAFE_INTEGER).default(31337)),
    confirmations: setting("CONFIRMATIONS", integer(0, 1000).default(1)),
    /** 0 means automine. */
    blockTimeMs: setting("BLOCK_TIME_MS", integer(0, 600_000).default(1000)),
    /** JSON-RPC port of the embedded node (only without RPC_URL). */
    embeddedRpcPort: setting("RPC_PORT", integer(1, 65535).default(8545)),
    /** Contract addresses of an existing deployment (`deployments/<network>.json`); required with RPC_URL. */
    deploymentFile: setting("DEPLOYMENT_FILE", absolutePath().optional()),
    /**
     * Hardhat artifacts to check the backend's ABI source against: `npm run abi:write` reads them (absent: the
     * repository's `artifacts/`), and `carbon audit` refuses to run when they differ from the source (an auditor
     * points it at artifacts compiled from the audited contracts; absent: no check, the source is built in).
     */
    artifactsDir: setting("CARBON_ARTIFACTS_DIR", absolutePath().optional()),
  },
  /** First port of the embedded simulators (Verra, Gold Standard, I-REC, India CCTS in that order). */
  simulatorBasePort: setting("SIMULATOR_BASE_PORT", integer(1, 65531).default(4101)),
  api: {
    host: setting("HOST", z.string().min(1).default("127.0.0.1")),
    port: setting("PORT", integer(1, 65535).default(3000)),
    /** The authority wallets show in Sign-In with Ethereum messages (`app.example.com`); absent: HOST:PORT. */
    siweDomain: setting(
      "SIWE_DOMAIN",
      z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "expected a host name with an optional port, e.g. app.example.com").optional(),
    ),
  },
  /** Registry API base URLs; absent means the embedded simulator. */
  registries: {
    verra: setting("VERRA_API_URL", httpUrl().optional()),
    goldStandard: setting("GOLD_STANDARD_API_URL", httpUrl().optional()),
    irec: setting("IREC_API_URL", httpUrl().optional()),
    inCcts: setting("IN_CCTS_API_URL", httpUrl().optional()),
    /** I-REC (Evident) OAuth2 password-grant credentials (both or neither); absent: the embedded simulator's own. */
    irecUsername: setting("IREC_USERNAME", z.string().min(1).optional()),
    irecPassword: secret("IREC_PASSWORD", text().optional()),
    /** India CCTS API key (`x-api-key`); absent: the embedded simulator's own key. */
    inCctsApiKey: secret("IN_CCTS_API_KEY", text().optional()),
    /** The platform's custody account at every registry (holders move blocks here to deposit them). */
    custodyAccount: setting("CUSTODY_ACCOUNT", z.string().trim().min(1).max(64).default("PLATFORM-CUSTODY")),
    /** HMAC secret registries sign webhooks with; absent: the embedded stack makes one per run. */
    webhookSecret: secret("WEBHOOK_SECRET", text(16).optional()),
  },
  /** Fiat legs of escrow deals: the bank statement API of the platform's collection (client-money) account. */
  payments: {
    /** Read by oracle nodes to attest FIAT_PAYMENT_RECEIVED; absent: the embedded bank simulator. */
    bankUrl: setting("BANK_API_URL", httpUrl().optional()),
    /** Bearer key of that API; absent: the embedded simulator's own key. */
    bankApiKey: secret("BANK_API_KEY", text().optional()),
    /** The collection account's id at the bank (buyers pay fiat deals into it with the deal id as reference). */
    collectionAccount: setting("BANK_ACCOUNT", z.string().trim().min(1).max(64).default("PLATFORM-CLIENT-MONEY")),
    /** ISO 4217 currency of fiat deal legs: their unit price (and so their price) is in its minor unit. */
    currency: setting("FIAT_CURRENCY", z.string().trim().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as USD").default("USD")),
    /** Port of the embedded bank simulator (only without BANK_API_URL). */
    simulatorPort: setting("BANK_SIMULATOR_PORT", integer(1, 65535).default(4105)),
  },
  /** Registry worker processes; `rateLimit` is the shared per-registry token bucket of every process. */
  workers: {
    /** Registry jobs one worker process runs at the same time. */
    concurrency: setting("WORKER_CONCURRENCY", integer(1, 256).default(4)),
    rateLimit: {
      /** Burst of the bucket (calls a full bucket allows at once). */
      capacity: setting("REGISTRY_BURST", integer(1, 10_000).default(10)),
      /** Registry calls per second the platform allows itself per registry, shared by every process. */
      refillPerSec: setting("REGISTRY_RATE_LIMIT_PER_SEC", integer(1, 10_000).default(5)),
    },
  },
  /**
   * The registry-side parts `carbon start` runs inside its own process: any of `workers`, `oracles`, `aggregator`
   * (comma-separated), or `none` when they run as processes of their own (`carbon worker`, `carbon oracle`,
   * `carbon aggregator`).
   */
  embeddedServices: setting("EMBEDDED_SERVICES", embeddedServices),
  /** Continuous reconciliation (registry custody against chain state): pause between runs. */
  reconciliation: { intervalMs: setting("RECONCILE_INTERVAL_MS", integer(100, 86_400_000).default(60_000)) },
  /** The chain indexer (docs/backend-core.md, "Untrusted input and poison events"). */
  indexer: {
    /**
     * Polls in a row that find the indexer behind `head - confirmations` without moving its checkpoint before it
     * reports a stall (`indexer_stalled` 1, a readiness detail). Our own operating choice, not an external rule:
     * 10 polls is 10 s at the default 1 s block time, longer than any healthy catch-up step takes.
     */
    stallPolls: setting("INDEXER_STALL_POLLS", integer(1, 100_000).default(10)),
  },
  /** The deposit arrival watcher: pause between its passes over the open intents. */
  deposits: { watchIntervalMs: setting("DEPOSIT_WATCH_INTERVAL_MS", integer(100, 3_600_000).default(2_000)) },
  oracle: {
    /** The on-chain quorum the embedded chain is deployed with. */
    threshold: setting("ORACLE_THRESHOLD", integer(1, 255).default(2)),
    /** Pause between an oracle node's passes over its to-do list (`carbon oracle --poll-ms` overrides it). */
    pollMs: setting("ORACLE_POLL_MS", integer(50, 3_600_000).default(1_000)),
    /** Reserve attestation interval per node; 0 turns reserves off. */
    reserveIntervalMs: setting("ORACLE_RESERVE_INTERVAL_MS", integer(0, 86_400_000).default(3_600_000)),
    /** How long the aggregator lets a ready confirmation wait for company before proposing its batch. */
    aggregatorWindowMs: setting("AGGREGATOR_WINDOW_MS", integer(0, 60_000).default(250)),
  },
  /** Sanctions and PEP screening (docs/screening.md): the lists, their refresh, and the decision bands. */
  screening: {
    /** Newer list files under the embedded names (docs/screening.md §2); absent: the embedded snapshots. */
    listsDir: setting("SANCTIONS_LISTS_DIR", absolutePath().optional()),
    /** Publishers' base URLs per list, `id=url` comma-separated (`ofac-sdn=https://...,un-consolidated=https://...`). */
    listUrls: setting("SANCTIONS_LIST_URLS", listUrls.optional()),
    /** Pause between list refreshes (each re-fetches every list; unchanged bytes are not parsed again). */
    refreshIntervalMs: setting("SANCTIONS_REFRESH_INTERVAL_MS", integer(60_000, 604_800_000).default(900_000)),
    /** Decision bands (docs/screening.md §7): review from this score, hold from the next. */
    reviewThreshold: setting("SCREENING_REVIEW_THRESHOLD", fraction().default(0.8)),
    holdThreshold: setting("SCREENING_HOLD_THRESHOLD", fraction().default(0.93)),
  },
  /** Evidence packages (docs/evidence.md): the TSA, the commit to name without git, the log's anchor key. */
  evidence: {
    /** RFC 3161 time-stamping authority; absent: packages say the stamp is missing. */
    tsaUrl: setting("EVIDENCE_TSA_URL", httpUrl().optional()),
    tsaTimeoutMs: setting("EVIDENCE_TSA_TIMEOUT_MS", integer(100, 120_000).default(15_000)),
    /** The software commit evidence manifests name when the install has no git checkout. */
    softwareCommit: setting(
      "EVIDENCE_SOFTWARE_COMMIT",
      z.string().trim().regex(/^[0-9a-zA-Z._-]{1,64}$/, "expected a commit id or version tag").optional(),
    ),
    /** Key that anchors the evidence log's head on chain (a zero-value transaction to itself). */
    anchorKey: secret("EVIDENCE_ANCHOR_KEY", privateKey().optional()),
  },
  /** Role keys; on the embedded chain the development keys are used instead. */
  keys: {
    deployer: secret("DEPLOYER_KEY", privateKey().optional()),
    /** Pauses a registry on the bridge while its breaker is open. */
    guardian: secret("GUARDIAN_KEY", privateKey().optional()),
    /** Sends the aggregator's quorum transactions. */
    relayer: secret("RELAYER_KEY", privateKey().optional()),
    /** CreditToken agent: freezes batches on reconciliation shortfalls and registry holds. */
    agent: secret("AGENT_KEY", privateKey().optional()),
    /** Sends Settlement.startDelivery / settleDeal for deals whose conditions the oracle quorum attested. */
    keeper: secret("KEEPER_KEY", privateKey().optional()),
  },
} as const;

/** Raw (non-empty) environment values by variable name, as the cross-field checks see them. */
export type RawEnv = Readonly<Record<string, string | undefined>>;

/** A rule across settings: `check` answers the problem, reported against `key`, or undefined when it holds. */
export type CrossCheck = { key: string; check: (env: RawEnv) => string | undefined };

export const CROSS_CHECKS: readonly CrossCheck[] = [
  {
    key: "IREC_PASSWORD",
    check: (env) =>
      env.IREC_USERNAME !== undefined && env.IREC_PASSWORD === undefined
        ? "set IREC_USERNAME and IREC_PASSWORD together"
        : undefined,
  },
  {
    key: "IREC_USERNAME",
    check: (env) =>
      env.IREC_PASSWORD !== undefined && env.IREC_USERNAME === undefined
        ? "set IREC_USERNAME and IREC_PASSWORD together"
        : undefined,
  },
  {
    key: "BANK_API_KEY",
    check: (env) =>
      env.BANK_API_URL !== undefined && env.BANK_API_KEY === undefined
        ? "required with BANK_API_URL (the statement API's bearer key)"
        : undefined,
  },
  {
    key: "DEPLOYMENT_FILE",
    check: (env) =>
      env.RPC_URL !== undefined && env.DEPLOYMENT_FILE === undefined
        ? "required with RPC_URL (the contract addresses to use)"
        : undefined,
  },
];
