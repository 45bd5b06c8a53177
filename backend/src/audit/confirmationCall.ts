/**
 * Finding the call that confirmed a retirement in the confirming transaction's input: the bridge's
 * `confirmRetirement` / `confirmRetirements`, called directly or embedded in a relayer's, multisig's or forwarder's
 * call data. What it finds is only a candidate: the quorum check proves it (its signatures must recover to the
 * oracle set over its digest).
 */
import { type AbiFunction, type Hex, decodeFunctionData, toFunctionSelector } from "viem";
import { registryBridgeAbi } from "../chain/abi";
import type { RetirementConfirmed } from "../chain/attestations";
import { sameHex } from "./custodyHead";

const CONFIRM_SELECTORS = registryBridgeAbi
  .filter((item) => item.type === "function" && (item.name === "confirmRetirement" || item.name === "confirmRetirements"))
  .map((item) => toFunctionSelector(item as AbiFunction).slice(2));

export type ConfirmationCall = {
  functionName: "confirmRetirement" | "confirmRetirements";
  /** Byte offset of the call in the transaction input (0 for a direct call). */
  offset: number;
  items: readonly RetirementConfirmed[];
  itemIndex: number;
  signatures: readonly Hex[];
};

/**
 * The `confirmRetirement` / `confirmRetirements` call naming `requestId` in a transaction's input: the input itself
 * when the transaction calls the bridge, else (a relayer, multisig or forwarder contract) the first ABI-encoded call
 * found embedded at any byte offset. An embedded call is only a candidate: the caller still checks that its
 * signatures recover to a quorum over its digest, which is what proves the attestation.
 */
export function findConfirmationCall(input: Hex, requestId: Hex, direct: boolean): ConfirmationCall | undefined {
  const body = input.slice(2).toLowerCase();
  for (const offset of direct ? [0] : embeddedOffsets(body)) {
    const found = decodeAt(body, offset, requestId);
    // A direct call is the confirmation whichever items it names; an embedded one only when it names the request.
    if (found !== undefined && (direct || found.namesRequest)) return found.call;
  }
  return undefined;
}

/** Byte offsets, ascending, where a confirmRetirement(s) selector starts in the hex `body`. */
function embeddedOffsets(body: string): number[] {
  const offsets: number[] = [];
  for (const selector of CONFIRM_SELECTORS) {
    for (let i = body.indexOf(selector); i >= 0; i = body.indexOf(selector, i + 1)) {
      if (i % 2 === 0) offsets.push(i / 2);
    }
  }
  return offsets.sort((a, b) => a - b);
}

/** The confirmation call decoded at `offset`, and whether `requestId` is among its items. */
function decodeAt(body: string, offset: number, requestId: Hex): { call: ConfirmationCall; namesRequest: boolean } | undefined {
  let decoded: { functionName: string; args?: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi: registryBridgeAbi, data: `0x${body.slice(offset * 2)}` });
  } catch {
    return undefined; // not a decodable call at this offset
  }
  if (decoded.functionName === "confirmRetirement") {
    const [c, signatures] = decoded.args as unknown as [RetirementConfirmed, readonly Hex[]];
    const call: ConfirmationCall = { functionName: "confirmRetirement", offset, items: [c], itemIndex: 0, signatures };
    return { call, namesRequest: sameHex(c.requestId, requestId) };
  }
  if (decoded.functionName === "confirmRetirements") {
    const [items, signatures] = decoded.args as unknown as [readonly RetirementConfirmed[], readonly Hex[]];
    const itemIndex = items.findIndex((c) => sameHex(c.requestId, requestId));
    return { call: { functionName: "confirmRetirements", offset, items, itemIndex, signatures }, namesRequest: itemIndex >= 0 };
  }
  return undefined;
}
