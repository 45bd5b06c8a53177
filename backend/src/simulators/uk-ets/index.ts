import { startRegistryServer, type AllowanceSimulatorOptions, type RunningAllowanceServer } from "../core/allowance-server";
import { UK_ETS_DEFAULTS, type UkEtsParameters } from "./parameters";
import { UkEtsRegistry } from "./registry";
import { registerRoutes } from "./routes";

/**
 * UK ETS Registry simulator: a real HTTP server standing for the UK Emissions Trading Registry as a third party
 * meets it (COMPLIANCE_REGISTRIES.md §1): Authorised Representatives propose and approve quantity-only
 * transactions with one-time codes, FIFO unit blocks, the trusted account list, the transaction window and
 * delays, surrender and the A/B/C compliance statuses, and files (statements, transaction details, public xlsx
 * reports) instead of any query API or push. See simulators/README.md and docs/allowance-registries.md.
 */
export type UkEtsSimulatorOptions = AllowanceSimulatorOptions & { parameters?: Partial<UkEtsParameters> | undefined };

export type RunningUkEtsSimulator = RunningAllowanceServer & { registry: UkEtsRegistry };

export async function startUkEtsSimulator(options: UkEtsSimulatorOptions = {}): Promise<RunningUkEtsSimulator> {
  return startRegistryServer(options, (clock, representatives) => new UkEtsRegistry({ ...UK_ETS_DEFAULTS, ...options.parameters }, clock, representatives), registerRoutes);
}

export { UK_ETS_DEFAULTS, type UkEtsParameters } from "./parameters";
export { UkEtsRegistry } from "./registry";
export { checkDigitsFor, formatAccountId, parseAccountId } from "./account-id";
