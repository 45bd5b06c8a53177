/**
 * The configuration: parsed once at start from the environment by the one schema (`schema.ts`), whose tree the
 * `Config` type is inferred from. A bad value stops start-up with one `ConfigError` naming every bad key, the
 * cross-setting rules included.
 */
import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "./errors";
import { CROSS_CHECKS, type RawEnv, type Setting, configSchema } from "./schema";

export { ConfigError, type ConfigIssue } from "./errors";
export { Secret, redactUrl } from "./secret";
export { EMBEDDABLE_SERVICES, type EmbeddableService } from "./schema";

type Tree = Setting | { readonly [key: string]: Tree };

/** The parsed value of a tree of settings. */
type ValueOf<T> = T extends Setting<infer S> ? z.output<S> : { readonly [K in keyof T]: ValueOf<T[K]> };

/** The parsed configuration, grouped by the part of the backend that reads it. */
export type Config = ValueOf<typeof configSchema>;

function isSetting(node: Tree): node is Setting {
  return (node as Setting).kind === "setting";
}

function settingsOf(node: Tree): Setting[] {
  return isSetting(node) ? [node] : Object.values(node).flatMap(settingsOf);
}

/** Every environment variable the backend reads. */
export const ENV_KEYS: readonly string[] = settingsOf(configSchema).map((s) => s.env);
/** The variables whose values are never echoed back (marked `secret` in the schema). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(settingsOf(configSchema).filter((s) => s.secret).map((s) => s.env));

function parseTree(node: Tree, raw: RawEnv, issues: ConfigIssue[]): unknown {
  if (!isSetting(node))
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, parseTree(child, raw, issues)]));
  const value = raw[node.env];
  const result = node.schema.safeParse(value);
  if (result.success) return result.data;
  const got = node.secret || value === undefined ? "" : `, got ${JSON.stringify(value)}`;
  for (const issue of result.error.issues) issues.push({ key: node.env, message: `${issue.message}${got}` });
  return undefined;
}

/**
 * Parses the environment once. Throws one `ConfigError` naming every bad key and why, the cross-setting rules
 * included. Empty strings count as absent, so `PORT=` in a `.env` file falls back to the default instead of failing.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = rawEnv(env);
  const issues: ConfigIssue[] = [];
  const config = parseTree(configSchema, raw, issues) as Config;
  for (const { key, check } of CROSS_CHECKS) {
    const message = check(raw);
    if (message !== undefined) issues.push({ key, message });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/**
 * One part of the configuration on its own (e.g. `screening` for the `carbon kyc` commands, which need nothing
 * else configured), by the same rules as `loadConfig`; the cross-setting rules of other parts are not applied.
 */
export function loadConfigPart<K extends keyof Config>(part: K, env: NodeJS.ProcessEnv = process.env): Config[K] {
  const issues: ConfigIssue[] = [];
  const value = parseTree(configSchema[part] as Tree, rawEnv(env), issues) as Config[K];
  if (issues.length > 0) throw new ConfigError(issues);
  return value;
}

/** The non-empty environment values of the backend's variables. */
function rawEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const key of ENV_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  return raw;
}

/** The SIWE domain in force: SIWE_DOMAIN, else the API's own HOST:PORT. */
export function siweDomainOf(config: Pick<Config, "api">): string {
  return config.api.siweDomain ?? `${config.api.host}:${config.api.port}`;
}
