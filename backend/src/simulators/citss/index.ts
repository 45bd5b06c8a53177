import { createAllowanceServer, type AllowanceSimulatorOptions, type RunningAllowanceServer } from "../core/allowance-server";
import { SimClock } from "../core/clock";
import { RepresentativeDirectory } from "../core/representatives";
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
  const clock = new SimClock(options.clock);
  const representatives = new RepresentativeDirectory();
  const registry = new CitssRegistry({ ...CITSS_DEFAULTS, ...options.parameters }, clock, representatives);
  const server = await createAllowanceServer({
    options,
    clock,
    representatives,
    tick: () => registry.tick(),
    routes: (app, context) => registerRoutes(app, registry, context),
  });
  return { ...server, registry };
}

export { CITSS_DEFAULTS, holdingLimitFor, type CitssParameters } from "./parameters";
export { CitssRegistry } from "./registry";
