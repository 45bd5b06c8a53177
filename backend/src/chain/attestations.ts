/**
 * EIP-712 attestations of `contracts/RegistryBridge.sol`, signed by the oracle nodes and relayed by the aggregator,
 * and the identifiers the contracts derive (batch id, request id, serial block key, custody head).
 *
 * The type definitions are written one field per line and mirror the Solidity type strings of
 * `contracts/libraries/Attestations.sol` field for field. The batched kinds are EIP-712 arrays of the single kind
 * (`RetirementConfirmedBatch(RetirementConfirmed[] items)`): one quorum of signatures covers many answers. The
 * bridge wants signatures sorted by ascending signer address; `signQuorum` returns them in that order.
 */
import {
  type Address,
  type Hex,
  type LocalAccount,
  type TypedDataDomain,
  encodeAbiParameters,
  hashTypedData,
  keccak256,
  toHex,
} from "viem";
import { ValidationError } from "../errors";

/** EIP-712 domain name and version of RegistryBridge (its constructor). */
export const BRIDGE_DOMAIN_NAME = "CarbonRegistryBridge";
export const BRIDGE_DOMAIN_VERSION = "1";

/** Registry ids as on-chain (`uint8`; 0 is invalid): one table, kept with the registry layer. */
export { REGISTRY_IDS } from "../registries/ids";

/** Re-exported for the callers that build attestations (defined in bridge.ts with the other contract constants). */
export { RESERVE_SHORTFALL_REASON } from "./bridge";

const depositConfirmedFields = [
  { name: "depositId", type: "bytes32" },
  { name: "holder", type: "address" },
  { name: "registryId", type: "uint8" },
  { name: "serialPrefix", type: "string" },
  { name: "projectId", type: "bytes32" },
  { name: "vintage", type: "uint16" },
  { name: "unitType", type: "uint8" },
  { name: "blockStart", type: "uint64" },
  { name: "blockEnd", type: "uint64" },
] as const;

const retirementConfirmedFields = [
  { name: "requestId", type: "bytes32" },
  { name: "holder", type: "address" },
  { name: "batchId", type: "uint256" },
  { name: "amount", type: "uint256" },
  { name: "detailsHash", type: "bytes32" },
  { name: "retirementIdHash", type: "bytes32" },
  { name: "serialRangeHash", type: "bytes32" },
] as const;

const retirementRejectedFields = [
  { name: "requestId", type: "bytes32" },
  { name: "holder", type: "address" },
  { name: "batchId", type: "uint256" },
  { name: "amount", type: "uint256" },
  { name: "detailsHash", type: "bytes32" },
  { name: "reasonHash", type: "bytes32" },
] as const;

const withdrawalConfirmedFields = [
  { name: "requestId", type: "bytes32" },
  { name: "holder", type: "address" },
  { name: "batchId", type: "uint256" },
  { name: "amount", type: "uint256" },
  { name: "registryAccount", type: "bytes32" },
  { name: "registryTxHash", type: "bytes32" },
  { name: "serialRangeHash", type: "bytes32" },
  { name: "blockStart", type: "uint64" },
  { name: "blockEnd", type: "uint64" },
] as const;

const withdrawalRejectedFields = [
  { name: "requestId", type: "bytes32" },
  { name: "holder", type: "address" },
  { name: "batchId", type: "uint256" },
  { name: "amount", type: "uint256" },
  { name: "registryAccount", type: "bytes32" },
  { name: "reasonHash", type: "bytes32" },
] as const;

const reserveAttestedFields = [
  { name: "batchId", type: "uint256" },
  { name: "units", type: "uint256" },
  { name: "asOf", type: "uint64" },
] as const;

/** Every attestation type, keyed by its EIP-712 primary type. */
export const attestationTypes = {
  DepositConfirmed: { DepositConfirmed: depositConfirmedFields },
  DepositConfirmedBatch: {
    DepositConfirmedBatch: [{ name: "items", type: "DepositConfirmed[]" }],
    DepositConfirmed: depositConfirmedFields,
  },
  RetirementConfirmed: { RetirementConfirmed: retirementConfirmedFields },
  RetirementConfirmedBatch: {
    RetirementConfirmedBatch: [{ name: "items", type: "RetirementConfirmed[]" }],
    RetirementConfirmed: retirementConfirmedFields,
  },
  RetirementRejected: { RetirementRejected: retirementRejectedFields },
  WithdrawalConfirmed: { WithdrawalConfirmed: withdrawalConfirmedFields },
  WithdrawalConfirmedBatch: {
    WithdrawalConfirmedBatch: [{ name: "items", type: "WithdrawalConfirmed[]" }],
    WithdrawalConfirmed: withdrawalConfirmedFields,
  },
  WithdrawalRejected: { WithdrawalRejected: withdrawalRejectedFields },
  ReserveAttested: { ReserveAttested: reserveAttestedFields },
} as const;

export type DepositConfirmed = {
  depositId: Hex;
  holder: Address;
  registryId: number;
  serialPrefix: string;
  projectId: Hex;
  vintage: number;
  unitType: number;
  blockStart: bigint;
  blockEnd: bigint;
};

export type RetirementConfirmed = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  detailsHash: Hex;
  retirementIdHash: Hex;
  serialRangeHash: Hex;
};

export type RetirementRejected = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  detailsHash: Hex;
  reasonHash: Hex;
};

export type WithdrawalConfirmed = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  registryAccount: Hex;
  registryTxHash: Hex;
  serialRangeHash: Hex;
  /**
   * The unit range of the block that left custody (`blockEnd - blockStart + 1 == amount`). When it is exactly a
   * deposited block of the batch, the bridge releases it (it may be deposited again).
   */
  blockStart: bigint;
  blockEnd: bigint;
};

export type WithdrawalRejected = {
  requestId: Hex;
  holder: Address;
  batchId: bigint;
  amount: bigint;
  registryAccount: Hex;
  reasonHash: Hex;
};

export type ReserveAttested = { batchId: bigint; units: bigint; asOf: bigint };

/** The message of each attestation kind. */
export type AttestationMessages = {
  DepositConfirmed: DepositConfirmed;
  DepositConfirmedBatch: { items: readonly DepositConfirmed[] };
  RetirementConfirmed: RetirementConfirmed;
  RetirementConfirmedBatch: { items: readonly RetirementConfirmed[] };
  RetirementRejected: RetirementRejected;
  WithdrawalConfirmed: WithdrawalConfirmed;
  WithdrawalConfirmedBatch: { items: readonly WithdrawalConfirmed[] };
  WithdrawalRejected: WithdrawalRejected;
  ReserveAttested: ReserveAttested;
};

export type AttestationKind = keyof AttestationMessages;

export type BridgeDomainParameters = { chainId: number | bigint; verifyingContract: Address };

/** The bridge's EIP-712 domain on `chainId` at `verifyingContract`. */
export function bridgeDomain({ chainId, verifyingContract }: BridgeDomainParameters): TypedDataDomain {
  return {
    name: BRIDGE_DOMAIN_NAME,
    version: BRIDGE_DOMAIN_VERSION,
    chainId: Number(chainId),
    verifyingContract,
  };
}

export type HashAttestationParameters<K extends AttestationKind> = {
  domain: TypedDataDomain;
  kind: K;
  message: AttestationMessages[K];
};

/** The EIP-712 digest the oracles sign and the bridge recovers from. */
export function hashAttestation<K extends AttestationKind>({ domain, kind, message }: HashAttestationParameters<K>): Hex {
  return hashTypedData({
    domain,
    types: attestationTypes[kind],
    primaryType: kind,
    message,
  } as unknown as Parameters<typeof hashTypedData>[0]);
}

export type SignAttestationParameters<K extends AttestationKind> = HashAttestationParameters<K> & {
  account: LocalAccount;
};

/** One oracle's signature over an attestation. */
export async function signAttestation<K extends AttestationKind>({
  account,
  domain,
  kind,
  message,
}: SignAttestationParameters<K>): Promise<Hex> {
  return account.signTypedData({
    domain,
    types: attestationTypes[kind],
    primaryType: kind,
    message,
  } as unknown as Parameters<LocalAccount["signTypedData"]>[0]);
}

export type SignQuorumParameters<K extends AttestationKind> = HashAttestationParameters<K> & {
  accounts: readonly LocalAccount[];
};

/** Signatures of `accounts` over an attestation, sorted by ascending signer address as the bridge requires. */
export async function signQuorum<K extends AttestationKind>({
  accounts,
  domain,
  kind,
  message,
}: SignQuorumParameters<K>): Promise<Hex[]> {
  const sorted = sortSigners(accounts);
  return Promise.all(sorted.map((account) => signAttestation({ account, domain, kind, message })));
}

/**
 * Signatures of `accounts` over a raw digest (e.g. Settlement's own EIP-712 digest that it checks through
 * `RegistryBridge.verifyQuorum`), sorted by ascending signer address.
 */
export async function signDigestQuorum(accounts: readonly LocalAccount[], digest: Hex): Promise<Hex[]> {
  return Promise.all(
    sortSigners(accounts).map((account) => {
      if (account.sign === undefined) {
        throw new ValidationError("accounts", `account ${account.address} cannot sign raw digests`);
      }
      return account.sign({ hash: digest });
    }),
  );
}

/** `accounts` sorted by ascending address (numeric order, case-insensitive). */
export function sortSigners<T extends { address: Address }>(accounts: readonly T[]): T[] {
  return [...accounts].sort((a, b) => {
    const x = BigInt(a.address);
    const y = BigInt(b.address);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** `uint256(keccak256(abi.encode(uint8 registryId, string serialPrefix)))`, as `CreditToken.batchIdOf`. */
export function batchIdOf(registryId: number, serialPrefix: string): bigint {
  if (!Number.isInteger(registryId) || registryId < 1 || registryId > 255) {
    throw new ValidationError("registryId", `must be an integer in 1..255, got ${registryId}`);
  }
  return BigInt(keccak256(encodeAbiParameters([{ type: "uint8" }, { type: "string" }], [registryId, serialPrefix])));
}

/** `keccak256(abi.encode(address holder, bytes32 idempotencyKey))`, as `RegistryBridge.requestIdOf`. */
export function requestIdOf(holder: Address, idempotencyKey: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [holder, idempotencyKey]));
}

/** `keccak256(abi.encode(uint256 batchId, uint64 blockStart, uint64 blockEnd))`, as `RegistryBridge.blockKeyOf`. */
export function blockKeyOf(batchId: bigint, blockStart: bigint, blockEnd: bigint): Hex {
  if (blockEnd < blockStart) {
    throw new ValidationError("blockEnd", `must be >= blockStart (${blockStart}), got ${blockEnd}`);
  }
  return keccak256(
    encodeAbiParameters([{ type: "uint256" }, { type: "uint64" }, { type: "uint64" }], [batchId, blockStart, blockEnd]),
  );
}

/** `keccak256(abi.encode(string beneficiary, string reason))`, the `detailsHash` of retirement answers. */
export function detailsHashOf(details: { beneficiary: string; reason: string }): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "string" }, { type: "string" }], [details.beneficiary, details.reason]),
  );
}

/**
 * `retirementIdHash` / `registryTxHash` of an answer: keccak256 of the registry's own reference (retirement id,
 * operation or transaction id) exactly as the registry shows it, UTF-8.
 */
export function registryRefHashOf(reference: string): Hex {
  if (reference.length === 0) throw new ValidationError("reference", "must not be empty");
  return keccak256(toHex(reference));
}

/**
 * `serialRangeHash` of an answer: keccak256 of the serial of the block the registry retired or moved, exactly as
 * the registry prints it (UTF-8), so anyone holding the registry's certificate can recompute it.
 */
export function serialRangeHashOf(serial: string): Hex {
  if (serial.length === 0) throw new ValidationError("serial", "must not be empty");
  return keccak256(toHex(serial));
}

/** `reasonHash` of a rejection: keccak256 of the registry's rejection reason text (UTF-8). */
export function reasonHashOf(reason: string): Hex {
  return keccak256(toHex(reason));
}

/** One step of the custody head: `keccak256(abi.encode(head, from, to, value))`. */
export function custodyHeadStep(head: Hex, from: Address, to: Address, value: bigint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "address" }, { type: "uint256" }],
      [head, from, to, value],
    ),
  );
}

/** The zero head every batch starts from. */
export const ZERO_HEAD: Hex = `0x${"00".repeat(32)}`;

export type CustodyMovement = { batchId: bigint; from: Address; to: Address; value: bigint };

/**
 * Custody heads per batch recomputed from movements in log order (each TransferSingle, and each id of a
 * TransferBatch in array order), as an auditor does from ERC-1155 logs alone.
 */
export function custodyHeadsOf(movements: Iterable<CustodyMovement>): Map<bigint, Hex> {
  const heads = new Map<bigint, Hex>();
  for (const { batchId, from, to, value } of movements) {
    heads.set(batchId, custodyHeadStep(heads.get(batchId) ?? ZERO_HEAD, from, to, value));
  }
  return heads;
}
