/**
 * The breaker hooks the platform wires in: when a registry's circuit opens, the guardian key pauses that
 * registry on RegistryBridge (new retirement/withdrawal requests and escrow deals for its batches revert with a
 * clear error, ARCHITECTURE.md §3.3 "Registry degraded"); when it closes, the key unpauses it. Idempotent:
 * the contract's `RegistryBridgeRegistryPauseUnchanged` revert (already paused by another worker process or an
 * operator) counts as done.
 */
import type { Abi, Address, Hex } from "viem";
import { loadAbi } from "../chain/artifacts";
import { type ContractWriter, writeIdempotent } from "../chain/writeIdempotent";
import type { Logger } from "../logger";
import { REGISTRY_IDS, type RegistryName } from "../registries/ids";
import type { BreakerHooks } from "./registry-guard";

/** The part of a viem WalletClient the pauser uses (a real `createWalletClient(...)` with the guardian account fits). */
export type PauserWalletClient = ContractWriter;

/** The part of a viem PublicClient used to read the pause flag (optional). */
export type PauserPublicClient = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readContract(parameters: any): Promise<unknown>;
};

export type CreateBridgePauserParameters = {
  walletClient: PauserWalletClient;
  bridge: Address;
  /** Defaults to `loadAbi("RegistryBridge")`. */
  abi?: Abi;
  /** For `isPaused` (the API's registry status). */
  publicClient?: PauserPublicClient;
  logger?: Logger;
};

export type BridgePauser = Required<BreakerHooks> & {
  /** `isRegistryPaused` on the bridge; null when no public client was given or the read failed. */
  isPaused(registry: RegistryName): Promise<boolean | null>;
  /** Transactions sent, newest last (for logs and tests). */
  readonly sent: ReadonlyArray<{ registry: RegistryName; action: "pause" | "unpause"; hash: Hex | "unchanged" }>;
};

export function createBridgePauser(parameters: CreateBridgePauserParameters): BridgePauser {
  const abi = parameters.abi ?? loadAbi("RegistryBridge");
  const sent: Array<{ registry: RegistryName; action: "pause" | "unpause"; hash: Hex | "unchanged" }> = [];
  const log = parameters.logger?.child({ component: "guard-bridge-pauser" });

  async function send(registry: RegistryName, action: "pause" | "unpause"): Promise<void> {
    const functionName = action === "pause" ? "pauseRegistry" : "unpauseRegistry";
    try {
      const hash = await writeIdempotent(
        parameters.walletClient,
        { address: parameters.bridge, abi, functionName, args: [REGISTRY_IDS[registry]] },
        "RegistryBridgeRegistryPauseUnchanged",
      );
      sent.push({ registry, action, hash });
      if (hash !== "unchanged") log?.warn({ registry, action, txHash: hash }, `registry ${action}d on the bridge`);
    } catch (error) {
      log?.error({ registry, action, err: error instanceof Error ? error.message : String(error) }, `${functionName} failed`);
      throw error;
    }
  }

  return {
    sent,
    onOpen: (registry) => send(registry, "pause"),
    onClose: (registry) => send(registry, "unpause"),
    async isPaused(registry) {
      if (parameters.publicClient === undefined) return null;
      try {
        const paused = await parameters.publicClient.readContract({
          address: parameters.bridge,
          abi,
          functionName: "isRegistryPaused",
          args: [REGISTRY_IDS[registry]],
        });
        return typeof paused === "boolean" ? paused : null;
      } catch (error) {
        log?.warn({ registry, err: error instanceof Error ? error.message : String(error) }, "isRegistryPaused failed");
        return null;
      }
    },
  };
}
