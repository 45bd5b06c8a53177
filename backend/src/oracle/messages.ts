/**
 * The messages oracle nodes sign, as one tagged union over the bridge's attestation kinds and Settlement's
 * `DealConditionAttested`: their EIP-712 digest, signing and signer recovery in the right domain, and the JSON form
 * they take in Postgres (bigints as decimal strings, restored by the field types, so a row read back hashes to the
 * same digest).
 */
import { type Address, type Hex, type LocalAccount, type TypedDataDomain, recoverAddress } from "viem";
import {
  type AttestationKind,
  type AttestationMessages,
  attestationTypes,
  bridgeDomain,
  hashAttestation,
  signAttestation,
} from "../chain/attestations";
import {
  type DealConditionAttested,
  dealConditionAttestedTypes,
  hashDealCondition,
  settlementDomain,
  signDealCondition,
} from "../chain/orders";
import type { Deployment } from "../chain/deployment";

/** Single-answer kinds a node signs after its own registry check. */
export type ObservationKind =
  | "DepositConfirmed"
  | "RetirementConfirmed"
  | "RetirementRejected"
  | "WithdrawalConfirmed"
  | "WithdrawalRejected"
  | "ReserveAttested"
  | "DealConditionAttested";

export type ObservationMessages = Omit<AttestationMessages, `${string}Batch`> & { DealConditionAttested: DealConditionAttested };

/** The bridge's batched kind of each batchable answer, and its entry point. */
export const BATCHED = {
  DepositConfirmed: { batchKind: "DepositConfirmedBatch", functionName: "confirmDeposits" },
  RetirementConfirmed: { batchKind: "RetirementConfirmedBatch", functionName: "confirmRetirements" },
  WithdrawalConfirmed: { batchKind: "WithdrawalConfirmedBatch", functionName: "confirmWithdrawals" },
} as const;

export type BatchableKind = keyof typeof BATCHED;
export type BatchKind = (typeof BATCHED)[BatchableKind]["batchKind"];

export function isBatchable(kind: ObservationKind): kind is BatchableKind {
  return kind in BATCHED;
}

/** The two EIP-712 domains oracles sign in. */
export type Domains = { bridge: TypedDataDomain; settlement: TypedDataDomain };

export function domainsOf(deployment: Pick<Deployment, "chainId" | "registryBridge" | "settlement">): Domains {
  return {
    bridge: bridgeDomain({ chainId: deployment.chainId, verifyingContract: deployment.registryBridge }),
    settlement: settlementDomain({ chainId: deployment.chainId, verifyingContract: deployment.settlement }),
  };
}

/** Any message a node or the aggregator hashes: the single kinds and the bridge's batch kinds. */
export type SignedKind = ObservationKind | BatchKind;
type MessageOf<K extends SignedKind> = K extends "DealConditionAttested"
  ? DealConditionAttested
  : K extends AttestationKind
    ? AttestationMessages[K]
    : never;

export function digestOf<K extends SignedKind>(domains: Domains, kind: K, message: MessageOf<K>): Hex {
  if (kind === "DealConditionAttested") {
    return hashDealCondition({ domain: domains.settlement, attestation: message as DealConditionAttested });
  }
  return hashAttestation({ domain: domains.bridge, kind: kind as AttestationKind, message: message as never });
}

export async function signMessage<K extends SignedKind>(
  account: LocalAccount,
  domains: Domains,
  kind: K,
  message: MessageOf<K>,
): Promise<Hex> {
  if (kind === "DealConditionAttested") {
    return signDealCondition({ signer: account, domain: domains.settlement, attestation: message as DealConditionAttested });
  }
  return signAttestation({ account, domain: domains.bridge, kind: kind as AttestationKind, message: message as never });
}

/** The signer of `signature` over `digest`, lowercase; undefined when the signature does not parse. */
export async function recoverSigner(digest: Hex, signature: Hex): Promise<Address | undefined> {
  try {
    return (await recoverAddress({ hash: digest, signature })).toLowerCase() as Address;
  } catch {
    return undefined;
  }
}

/** A message as stored in `jsonb`: bigints become decimal strings. */
export function toJson(message: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(message, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
  ) as Record<string, unknown>;
}

type Field = { name: string; type: string };

function fieldsOf(kind: SignedKind): readonly Field[] {
  if (kind === "DealConditionAttested") return dealConditionAttestedTypes.DealConditionAttested;
  return (attestationTypes[kind] as unknown as Record<string, readonly Field[]>)[kind] as readonly Field[];
}

/** A stored message back in typed form (uint64/uint256 fields as bigint, small ints as numbers). */
export function fromJson<K extends ObservationKind>(kind: K, json: Record<string, unknown>): ObservationMessages[K] {
  const out: Record<string, unknown> = {};
  for (const { name, type } of fieldsOf(kind)) {
    const value = json[name];
    if (type === "uint64" || type === "uint256") out[name] = BigInt(value as string);
    else if (type === "uint8" || type === "uint16") out[name] = Number(value);
    else out[name] = value;
  }
  return out as ObservationMessages[K];
}
