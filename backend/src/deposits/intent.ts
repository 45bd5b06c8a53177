/**
 * What a deposit intent is made of, shared by the API, the arrival watcher, the immobilize handler and the oracles:
 * its id (the memo of the holder's registry transfer and the on-chain `depositId`), the memo of the platform's own
 * immobilization, and the holder's instructions.
 */
import crypto from "node:crypto";
import { type Hex, encodePacked, keccak256 } from "viem";

/** Job kind of the immobilization the watcher enqueues once a deposit arrived. */
export const IMMOBILIZE_JOB_KIND = "immobilize";

/** Default time a holder has to make the registry transfer. */
export const DEFAULT_INTENT_TTL_MS = 24 * 60 * 60 * 1000;

export const OPEN_INTENT_STATUSES = ["awaiting_transfer", "arrived", "immobilized"] as const;
export const INTENT_STATUSES = [...OPEN_INTENT_STATUSES, "minted", "rejected", "expired"] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

/**
 * A new intent id: keccak256 of the holder, registry, declared serial and 32 random bytes. The salt makes it
 * unguessable (nobody can pre-empt a holder's memo) and unique even when a holder declares the same block twice.
 */
export function newIntentId(holder: string, registry: string, serial: string): Hex {
  const salt = `0x${crypto.randomBytes(32).toString("hex")}` as Hex;
  return keccak256(encodePacked(["address", "string", "string", "bytes32"], [holder as Hex, registry, serial, salt]));
}

/** The memo of the platform's immobilization of an arrived deposit (looked up before any submission). */
export function immobilizeMemoOf(intentId: string): string {
  return `immobilize:${intentId.toLowerCase()}`;
}

/** The job key of that immobilization: one job per intent, ever. */
export function immobilizeJobKeyOf(intentId: string): string {
  return `${IMMOBILIZE_JOB_KIND}:${intentId.toLowerCase()}`;
}

/** What the holder does at the registry. */
export function instructionsFor(params: { intentId: string; registry: string; custodyAccount: string; serial: string }): string {
  return (
    `Transfer the block ${params.serial} (or a part of it) to ${params.custodyAccount} at ${params.registry} with memo ` +
    `${params.intentId} before the intent expires.`
  );
}
