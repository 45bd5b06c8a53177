import { ConfigError, loadConfigPart } from "../config";
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

export function loadScreeningConfig(env: NodeJS.ProcessEnv = process.env): ScreeningConfig {
  const parsed = loadConfigPart("screening", env);
  if (parsed.reviewThreshold <= 0 || parsed.reviewThreshold > parsed.holdThreshold) {
    throw new ConfigError([
      {
        key: "SCREENING_REVIEW_THRESHOLD",
        message: `must be above 0 and at most SCREENING_HOLD_THRESHOLD (${parsed.holdThreshold})`,
      },
    ]);
  }
  return {
    lists: { dir: parsed.listsDir, urls: parsed.listUrls },
    refreshIntervalMs: parsed.refreshIntervalMs,
    bands: { review: parsed.reviewThreshold, hold: parsed.holdThreshold },
  };
}
