/**
 * Logs of the platform contracts to `ChainEvent`s, decoded with the compiled ABIs (`chain/artifacts.ts`).
 * Arguments become JSON (bigints as decimal strings, addresses lowercase) because that is what `chain_events`
 * stores and what projections read, live and during a reorg rebuild alike.
 */
import { type Abi, type Address, type Log, decodeEventLog } from "viem";
import { type PlatformContract, loadAbi } from "../chain/artifacts";
import type { ChainEvent, Deployment, EventArgs, JsonValue } from "./types";

export type ContractBook = {
  /** Addresses to ask `eth_getLogs` for. */
  addresses: Address[];
  byAddress: Map<string, { name: PlatformContract; abi: Abi }>;
};

export function contractBook(deployment: Deployment): ContractBook {
  const entries: Array<[PlatformContract, Address]> = [
    ["CreditToken", deployment.creditToken],
    ["IdentityRegistry", deployment.identityRegistry],
    ["RegistryBridge", deployment.registryBridge],
    ["Settlement", deployment.settlement],
  ];
  const byAddress = new Map<string, { name: PlatformContract; abi: Abi }>();
  for (const [name, address] of entries) byAddress.set(address.toLowerCase(), { name, abi: loadAbi(name) });
  return { addresses: entries.map(([, address]) => address), byAddress };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** bigint -> decimal string, address -> lowercase, recursively; named tuple fields stay objects. */
export function toJson(value: unknown): JsonValue {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return ADDRESS.test(value) ? value.toLowerCase() : value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out[key] = toJson(inner);
    return out;
  }
  return String(value);
}

/**
 * Decodes one log; undefined for a log of an unknown address or an event not in the ABI (a contract upgraded
 * under the same address would show up here: the caller counts them).
 */
export function decodeLog(book: ContractBook, log: Log): ChainEvent | undefined {
  const contract = book.byAddress.get(log.address.toLowerCase());
  if (contract === undefined || log.blockNumber === null || log.blockHash === null) return undefined;
  if (log.transactionHash === null || log.logIndex === null) return undefined;
  let decoded: { eventName: string | undefined; args: unknown };
  try {
    decoded = decodeEventLog({ abi: contract.abi, data: log.data, topics: log.topics, strict: true }) as typeof decoded;
  } catch {
    return undefined;
  }
  if (decoded.eventName === undefined) return undefined;
  return {
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    txHash: log.transactionHash,
    logIndex: log.logIndex,
    contract: log.address.toLowerCase() as Address,
    contractName: contract.name,
    eventName: decoded.eventName,
    args: toJson(decoded.args ?? {}) as EventArgs,
  };
}
