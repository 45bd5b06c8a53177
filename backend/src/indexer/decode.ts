/**
 * Logs of the platform contracts to `ChainEvent`s, decoded with the compiled ABIs (`chain/artifacts.ts`).
 * Arguments become JSON (bigints as decimal strings, addresses lowercase) because that is what `chain_events`
 * stores and what projections read, live and during a reorg rebuild alike.
 */
import { type Abi, type AbiParameter, type Address, type Log, decodeEventLog } from "viem";
import { PLATFORM_ABIS, type PlatformContract } from "../chain/abi";
import type { Deployment } from "../chain/deployment";
import type { ChainEvent, EventArgs, JsonValue } from "./types";

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
  for (const [name, address] of entries) byAddress.set(address.toLowerCase(), { name, abi: PLATFORM_ABIS[name] });
  return { addresses: entries.map(([, address]) => address), byAddress };
}

/**
 * A decoded value as JSON, guided by its ABI type: bigints as decimal strings, `address` (and address arrays)
 * lowercase, tuples as objects by component name. Strings stay exactly as emitted (a serial prefix is never
 * touched, even if it looks like an address).
 */
export function toJson(value: unknown, param?: AbiParameter): JsonValue {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return param?.type.startsWith("address") === true ? value.toLowerCase() : value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (value === undefined) return null;
  const components = param !== undefined && "components" in param ? param.components : undefined;
  if (Array.isArray(value)) {
    if (param?.type.endsWith("]") === true) {
      const inner = { ...param, type: param.type.slice(0, param.type.lastIndexOf("[")) } as AbiParameter;
      return value.map((item) => toJson(item, inner));
    }
    return value.map((item, i) => toJson(item, components?.[i]));
  }
  if (typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      out[key] = toJson(inner, components?.find((c) => c.name === key));
    }
    return out;
  }
  return String(value);
}

function argsToJson(abi: Abi, eventName: string, args: unknown): EventArgs {
  const item = abi.find((entry) => entry.type === "event" && entry.name === eventName);
  const inputs = item !== undefined && item.type === "event" ? item.inputs : [];
  const out: EventArgs = {};
  for (const [key, value] of Object.entries((args ?? {}) as Record<string, unknown>)) {
    out[key] = toJson(value, inputs.find((input) => input.name === key));
  }
  return out;
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
    args: argsToJson(contract.abi, decoded.eventName, decoded.args),
  };
}
