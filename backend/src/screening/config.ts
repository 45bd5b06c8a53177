import path from "node:path";
import { ConfigError } from "../config";
import { envSchema } from "../config/schema";
import type { ListSettings } from "./lists";
import type { DecisionBands } from "./settings";

/**
 * The screening part of the configuration (the SANCTIONS_* and SCREENING_* keys of config/schema.ts), read on its
 * own so the `carbon kyc` commands need nothing else configured. Same rules as loadConfig: empty strings count as
 * absent, every bad key is named in one ConfigError.
 */
export type ScreeningConfig = {
  lists: ListSettings;
  refreshIntervalMs: number;
  bands: DecisionBands;
};

const KEYS = ["SANCTIONS_LISTS_DIR", "SANCTIONS_LIST_URLS", "SANCTIONS_REFRESH_INTERVAL_MS", "SCREENING_REVIEW_THRESHOLD", "SCREENING_HOLD_THRESHOLD"] as const;

export function loadScreeningConfig(env: NodeJS.ProcessEnv = process.env): ScreeningConfig {
  const raw: Record<string, string> = {};
  for (const key of KEYS) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const schema = envSchema.pick({
    SANCTIONS_LISTS_DIR: true,
    SANCTIONS_LIST_URLS: true,
    SANCTIONS_REFRESH_INTERVAL_MS: true,
    SCREENING_REVIEW_THRESHOLD: true,
    SCREENING_HOLD_THRESHOLD: true,
  });
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = issue.path.map(String).join(".");
        return { key, message: `${issue.message}${raw[key] === undefined ? "" : `, got ${JSON.stringify(raw[key])}`}` };
      }),
    );
  }
  const parsed = result.data;
  if (parsed.SCREENING_REVIEW_THRESHOLD <= 0 || parsed.SCREENING_REVIEW_THRESHOLD > parsed.SCREENING_HOLD_THRESHOLD) {
    throw new ConfigError([{ key: "SCREENING_REVIEW_THRESHOLD", message: `must be above 0 and at most SCREENING_HOLD_THRESHOLD (${parsed.SCREENING_HOLD_THRESHOLD})` }]);
  }
  return {
    lists: { dir: parsed.SANCTIONS_LISTS_DIR === undefined ? undefined : path.resolve(parsed.SANCTIONS_LISTS_DIR), urls: parsed.SANCTIONS_LIST_URLS },
    refreshIntervalMs: parsed.SANCTIONS_REFRESH_INTERVAL_MS,
    bands: { review: parsed.SCREENING_REVIEW_THRESHOLD, hold: parsed.SCREENING_HOLD_THRESHOLD },
  };
}
