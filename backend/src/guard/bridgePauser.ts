/**
 * The breaker hooks the platform wires in: when a registry's circuit opens, the guardian key pauses that
 * registry on RegistryBridge (new retirement/withdrawal requests and escrow deals for its batches revert with a
 * clear error, ARCHITECTURE.md §3.3 "Registry degraded"); when it closes, the key unpauses it. The transactions go
 * through the relayer (one nonce manager per key, reverts decoded by custom error name). Idempotent: the contract's
 * `RegistryBridgeRegistryPauseUnchanged` revert (already paused by another worker process or an operator) counts
 * as done.
 */
import type { Address, Hex } from "viem";
import { registryBridgeAbi } from "../chain/abi";
import type { ChainReader } from "../chain/reader";
import type { Logger } from "../logger";
import { REGISTRY_IDS, type RegistryName } from "../registries/ids";
import { type Relayer, sendUnlessUnchanged } from "../relayer";
import type { BreakerHooks } from "./registryGuard";

export type CreateBridgePauserParameters = {
  /** Sends as the guardian (a relayer holding GUARDIAN_KEY). */
  relayer: Pick<Relayer, "send">;
  bridge: Address;
  /** Reads the pause flag for `isPaused` (the API's registry status); absent: unknown. */
  chain?: Pick<ChainReader, "isRegistryPaused"> | undefined;
  logger?: Logger | undefined;
};

export type BridgePauser = Required<BreakerHooks> & {
  /** `isRegistryPaused` on the bridge; null when no chain reader was given or the read failed. */
  isPaused(registry: RegistryName): Promise<boolean | null>;
  /** Transactions sent, newest last (for logs and tests). */
  readonly sent: ReadonlyArray<{ registry: RegistryName; action: "pause" | "unpause"; hash: Hex | "unchanged" }>;
};

export function createBridgePauser(parameters: CreateBridgePauserParameters): BridgePauser {
  const sent: Array<{ registry: RegistryName; action: "pause" | "unpause"; hash: Hex | "unchanged" }> = [];
  const log = parameters.logger?.child({ component: "guard-bridge-pauser" });

  async function send(registry: RegistryName, action: "pause" | "unpause"): Promise<void> {
    const functionName = action === "pause" ? "pauseRegistry" : "unpauseRegistry";
    try {
      const hash = await sendUnlessUnchanged(
        parameters.relayer,
        { to: parameters.bridge, abi: registryBridgeAbi, functionName, args: [REGISTRY_IDS[registry]] },
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
      if (parameters.chain === undefined) return null;
      try {
        return await parameters.chain.isRegistryPaused(REGISTRY_IDS[registry]);
      } catch (error) {
        log?.warn({ registry, err: error instanceof Error ? error.message : String(error) }, "isRegistryPaused failed");
        return null;
      }
    },
  };
}
