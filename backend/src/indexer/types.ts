import type { Address, Hex } from "viem";
import type { PlatformContract } from "../chain/abi";

/** Decoded arguments as stored in `chain_events.args`: bigints as decimal strings, addresses lowercase. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventArgs = { [key: string]: JsonValue };

/** One decoded platform log, in the shape stored in `chain_events`. */
export type ChainEvent = {
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  /** Lowercase address of the emitting contract. */
  contract: Address;
  contractName: PlatformContract;
  eventName: string;
  args: EventArgs;
  /** Exact bytes (hex) of every non-indexed ABI `string` argument by path (`details.beneficiary`); `{}` if none. */
  stringBytes: Record<string, Hex>;
};

/** `(blockNumber, blockHash)` of the last block whose events are all in `chain_events`. */
export type Checkpoint = { blockNumber: bigint; blockHash: Hex };
