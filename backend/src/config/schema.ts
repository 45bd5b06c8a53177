import { z } from "zod";
import { Secret } from "./secret";

/**
 * The environment the backend reads, one entry per variable. Every value arrives as a string (empty strings are
 * treated as absent before parsing). Variables listed in `SECRET_KEYS` are never echoed back in error messages.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  "DATABASE_URL",
  "DEPLOYER_KEY",
  "GUARDIAN_KEY",
  "RELAYER_KEY",
  "AGENT_KEY",
  "KEEPER_KEY",
  "WEBHOOK_SECRET",
  "IN_CCTS_API_KEY",
  "IREC_PASSWORD",
  "BANK_API_KEY",
  "EVIDENCE_ANCHOR_KEY",
]);

function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      message: `expected integer ${min}-${max}`,
    })
    .transform(Number);
}

function httpUrl() {
  return z.string().refine(
    (value) => {
      try {
        return ["http:", "https:"].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: "expected an http(s) URL" },
  );
}

/** Holds a password, so it is a `Secret` like the keys. */
function postgresUrl() {
  return z
    .string()
    .refine(
      (value) => {
        try {
          return ["postgres:", "postgresql:"].includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: "expected a postgres:// or postgresql:// URL" },
    )
    .transform((value) => new Secret(value));
}

/** A secret string of at least `minLength` characters (kept in a `Secret`, never printed). */
function secret(minLength = 1) {
  const message = minLength > 1 ? { message: `expected at least ${minLength} characters` } : undefined;
  return z
    .string()
    .min(minLength, message)
    .transform((value) => new Secret(value));
}

function privateKey() {
  return z
    .string()
    .refine((value) => /^0x[0-9a-fA-F]{64}$/.test(value), { message: "expected 0x followed by 64 hex digits" })
    .transform((value) => new Secret(value as `0x${string}`));
}

/** Registry-side parts the platform process can run itself or leave to processes of their own. */
export const EMBEDDABLE_SERVICES = ["workers", "oracles", "aggregator"] as const;
export type EmbeddableService = (typeof EMBEDDABLE_SERVICES)[number];

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export const envSchema = z.object({
  DATABASE_URL: postgresUrl().optional(),
  EMBEDDED_PG_PORT: integer(1, 65535).default(54329),
  DATA_DIR: z.string().min(1).default(".data"),

  RPC_URL: httpUrl().optional(),
  CHAIN_ID: integer(1, Number.MAX_SAFE_INTEGER).default(31337),
  CONFIRMATIONS: integer(0, 1000).default(1),
  BLOCK_TIME_MS: integer(0, 600_000).default(1000),
  /** Port of the embedded Hardhat node's JSON-RPC server (only without RPC_URL). */
  RPC_PORT: integer(1, 65535).default(8545),
  /** Contract addresses of an existing deployment (`deployments/<network>.json`); required with RPC_URL. */
  DEPLOYMENT_FILE: z.string().min(1).optional(),
  /** First port of the embedded registry simulators (Verra, Gold Standard, I-REC, India CCTS in that order). */
  SIMULATOR_BASE_PORT: integer(1, 65531).default(4101),

  PORT: integer(1, 65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** The authority wallets show in Sign-In with Ethereum messages (`app.example.com`); default HOST:PORT. */
  SIWE_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "expected a host name with an optional port, e.g. app.example.com")
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),

  VERRA_API_URL: httpUrl().optional(),
  GOLD_STANDARD_API_URL: httpUrl().optional(),
  IREC_API_URL: httpUrl().optional(),
  IN_CCTS_API_URL: httpUrl().optional(),
  /** I-REC (Evident) OAuth2 password-grant credentials; the embedded simulator's own when absent. */
  IREC_USERNAME: z.string().min(1).optional(),
  IREC_PASSWORD: secret().optional(),
  /** India CCTS API key (`x-api-key`); the embedded simulator's own key when absent. */
  IN_CCTS_API_KEY: secret().optional(),
  /** The platform's custody account at every registry (holders move blocks here to deposit them). */
  CUSTODY_ACCOUNT: z.string().trim().min(1).max(64).default("PLATFORM-CUSTODY"),
  /** HMAC secret registries sign webhooks with; the embedded stack makes one per run when absent. */
  WEBHOOK_SECRET: secret(16).optional(),
  /**
   * The bank's statement API of the platform's fiat collection (client-money) account, which oracle nodes read to
   * attest FIAT_PAYMENT_RECEIVED; absent: the embedded bank simulator.
   */
  BANK_API_URL: httpUrl().optional(),
  /** Bearer key of that API; the embedded simulator's own key when absent. */
  BANK_API_KEY: secret().optional(),
  /** The collection account's id at the bank (buyers pay fiat deals into it with the deal id as reference). */
  BANK_ACCOUNT: z.string().trim().min(1).max(64).default("PLATFORM-CLIENT-MONEY"),
  /** Port of the embedded bank simulator (only without BANK_API_URL). */
  BANK_SIMULATOR_PORT: integer(1, 65535).default(4105),
  /** ISO 4217 currency of fiat deal legs: their unit price (and so their price) is in its minor unit. */
  FIAT_CURRENCY: z.string().trim().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as USD").default("USD"),
  /** Registry calls per second the platform allows itself per registry, shared by every process (token bucket). */
  REGISTRY_RATE_LIMIT_PER_SEC: integer(1, 10_000).default(5),
  /** Burst of that bucket (calls a full bucket allows at once). */
  REGISTRY_BURST: integer(1, 10_000).default(10),
  /** Pause between continuous reconciliation runs. */
  RECONCILE_INTERVAL_MS: integer(100, 86_400_000).default(60_000),
  /** Registry jobs one worker process runs at the same time. */
  WORKER_CONCURRENCY: integer(1, 256).default(4),
  /**
   * The registry-side parts `carbon start` runs inside its own process: any of `workers`, `oracles`, `aggregator`
   * (comma-separated), or `none` when they run as processes of their own (`carbon worker`, `carbon oracle`,
   * `carbon aggregator`).
   */
  EMBEDDED_SERVICES: z
    .string()
    .trim()
    .transform((value, zctx) => {
      const parts = value === "none" ? [] : value.split(",").map((part) => part.trim());
      const unknown = parts.filter((part) => !(EMBEDDABLE_SERVICES as readonly string[]).includes(part));
      if (unknown.length > 0) {
        zctx.addIssue({ code: "custom", message: `unknown service ${unknown.join(", ")}; expected "none" or some of ${EMBEDDABLE_SERVICES.join(", ")}` });
        return z.NEVER;
      }
      return new Set(parts as EmbeddableService[]);
    })
    .default(() => new Set(EMBEDDABLE_SERVICES)),

  DEPLOYER_KEY: privateKey().optional(),
  GUARDIAN_KEY: privateKey().optional(),
  RELAYER_KEY: privateKey().optional(),
  /** CreditToken agent: freezes batches on reconciliation shortfalls and registry holds. */
  AGENT_KEY: privateKey().optional(),
  /** Sends Settlement.startDelivery / settleDeal for deals whose conditions the oracle quorum attested. */
  KEEPER_KEY: privateKey().optional(),
  ORACLE_THRESHOLD: integer(1, 255).default(2),

  /** Newer sanctions list files under the embedded names (docs/screening.md §2); absent: the embedded snapshots. */
  SANCTIONS_LISTS_DIR: z.string().min(1).optional(),
  /** Publishers' base URLs per list, `id=url` comma-separated (`ofac-sdn=https://...,un-consolidated=https://...`). */
  SANCTIONS_LIST_URLS: z
    .string()
    .transform((value, zctx) => {
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
    })
    .optional(),
  /** Pause between sanctions list refreshes (each re-fetches every list; unchanged bytes are not parsed again). */
  SANCTIONS_REFRESH_INTERVAL_MS: integer(60_000, 604_800_000).default(900_000),
  /** Screening decision bands (docs/screening.md §7): review from this score, hold from the next. */
  SCREENING_REVIEW_THRESHOLD: z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, "expected a decimal 0-1").transform(Number).default(0.8),
  SCREENING_HOLD_THRESHOLD: z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, "expected a decimal 0-1").transform(Number).default(0.93),
  /** RFC 3161 time-stamping authority for evidence packages (docs/evidence.md); absent: packages say "missing". */
  EVIDENCE_TSA_URL: httpUrl().optional(),
  EVIDENCE_TSA_TIMEOUT_MS: integer(100, 120_000).default(15_000),
  /** The software commit evidence manifests name when the install has no git checkout. */
  EVIDENCE_SOFTWARE_COMMIT: z.string().trim().regex(/^[0-9a-zA-Z._-]{1,64}$/, "expected a commit id or version tag").optional(),
  /** Key that anchors the evidence log's head on chain (a zero-value transaction to itself). */
  EVIDENCE_ANCHOR_KEY: privateKey().optional(),
});

export type Env = z.output<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as Array<keyof typeof envSchema.shape>;
