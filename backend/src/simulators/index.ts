import type { RegistryName } from "../registries/ids";
import type { RunningSimulator, SimulatorOptions } from "./core/simulator";
import { startGoldStandardSimulator } from "./goldStandard";
import { startInCctsSimulator } from "./inCcts";
import { startIrecSimulator } from "./irec";
import { startVerraSimulator } from "./verra";

export { startVerraSimulator } from "./verra";
export { startGoldStandardSimulator } from "./goldStandard";
export { IREC_SIMULATOR_CREDENTIALS, startIrecSimulator } from "./irec";
export { IN_CCTS_SIMULATOR_API_KEY, startInCctsSimulator } from "./inCcts";
export type { RunningSimulator, SimulatorOptions, SimulatorKnobs, SimulatorAdmin } from "./core/simulator";
export { BANK_SIMULATOR_API_KEY, startBankSimulator, type BankSimulatorOptions, type RunningBankSimulator } from "./bank";

/** Starts the simulator of `registry` (for the CLI and the embedded start-up). */
export function startSimulator(registry: RegistryName, options: SimulatorOptions = {}): Promise<RunningSimulator> {
  switch (registry) {
    case "VERRA":
      return startVerraSimulator(options);
    case "GOLD_STANDARD":
      return startGoldStandardSimulator(options);
    case "IREC":
      return startIrecSimulator(options);
    case "IN_CCTS":
      return startInCctsSimulator(options);
  }
}
