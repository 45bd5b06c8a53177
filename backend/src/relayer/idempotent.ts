import type { Hex } from "viem";
import { RelayerRevertError } from "./errors";
import type { Relayer, RelayerCall } from "./relayer";

/**
 * Sends one state-setting call (a pause, a freeze) through the relayer. When the contract refuses it because the
 * state already is the wanted one (its `unchangedError`, compared by custom error name as the relayer decoded it:
 * another process or an operator got there first), the goal is met: answers "unchanged" instead of throwing.
 */
export async function sendUnlessUnchanged(
  relayer: Pick<Relayer, "send">,
  call: RelayerCall,
  unchangedError: string,
): Promise<Hex | "unchanged"> {
  try {
    return (await relayer.send(call)).hash;
  } catch (error) {
    if (error instanceof RelayerRevertError && error.errorName === unchangedError) return "unchanged";
    throw error;
  }
}
