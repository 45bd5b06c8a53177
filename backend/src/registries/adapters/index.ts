import { ValidationError } from "../../errors";
import type { RegistryName } from "../ids";
import type { RegistryPort } from "../port";
import { createGoldStandardAdapter, type GoldStandardAdapterParameters } from "./goldStandard";
import { createInCctsAdapter, type InCctsAdapterParameters } from "./inCcts";
import { createIrecAdapter, type IrecAdapterParameters } from "./irec";
import { createVerraAdapter, type VerraAdapterParameters } from "./verra";

export { createVerraAdapter, type VerraAdapterParameters } from "./verra";
export { createGoldStandardAdapter, type GoldStandardAdapterParameters } from "./goldStandard";
export { createIrecAdapter, type IrecAdapterParameters, type IrecPort, type RedeemReturnType } from "./irec";
export { createInCctsAdapter, type InCctsAdapterParameters } from "./inCcts";

export type CreateRegistryAdapterParameters =
  | ({ registry: "VERRA" } & VerraAdapterParameters)
  | ({ registry: "GOLD_STANDARD" } & GoldStandardAdapterParameters)
  | ({ registry: "IREC" } & IrecAdapterParameters)
  | ({ registry: "IN_CCTS" } & InCctsAdapterParameters);

/** The adapter for one registry, from its configuration (e.g. as parsed by the config module). */
export function createRegistryAdapter(params: CreateRegistryAdapterParameters): RegistryPort {
  switch (params.registry) {
    case "VERRA":
      return createVerraAdapter(params);
    case "GOLD_STANDARD":
      return createGoldStandardAdapter(params);
    case "IREC":
      return createIrecAdapter(params);
    case "IN_CCTS":
      return createInCctsAdapter(params);
  }
}

export type CreateRegistryAdaptersParameters = {
  /** Base URL per registry (real endpoint or simulator); registries without one get no adapter. */
  urls: Partial<Record<RegistryName, string>>;
  /** HMAC secret the registries sign webhooks with. */
  webhookSecret?: string | undefined;
  /** India CCTS wants an `x-api-key` on every call; required when IN_CCTS has a URL. */
  inCctsApiKey?: string | undefined;
  /** I-REC (Evident) OAuth2 password-grant credentials; required when IREC has a URL. */
  irec?: { username: string; password: string } | undefined;
  timeoutMs?: number | undefined;
};

/** One adapter per registry that has a URL (what workers, oracle nodes and watchers each build for themselves). */
export function createRegistryAdapters(params: CreateRegistryAdaptersParameters): Partial<Record<RegistryName, RegistryPort>> {
  const adapters: Partial<Record<RegistryName, RegistryPort>> = {};
  for (const [registry, baseUrl] of Object.entries(params.urls) as Array<[RegistryName, string | undefined]>) {
    if (baseUrl === undefined) continue;
    if (registry === "IN_CCTS" && params.inCctsApiKey === undefined) {
      throw new ValidationError("IN_CCTS_API_KEY", "India CCTS answers every call without an x-api-key with 401; set the key");
    }
    if (registry === "IREC" && params.irec === undefined) {
      throw new ValidationError(
        "IREC_USERNAME",
        "I-REC issues tokens only for a username and password; set IREC_USERNAME and IREC_PASSWORD",
      );
    }
    adapters[registry] = createRegistryAdapter({
      registry,
      baseUrl,
      webhookSecret: params.webhookSecret,
      timeoutMs: params.timeoutMs,
      apiKey: params.inCctsApiKey,
      ...params.irec,
    } as CreateRegistryAdapterParameters);
  }
  return adapters;
}
