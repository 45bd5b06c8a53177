/** The ports `carbon start` listens on for the given configuration, each with the variable that moves it. */
import type { Config } from "../config";
import type { PlannedPort } from "../net/ports";
import { REGISTRY_NAMES } from "../registries/ids";
import { configuredRegistryUrls } from "./registryAccess";

/**
 * Everything but the embedded PostgreSQL's port, which the database start checks itself (a server of an earlier
 * run may legitimately hold it and be taken over). Simulators are only planned for registries without a URL.
 */
export function plannedPorts(config: Config): PlannedPort[] {
  const planned: PlannedPort[] = [{ port: config.api.port, host: config.api.host, variable: "PORT", what: "the API" }];
  if (config.chain.rpcUrl === undefined) {
    planned.push({ port: config.chain.embeddedRpcPort, variable: "RPC_PORT", what: "the embedded chain's JSON-RPC" });
  }
  const configured = configuredRegistryUrls(config);
  for (const [index, registry] of REGISTRY_NAMES.entries()) {
    if (configured[registry] !== undefined) continue;
    planned.push({
      port: config.simulatorBasePort + index,
      variable: "SIMULATOR_BASE_PORT",
      what: `the ${registry} simulator at SIMULATOR_BASE_PORT+${index}`,
    });
  }
  if (config.payments.bankUrl === undefined) {
    planned.push({ port: config.payments.simulatorPort, variable: "BANK_SIMULATOR_PORT", what: "the bank simulator" });
  }
  return planned;
}
