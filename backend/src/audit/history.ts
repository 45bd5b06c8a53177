/**
 * Reading the chain for the auditor: a viem public client with caching off, `eth_getLogs` in block-range chunks
 * (halved on a provider's range or result-size refusal), the deployment block of a contract and the ERC-1155
 * movements of one batch. Everything is read at explicit block numbers so one audit sees one consistent chain.
 */
import {
  type AbiEvent,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
  createPublicClient,
  http,
} from "viem";
import { creditTokenAbi } from "../chain/abi";
import { ZERO_HEAD } from "../chain/attestations";
import { AuditRpcError } from "./errors";

/** A public client over HTTP JSON-RPC, no response caching (every read goes to the node). */
export function createAuditClient(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: http(rpcUrl, { retryCount: 2, timeout: 30_000 }), cacheTime: 0 });
}

/** The node's chain id; a clear error when the node does not answer. */
export async function connect(client: PublicClient): Promise<{ chainId: number; latest: bigint }> {
  try {
    const [chainId, latest] = await Promise.all([client.getChainId(), client.getBlockNumber()]);
    return { chainId, latest };
  } catch (error) {
    const url = client.transport.url as string | undefined;
    throw new AuditRpcError(
      `cannot reach the JSON-RPC ` +
        `node${url === undefined ? "" : ` at ${url}`}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      error,
    );
  }
}

/**
 * A contract read at a past block: every contract read of the auditor goes through here. Fails with a clear message
 * when the node keeps no state that old (a pruned,
 * non-archive node), instead of a bare RPC error.
 */
export async function readAt<T>(
  client: PublicClient,
  call: { address: Address; abi: readonly unknown[]; functionName: string; args?: readonly unknown[]; blockNumber: bigint },
): Promise<T> {
  try {
    return (await client.readContract(call as never)) as T;
  } catch (error) {
    throw new AuditRpcError(
      `eth_call ${call.functionName} on ${call.address} at block ${call.blockNumber} failed (the audit needs state at ` +
        `past blocks: an archive node): ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      error,
    );
  }
}

/** Whether `address` has code at `blockNumber` (false for block -1, i.e. before genesis). */
export async function hasCodeAt(client: PublicClient, address: Address, blockNumber: bigint): Promise<boolean> {
  if (blockNumber < 0n) return false;
  try {
    const code = await client.getCode({ address, blockNumber });
    return code !== undefined && code !== "0x";
  } catch (error) {
    throw new AuditRpcError(
      `eth_getCode of ${address} at block ${blockNumber} failed (an archive node is needed for --from-block)`,
      error,
    );
  }
}

/**
 * The custody head of `batchId` just before `fromBlock`: zero at or before the token's deployment (no code yet),
 * else `custodyHead(batchId)` read at `fromBlock - 1` (a checkpoint the scan from `fromBlock` starts from).
 */
export async function headBefore(client: PublicClient, token: Address, batchId: bigint, fromBlock: bigint): Promise<Hex> {
  if (!(await hasCodeAt(client, token, fromBlock - 1n))) return ZERO_HEAD;
  return readAt<Hex>(client, {
    address: token,
    abi: creditTokenAbi,
    functionName: "custodyHead",
    args: [batchId],
    blockNumber: fromBlock - 1n,
  });
}

/** Where a log sits on the chain. */
export type LogPosition = {
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: number;
  logIndex: number;
};

export type DecodedLog<Args = Record<string, unknown>> = LogPosition & {
  address: Address;
  eventName: string;
  args: Args;
};

/** Orders positions as the chain does: block, then log index. */
export function comparePositions(a: Pick<LogPosition, "blockNumber" | "logIndex">, b: typeof a): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1;
  return a.logIndex - b.logIndex;
}

export const DEFAULT_CHUNK = 5_000n;

export type GetLogsChunkedParameters = {
  address: Address;
  events: readonly AbiEvent[];
  fromBlock: bigint;
  toBlock: bigint;
  /** Indexed-argument filter (applies when a single event is given). */
  args?: Record<string, unknown> | undefined;
  chunk?: bigint | undefined;
};

function positionOf(log: Log): LogPosition {
  if (log.blockNumber === null || log.blockHash === null || log.transactionHash === null || log.logIndex === null) {
    throw new AuditRpcError("the node returned a pending log (no block number/hash) for a mined range");
  }
  return {
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    transactionIndex: log.transactionIndex ?? 0,
    logIndex: log.logIndex,
  };
}

/**
 * Decoded logs of `events` emitted by `address` in `[fromBlock, toBlock]`, in chain order. Queries `chunk` blocks at
 * a time; when the node refuses a range (too many results, range too wide), the range is halved and retried.
 */
export async function getLogsChunked(client: PublicClient, p: GetLogsChunkedParameters): Promise<DecodedLog[]> {
  const out: DecodedLog[] = [];
  let chunk = p.chunk ?? DEFAULT_CHUNK;
  let from = p.fromBlock;
  while (from <= p.toBlock) {
    const to = from + chunk - 1n < p.toBlock ? from + chunk - 1n : p.toBlock;
    let logs: Log[];
    try {
      const common = { address: p.address, fromBlock: from, toBlock: to, strict: true } as const;
      logs = (
        p.events.length === 1 && p.args !== undefined
          ? await client.getLogs({ ...common, event: p.events[0] as AbiEvent, args: p.args as never })
          : await client.getLogs({ ...common, events: p.events })
      ) as Log[];
    } catch (error) {
      if (to > from) {
        chunk = (to - from + 1n) / 2n;
        continue;
      }
      throw new AuditRpcError(
        `eth_getLogs failed for ${p.address} at block ${from}: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
    for (const log of logs) {
      const decoded = log as Log & { eventName?: string; args?: Record<string, unknown> };
      if (decoded.eventName === undefined || decoded.args === undefined) continue;
      out.push({ address: log.address, eventName: decoded.eventName, args: decoded.args, ...positionOf(log) });
    }
    from = to + 1n;
  }
  return out.sort(comparePositions);
}

/**
 * The block in which `address` got its code (binary search over `eth_getCode`, which needs historical state; an
 * archive node or a local chain). Returns 0 when the node cannot answer for old blocks, so the caller scans from
 * genesis instead.
 */
export async function findDeploymentBlock(client: PublicClient, address: Address, latest: bigint): Promise<bigint> {
  const hasCode = async (blockNumber: bigint): Promise<boolean> => {
    const code = await client.getCode({ address, blockNumber });
    return code !== undefined && code !== "0x";
  };
  try {
    if (!(await hasCode(latest))) {
      throw new AuditRpcError(`no contract code at ${address} (block ${latest}); wrong address or wrong chain?`);
    }
    let lo = 0n;
    let hi = latest;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if (await hasCode(mid)) hi = mid;
      else lo = mid + 1n;
    }
    return lo;
  } catch (error) {
    if (error instanceof AuditRpcError) throw error;
    return 0n;
  }
}

/** One movement of one batch: a TransferSingle, or one entry (`indexInBatch`) of a TransferBatch. */
export type Movement = LogPosition & {
  event: "TransferSingle" | "TransferBatch";
  /** Position of the batch id in a TransferBatch's `ids` (a batch id may appear more than once). */
  indexInBatch?: number | undefined;
  operator: Address;
  from: Address;
  to: Address;
  batchId: bigint;
  value: bigint;
};

const transferEvents = creditTokenAbi.filter(
  (item): item is Extract<(typeof creditTokenAbi)[number], { type: "event" }> =>
    item.type === "event" && (item.name === "TransferSingle" || item.name === "TransferBatch"),
);

/** Splits ERC-1155 transfer logs into the movements of `batchId`, in log order and array order. */
export function movementsOf(logs: readonly DecodedLog[], batchId: bigint): Movement[] {
  const out: Movement[] = [];
  for (const log of logs) {
    const position: LogPosition = {
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      transactionHash: log.transactionHash,
      transactionIndex: log.transactionIndex,
      logIndex: log.logIndex,
    };
    if (log.eventName === "TransferSingle") {
      const a = log.args as { operator: Address; from: Address; to: Address; id: bigint; value: bigint };
      if (a.id === batchId) {
        out.push({ ...position, event: "TransferSingle", operator: a.operator, from: a.from, to: a.to, batchId, value: a.value });
      }
    } else if (log.eventName === "TransferBatch") {
      const a = log.args as { operator: Address; from: Address; to: Address; ids: readonly bigint[]; values: readonly bigint[] };
      a.ids.forEach((id, i) => {
        if (id !== batchId) return;
        const value = a.values[i];
        if (value === undefined)
          throw new AuditRpcError(`TransferBatch ${log.transactionHash}#${log.logIndex}: ids and values differ in length`);
        out.push({
          ...position,
          event: "TransferBatch",
          indexInBatch: i,
          operator: a.operator,
          from: a.from,
          to: a.to,
          batchId,
          value,
        });
      });
    }
  }
  return out;
}

/** Every TransferSingle/TransferBatch of the token in the range, decoded (filter by batch with {@link movementsOf}). */
export async function fetchTransferLogs(
  client: PublicClient,
  token: Address,
  fromBlock: bigint,
  toBlock: bigint,
  chunk?: bigint,
): Promise<DecodedLog[]> {
  return getLogsChunked(client, { address: token, events: transferEvents, fromBlock, toBlock, chunk });
}
