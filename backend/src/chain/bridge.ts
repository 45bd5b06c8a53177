/**
 * The backend's one mirror of the contracts' constants, enum codes and derived tags: every number or hash the
 * backend compares with what a contract stores or emits is written here once, next to the Solidity it mirrors,
 * and imported from here by the indexer, the oracle nodes, the auditor and the API. (Registry ids live in
 * `registries/ids.ts`, one layer below, because the registry adapters and serial parsers need them too; the
 * EIP-712 type strings live with their signers in `attestations.ts` and `orders.ts`.)
 */
import { type Address, type Hex, encodeAbiParameters, keccak256, slice } from "viem";

/** `IRegistryBridge.RequestKind`. */
export const REQUEST_KIND = { None: 0, Retirement: 1, Withdrawal: 2 } as const;
/** `IRegistryBridge.RequestStatus`, and its names by code. */
export const REQUEST_STATUS = { None: 0, Pending: 1, Confirmed: 2, Rejected: 3 } as const;
export const REQUEST_STATUS_NAMES = ["None", "Pending", "Confirmed", "Rejected"] as const;

/** The kind code of a request kind as the backend names it (`requests.kind`). */
export function requestKindCode(kind: "retirement" | "withdrawal"): number {
  return kind === "retirement" ? REQUEST_KIND.Retirement : REQUEST_KIND.Withdrawal;
}

/** `ISettlement.DealStatus`. */
export const DEAL_STATUS = { None: 0, Open: 1, Delivering: 2, Settled: 3, Expired: 4, Cancelled: 5 } as const;

/** Order sides (`Settlement.SIDE_SELL`, `Settlement.SIDE_BUY`). */
export const SIDE_SELL = 0;
export const SIDE_BUY = 1;

/** Deal condition bits (`Settlement.CONDITION_*`) and the names the indexer stores them under (`deals.conditions`). */
export const CONDITION_FIAT_PAYMENT_RECEIVED = 1;
export const CONDITION_REGISTRY_DELIVERY = 2;
export const CONDITION_NAMES = {
  [CONDITION_FIAT_PAYMENT_RECEIVED]: "FIAT_PAYMENT_RECEIVED",
  [CONDITION_REGISTRY_DELIVERY]: "REGISTRY_DELIVERY",
} as const;

/** The name of one condition bit; an unknown bit is named `CONDITION_<bit>`. */
export function conditionNameOf(bit: number): string {
  return (CONDITION_NAMES as Record<number, string>)[bit] ?? `CONDITION_${bit}`;
}

/** The names of the known bits set in `bits`, in bit order. */
export function conditionNamesOf(bits: number): string[] {
  return Object.entries(CONDITION_NAMES)
    .filter(([bit]) => (bits & Number(bit)) !== 0)
    .map(([, name]) => name);
}

/** Fee rounding base of Settlement: fee = price * feeBps / 10_000 rounded down; the seller gets the rest. */
export const BPS = 10_000n;

/** `RegistryBridge.RESERVE_SHORTFALL_REASON`, the reason code of the automatic batch freeze. */
export const RESERVE_SHORTFALL_REASON = 1;

/** Unit type codes stored on-chain in the batch metadata (`CreditToken.BatchState.unitType`). */
export const UNIT_TYPE_IDS = { VCU: 1, VER: 2, "I-REC(E)": 3, CCC: 4, UKA: 5 } as const;

/**
 * The bridge's `paramsTag` of a request (`RegistryBridge._tagOf`): the first 16 bytes of
 * `keccak256(abi.encode(uint8 kind, address holder, uint256 batchId, uint256 amount, bytes32 extra))`, where `extra`
 * is the details hash (retirement) or the registry account (withdrawal). Lowercase hex.
 */
export function paramsTagOf(kind: number, holder: Address, batchId: bigint, amount: bigint, extra: Hex): Hex {
  const hash = keccak256(
    encodeAbiParameters(
      [{ type: "uint8" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes32" }],
      [kind, holder, batchId, amount, extra],
    ),
  );
  return slice(hash, 0, 16).toLowerCase() as Hex;
}

/** The certificate tag of a confirmed request (`RegistryBridge._certificateOf`): first 15 bytes of the hash. */
export function certificateTagOf(registryRefHash: Hex, serialRangeHash: Hex): Hex {
  const hash = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [registryRefHash, serialRangeHash]));
  return slice(hash, 0, 15).toLowerCase() as Hex;
}
