import { type Hex, hexToString, stringToHex } from "viem";
import { ValidationError } from "../errors";

/**
 * A registry account name as the bridge stores it (`bytes32 registryAccount` of withdrawals): the UTF-8 name,
 * right-padded with zero bytes. Names longer than 32 bytes cannot be named on-chain.
 */
export function registryAccountToBytes32(name: string): Hex {
  if (name.length === 0) throw new ValidationError("registryAccount", "must not be empty");
  if (Buffer.byteLength(name, "utf8") > 32) throw new ValidationError("registryAccount", `"${name}" is longer than 32 bytes`);
  if (name.includes("\0")) throw new ValidationError("registryAccount", "must not contain NUL characters");
  return stringToHex(name, { size: 32 });
}

/** The account name of a `bytes32 registryAccount`; throws when it is not a padded UTF-8 name. */
export function registryAccountFromBytes32(value: Hex): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new ValidationError("registryAccount", `expected bytes32 hex, got ${value}`);
  const name = hexToString(value, { size: 32 }).replace(/\0+$/, "");
  if (name.length === 0 || name.includes("\0") || registryAccountToBytes32(name).toLowerCase() !== value.toLowerCase()) {
    throw new ValidationError("registryAccount", `${value} is not a zero-padded account name`);
  }
  return name;
}
