import type { Config } from "../config";
import { type CreateRegistryAdaptersParameters, createRegistryAdapters } from "../registries/adapters";
import type { RegistryName } from "../registries/ids";
import type { RegistryPort } from "../registries/port";
import { IN_CCTS_SIMULATOR_API_KEY, IREC_SIMULATOR_CREDENTIALS } from "../simulators";

export type RegistryAccessParameters = {
  /** Base URL per registry. */
  urls: Partial<Record<RegistryName, string>>;
  /** Registries served by the platform's own simulators: their built-in credentials apply unless configured. */
  simulated?: readonly RegistryName[];
  /** The webhook secret in force (the embedded stack makes one per run when WEBHOOK_SECRET is absent). */
  webhookSecret?: string | undefined;
};

/**
 * Adapters for `urls` with the credentials from the configuration (IREC_USERNAME / IREC_PASSWORD,
 * IN_CCTS_API_KEY, WEBHOOK_SECRET); for a simulated registry without configured credentials, the simulator's own.
 * Every process that calls registries (platform, workers, oracle nodes) builds its own set through this.
 */
export function registryAdaptersFor(
  config: Config,
  params: RegistryAccessParameters,
): Partial<Record<RegistryName, RegistryPort>> {
  const simulated = new Set(params.simulated ?? []);
  const { irecUsername, irecPassword, inCctsApiKey, webhookSecret } = config.registries;
  // Both or neither (a cross-setting check of the config schema).
  const irec =
    irecUsername !== undefined && irecPassword !== undefined
      ? { username: irecUsername, password: irecPassword.reveal() }
      : undefined;
  const access: CreateRegistryAdaptersParameters = {
    urls: params.urls,
    webhookSecret: params.webhookSecret ?? webhookSecret?.reveal(),
    irec: irec ?? (simulated.has("IREC") ? IREC_SIMULATOR_CREDENTIALS : undefined),
    inCctsApiKey: inCctsApiKey?.reveal() ?? (simulated.has("IN_CCTS") ? IN_CCTS_SIMULATOR_API_KEY : undefined),
  };
  return createRegistryAdapters(access);
}

/** Base URLs of the registries configured by VERRA_API_URL, GOLD_STANDARD_API_URL, IREC_API_URL, IN_CCTS_API_URL. */
export function configuredRegistryUrls(config: Config): Partial<Record<RegistryName, string>> {
  const r = config.registries;
  const urls: Partial<Record<RegistryName, string>> = {};
  for (const [registry, url] of [
    ["VERRA", r.verra],
    ["GOLD_STANDARD", r.goldStandard],
    ["IREC", r.irec],
    ["IN_CCTS", r.inCcts],
  ] as const) {
    if (url !== undefined) urls[registry] = url;
  }
  return urls;
}
