import { startRegistryServer, type AllowanceSimulatorOptions, type RunningAllowanceServer } from "../core/allowance-server";
import { CITSS_DEFAULTS, type CitssParameters } from "./parameters";
import { CitssRegistry } from "./registry";
import { registerRoutes } from "./routes";

/**
 * WCI CITSS simulator (California and Québec): a real HTTP server standing for the Compliance Instrument Tracking
 * System Service as an entity's representatives and the public meet it (COMPLIANCE_REGISTRIES.md §2): entities
 * with holding, compliance, limited use and exchange clearing accounts, three-party transfer requests with their
 * 2- and 3-day limits, trade data, the holding limit, vintaged and non-vintage allowances, ARB offsets with
 * invalidation, the November compliance events, voluntary retirement, and files instead of a query API.
 */
export type CitssSimulatorOptions = AllowanceSimulatorOptions & { parameters?: Partial<CitssParameters> | undefined };

export type RunningCitssSimulator = RunningAllowanceServer & { registry: CitssRegistry };

export async function startCitssSimulator(options: CitssSimulatorOptions = {}): Promise<RunningCitssSimulator> {
  return startRegistryServer(options, (clock, representatives) => new CitssRegistry({ ...CITSS_DEFAULTS, ...options.parameters }, clock, representatives), registerRoutes);
}

export { CITSS_DEFAULTS, holdingLimitFor, type CitssParameters } from "./parameters";
export { CitssRegistry } from "./registry";
