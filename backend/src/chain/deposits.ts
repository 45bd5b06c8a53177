import { type Address, type Hex, keccak256, toHex } from "viem";
import { ValidationError } from "../errors";
import { REGISTRY_IDS } from "../registries/ids";
import type { ParsedSerial } from "../registries/serials";
import { type DepositConfirmed, batchIdOf } from "./attestations";
import { UNIT_TYPE_IDS } from "./bridge";

export type DepositAttestationOfParameters = {
  /** The deposit intent id the holder put in the registry memo (each is usable once on-chain). */
  depositId: Hex;
  holder: Address;
  /** The serial block as the registry shows it in the platform's custody account. */
  block: ParsedSerial;
};

/**
 * The `DepositConfirmed` message oracles sign for a serial block. Every oracle derives it from the registry's own
 * record, so two honest oracles produce the same message byte for byte:
 * - `projectId` is `keccak256("<REGISTRY>:<projectId>")`: project numbers collide across registries;
 * - `vintage` is the year the vintage period starts.
 */
export function depositAttestationOf({ depositId, holder, block }: DepositAttestationOfParameters): DepositConfirmed {
  if (block.blockStart === undefined || block.blockEnd === undefined) {
    throw new ValidationError("serial", `${block.serial} carries no unit range; a deposit needs one`);
  }
  const unitType = UNIT_TYPE_IDS[block.unitType as keyof typeof UNIT_TYPE_IDS];
  if (unitType === undefined) throw new ValidationError("unitType", `no on-chain code for unit type ${block.unitType}`);
  const vintage = Number((block.vintageStart ?? "").slice(0, 4));
  if (!Number.isInteger(vintage) || vintage < 1990) {
    throw new ValidationError("vintageStart", `cannot take a vintage year from ${JSON.stringify(block.vintageStart)}`);
  }
  return {
    depositId,
    holder,
    registryId: REGISTRY_IDS[block.registry],
    serialPrefix: block.serialPrefix,
    projectId: keccak256(toHex(`${block.registry}:${block.projectId ?? ""}`)),
    vintage,
    unitType,
    blockStart: block.blockStart,
    blockEnd: block.blockEnd,
  };
}

/** The token id of the batch a parsed serial belongs to. */
export function batchIdOfSerial(block: ParsedSerial): bigint {
  return batchIdOf(REGISTRY_IDS[block.registry], block.serialPrefix);
}

export type DepositHintsOfParameters = {
  /** The deposits of one `confirmDeposits` call (or one `confirmDeposit`), in call order. */
  deposits: readonly Pick<DepositConfirmed, "registryId" | "serialPrefix" | "blockStart">[];
  /** `RegistryBridge.depositHintOf(batchId, blockStart)` on the chain as it stands before the call. */
  hintOnChain: (batchId: bigint, blockStart: bigint) => Promise<bigint>;
};

/**
 * The `hints` argument of `RegistryBridge.confirmDeposits` (one per deposit; `confirmDeposit` takes the first): for
 * each deposit the start of the deposited block nearest below it, which makes the bridge's overlap check O(1).
 * A deposit's nearest block may be an earlier item of the same call, which the chain does not have yet, so each
 * chain hint is raised to the highest earlier start of the same batch below the deposit. Hints are not signed and
 * only change gas: a stale one (another deposit landed in between) still confirms, walking forward from it.
 */
export async function depositHintsOf({ deposits, hintOnChain }: DepositHintsOfParameters): Promise<bigint[]> {
  const hints: bigint[] = [];
  for (const [i, deposit] of deposits.entries()) {
    const batchId = batchIdOf(deposit.registryId, deposit.serialPrefix);
    let hint = await hintOnChain(batchId, deposit.blockStart);
    for (const earlier of deposits.slice(0, i)) {
      const sameBatch = batchIdOf(earlier.registryId, earlier.serialPrefix) === batchId;
      if (sameBatch && earlier.blockStart < deposit.blockStart && earlier.blockStart > hint) hint = earlier.blockStart;
    }
    hints.push(hint);
  }
  return hints;
}
