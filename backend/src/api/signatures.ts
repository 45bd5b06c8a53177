/** EIP-712 signatures as the API checks them on arrival, by Settlement's own rules (OpenZeppelin ECDSA). */
import { type Address, type Hex, recoverAddress } from "viem";
import { z } from "zod";
import { ValidationError } from "../errors";

/** secp256k1 n / 2: Settlement (OpenZeppelin ECDSA) refuses signatures with a larger s. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** A 65-byte ECDSA signature as 0x hex. */
export const signatureParam = z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature as 0x hex");

/** The address that signed `hash`, or a ValidationError naming `field` (default body.signature). */
export async function signerOf(hash: Hex, signature: Hex, field = "body.signature"): Promise<Address> {
  if (BigInt(`0x${signature.slice(66, 130)}`) > HALF_N) {
    throw new ValidationError(field, "s is in the upper half of the curve order (malleable); Settlement refuses it");
  }
  try {
    return await recoverAddress({ hash, signature });
  } catch {
    throw new ValidationError(field, "not a valid ECDSA signature");
  }
}
