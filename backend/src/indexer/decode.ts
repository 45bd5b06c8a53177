/**
 * Logs of the platform contracts to `ChainEvent`s, decoded with the compiled ABIs (`chain/artifacts.ts`).
 * Arguments become JSON (bigints as decimal strings, addresses lowercase) because that is what `chain_events`
 * stores and what projections read, live and during a reorg rebuild alike. Every string is untrusted and goes
 * through `storableText` (`db/storable.ts`: NUL and lone surrogates escaped reversibly), and the exact bytes of every
 * ABI `string` argument are kept as hex beside it (`ChainEvent.stringBytes`), because a `string` that is not valid
 * UTF-8 on chain is lossy once decoded.
 */
import { type Abi, type AbiParameter, type Address, type Hex, type Log, decodeAbiParameters, decodeEventLog } from "viem";
import { PLATFORM_ABIS, type PlatformContract } from "../chain/abi";
import type { Deployment } from "../chain/deployment";
import { storableText } from "../db/storable";
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
 * lowercase, tuples as objects by component name. Other strings are made storable (`storableText`) and otherwise
 * stay as emitted (a serial prefix is never lowercased, even if it looks like an address).
 */
export function toJson(value: unknown, param?: AbiParameter): JsonValue {
  const scalar = scalarJson(value, param);
  if (scalar !== undefined) return scalar;
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
  return storableText(String(value));
}

/** `toJson` of a scalar (undefined for arrays and objects): the one place chain strings are made storable. */
function scalarJson(value: unknown, param: AbiParameter | undefined): JsonValue | undefined {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return param?.type.startsWith("address") === true ? value.toLowerCase() : storableText(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (value === undefined) return null;
  return undefined;
}

/** `param` with every `string` (also in arrays and tuples) read as `bytes`: the same ABI encoding, the raw bytes. */
function asBytes<P extends AbiParameter>(param: P): P {
  const type = param.type.replace(/^string(?=$|\[)/, "bytes");
  if (!("components" in param) || param.components === undefined) return { ...param, type };
  return { ...param, type, components: param.components.map(asBytes) };
}

/** Paths (`details.beneficiary`, `names.1`) of every ABI `string` argument to its bytes as decoded with `asBytes`. */
function collectStringBytes(value: unknown, param: AbiParameter | undefined, path: string, out: Record<string, Hex>): void {
  if (param === undefined || value === undefined || value === null) return;
  if (param.type === "string" && typeof value === "string") {
    out[path] = value as Hex;
    return;
  }
  if (param.type.endsWith("]") && Array.isArray(value)) {
    const inner = { ...param, type: param.type.slice(0, param.type.lastIndexOf("[")) } as AbiParameter;
    value.forEach((item, i) => collectStringBytes(item, inner, `${path}.${i}`, out));
    return;
  }
  const components = "components" in param ? param.components : undefined;
  if (components === undefined || typeof value !== "object") return;
  components.forEach((component, i) => {
    const inner = Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[component.name ?? ""];
    collectStringBytes(inner, component, `${path}.${component.name ?? i}`, out);
  });
}

/**
 * The exact bytes of each non-indexed `string` argument, by path (an indexed string is only its hash on chain).
 * Empty for events without strings.
 */
export function stringBytesOf(abi: Abi, log: Log, eventName: string): Record<string, Hex> {
  const item = abi.find((entry) => entry.type === "event" && entry.name === eventName);
  if (item === undefined || item.type !== "event" || !JSON.stringify(item.inputs).includes('"string')) return {};
  // Non-indexed arguments are the ABI encoding of `log.data`, where `string` and `bytes` are encoded alike.
  const inputs = item.inputs.filter((input) => input.indexed !== true);
  let values: readonly unknown[];
  try {
    values = decodeAbiParameters(inputs.map((input) => asBytes(input as AbiParameter)), log.data);
  } catch {
    // the same data just decoded with the string ABI; never expected, and never a reason to stop the indexer
    return {};
  }
  const out: Record<string, Hex> = {};
  // walk the original ABI (string types) over the bytes-decoded values
  inputs.forEach((input, i) => collectStringBytes(values[i], input as AbiParameter, input.name ?? String(i), out));
  return out;
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
    stringBytes: stringBytesOf(contract.abi, log, decoded.eventName),
  };
}
