import { type Address, type Hex, getAddress, isAddressEqual, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Secret } from "../../config/secret";
import { canonicalHash } from "../canonical-json";
import type { ClaimStatement } from "./build";

/**
 * The signed snapshot of a claim statement. The statement's SHA-256 over its RFC 8785 canonical JSON is the
 * snapshot hash; the platform key signs it as EIP-712 typed data (one field per line, like the order types), so
 * anyone can check it with the JSON, a JCS library, SHA-256 and an EIP-712 recovery (viem, ethers, or a wallet),
 * and no chain: the domain carries no chainId.
 */

export const CLAIM_STATEMENT_DOMAIN = { name: "carbon-custody claim statement", version: "1" } as const;

export const CLAIM_STATEMENT_TYPES = {
  ClaimStatement: [
    { name: "statementId", type: "string" },
    { name: "format", type: "string" },
    { name: "statementHash", type: "bytes32" },
  ],
} as const;

export type SignedClaimStatement = {
  statement: ClaimStatement;
  snapshot: { canonicalization: "RFC 8785 (JCS)"; hashAlgorithm: "SHA-256"; hash: string };
  signature: {
    scheme: "EIP-712";
    domain: typeof CLAIM_STATEMENT_DOMAIN;
    primaryType: "ClaimStatement";
    signer: Address;
    value: Hex;
    signedAt: string;
  };
};

function message(statement: ClaimStatement, hash: string) {
  return { statementId: statement.statementId, format: statement.format, statementHash: `0x${hash}` as Hex };
}

export type SignClaimStatementParameters = {
  statement: ClaimStatement;
  /** The platform's statement-signing key (a config secret). */
  key: Secret<`0x${string}`>;
  signedAt: string;
};

export async function signClaimStatement({ statement, key, signedAt }: SignClaimStatementParameters): Promise<SignedClaimStatement> {
  const account = privateKeyToAccount(key.reveal());
  const hash = canonicalHash(statement);
  const value = await account.signTypedData({ domain: CLAIM_STATEMENT_DOMAIN, types: CLAIM_STATEMENT_TYPES, primaryType: "ClaimStatement", message: message(statement, hash) });
  return {
    statement,
    snapshot: { canonicalization: "RFC 8785 (JCS)", hashAlgorithm: "SHA-256", hash },
    signature: { scheme: "EIP-712", domain: CLAIM_STATEMENT_DOMAIN, primaryType: "ClaimStatement", signer: account.address, value, signedAt },
  };
}

export type VerifyClaimStatementReturnType = {
  valid: boolean;
  hashMatches: boolean;
  recoveredSigner: Address | null;
  signerMatches: boolean;
  /** Whether the signer is one of `trustedSigners` (true when no list is given). */
  signerTrusted: boolean;
  problems: string[];
};

/** Recomputes the hash from the statement and recovers the signer; `trustedSigners` are the platform's keys. */
export async function verifyClaimStatement(signed: SignedClaimStatement, trustedSigners?: readonly Address[]): Promise<VerifyClaimStatementReturnType> {
  const problems: string[] = [];
  let hash: string | null = null;
  try {
    hash = canonicalHash(signed.statement);
  } catch (error) {
    problems.push(`statement is not canonical JSON: ${(error as Error).message}`);
  }
  const hashMatches = hash !== null && hash === signed.snapshot.hash;
  if (!hashMatches) problems.push("the statement's SHA-256 differs from the snapshot hash: the statement was changed after signing");
  let recovered: Address | null = null;
  try {
    recovered = await recoverTypedDataAddress({
      domain: CLAIM_STATEMENT_DOMAIN,
      types: CLAIM_STATEMENT_TYPES,
      primaryType: "ClaimStatement",
      message: message(signed.statement, signed.snapshot.hash),
      signature: signed.signature.value,
    });
  } catch (error) {
    problems.push(`signature does not recover: ${(error as Error).message}`);
  }
  const signerMatches = recovered !== null && isAddressEqual(recovered, signed.signature.signer);
  if (recovered !== null && !signerMatches) problems.push(`signature recovers to ${recovered}, not the stated signer ${getAddress(signed.signature.signer)}`);
  const signerTrusted = trustedSigners === undefined || (recovered !== null && trustedSigners.some((s) => isAddressEqual(s, recovered!)));
  if (!signerTrusted) problems.push(`signer ${recovered} is not a platform statement key`);
  return { valid: hashMatches && signerMatches && signerTrusted, hashMatches, recoveredSigner: recovered, signerMatches, signerTrusted, problems };
}
