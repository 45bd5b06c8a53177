import type { RegistryPort } from "../port";
import { createGoldStandardAdapter, type GoldStandardAdapterParameters } from "./gold-standard";
import { createInCctsAdapter, type InCctsAdapterParameters } from "./in-ccts";
import { createIrecAdapter, type IrecAdapterParameters } from "./irec";
import { createVerraAdapter, type VerraAdapterParameters } from "./verra";

export { createVerraAdapter, type VerraAdapterParameters } from "./verra";
export { createGoldStandardAdapter, type GoldStandardAdapterParameters } from "./gold-standard";
export { createIrecAdapter, type IrecAdapterParameters, type IrecPort, type RedeemReturnType } from "./irec";
export { createInCctsAdapter, type InCctsAdapterParameters } from "./in-ccts";

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
