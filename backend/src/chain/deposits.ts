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
