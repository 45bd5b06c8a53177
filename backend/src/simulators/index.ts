import type { RegistryName } from "../registries/ids";
import type { AllowanceSimulatorOptions, RunningAllowanceServer } from "./core/allowance-server";
import type { RunningSimulator, SimulatorOptions } from "./core/simulator";
import { startCitssSimulator } from "./citss";
import { startGoldStandardSimulator } from "./gold-standard";
import { startInCctsSimulator } from "./in-ccts";
import { startIrecSimulator } from "./irec";
import type { AllowanceSimulatorName } from "./names";
import { startUkEtsSimulator } from "./uk-ets";
import { startVerraSimulator } from "./verra";

export { startVerraSimulator } from "./verra";
export { startGoldStandardSimulator } from "./gold-standard";
export { IREC_SIMULATOR_CREDENTIALS, startIrecSimulator } from "./irec";
export { IN_CCTS_SIMULATOR_API_KEY, startInCctsSimulator } from "./in-ccts";
export type { RunningSimulator, SimulatorOptions, SimulatorKnobs, SimulatorAdmin } from "./core/simulator";
export { startUkEtsSimulator, type UkEtsSimulatorOptions, type RunningUkEtsSimulator } from "./uk-ets";
export { startCitssSimulator, type CitssSimulatorOptions, type RunningCitssSimulator } from "./citss";
export { ALLOWANCE_SIMULATOR_NAMES, isAllowanceSimulatorName, type AllowanceSimulatorName } from "./names";
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

/** Starts a compliance-allowance simulator (UK ETS, CITSS) by its CLI name, with its default parameters. */
export function startAllowanceSimulator(name: AllowanceSimulatorName, options: AllowanceSimulatorOptions = {}): Promise<RunningAllowanceServer> {
  switch (name) {
    case "uk-ets":
      return startUkEtsSimulator(options);
    case "citss":
      return startCitssSimulator(options);
  }
}
