/**
 * The custody head recomputed from movements (docs/contracts-design.md, "Custody head"):
 * `head' = keccak256(abi.encode(head, from, to, value))` per movement of the batch, in log order, from
 * `bytes32(0)` at the token's deployment (or from a trusted checkpoint head read on-chain). The step itself is
 * `custodyHeadStep` of `backend/src/chain/attestations.ts`, shared with the rest of the backend.
 */
import type { Address, Hex } from "viem";
import { ZERO_HEAD, custodyHeadStep } from "../chain/attestations";

export { ZERO_HEAD };

export type HeadStep = { from: Address; to: Address; value: bigint };

/** The head after each step (same length as `steps`), starting from `start`. */
export function runningHeads(steps: readonly HeadStep[], start: Hex = ZERO_HEAD): Hex[] {
  const heads: Hex[] = [];
  let head = start;
  for (const { from, to, value } of steps) {
    head = custodyHeadStep(head, from, to, value);
    heads.push(head);
  }
  return heads;
}

/** The head after every step with `blockNumber <= upTo` (or all steps), starting from `start`. */
export function headAt<T extends HeadStep & { blockNumber: bigint }>(
  steps: readonly T[],
  upTo: bigint | undefined,
  start: Hex = ZERO_HEAD,
): Hex {
  const upToSteps = upTo === undefined ? steps : steps.filter((s) => s.blockNumber <= upTo);
  return runningHeads(upToSteps, start).at(-1) ?? start;
}

/** Case-insensitive equality of two 32-byte hex values. */
export function sameHex(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
