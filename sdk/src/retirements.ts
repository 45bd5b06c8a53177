/**
 * Retirements and withdrawals through the bridge: the holder locks units with `requestRetirement` /
 * `requestWithdrawal` under an idempotency key of its own choosing (a repeated key with the same parameters is the
 * same request), and the request id the platform reports is `keccak256(abi.encode(holder, idempotencyKey))`.
 */
import { type Address, type Hex, encodeAbiParameters, encodeFunctionData, keccak256, toHex } from "viem";
import { registryBridgeAbi } from "./generated/abis";
import { registryAccountBytes32 } from "./deals";
import type { ContractCall } from "./orders";

export type RetirementDetails = { beneficiary: string; reason: string };

/** A fresh random idempotency key (keep it to retry the same request safely). */
export function newIdempotencyKey(): Hex {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return toHex(bytes);
}

/** `RegistryBridge.requestIdOf(holder, idempotencyKey)`. */
export function requestIdOf(holder: Address, idempotencyKey: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [holder, idempotencyKey]));
}

export function requestRetirementCall(
  bridge: Address,
  params: { batchId: bigint; amount: bigint; idempotencyKey: Hex } & RetirementDetails,
): ContractCall {
  return {
    to: bridge,
    data: encodeFunctionData({
      abi: registryBridgeAbi,
      functionName: "requestRetirement",
      args: [params.batchId, params.amount, params.idempotencyKey, { beneficiary: params.beneficiary, reason: params.reason }],
    }),
  };
}

/** Withdrawal to the holder's account at the batch's registry (`registryAccount`: the account id, at most 32 bytes). */
export function requestWithdrawalCall(bridge: Address, params: { batchId: bigint; amount: bigint; idempotencyKey: Hex; registryAccount: string }): ContractCall {
  return {
    to: bridge,
    data: encodeFunctionData({
      abi: registryBridgeAbi,
      functionName: "requestWithdrawal",
      args: [params.batchId, params.amount, params.idempotencyKey, registryAccountBytes32(params.registryAccount)],
    }),
  };
}
