/**
 * `carbon audit export`: a batch's whole custody history as a self-contained JSON file an auditor keeps, with the
 * custody head after every movement (`verifyExport.ts` checks one).
 */
import { type Address, type Hex, type PublicClient, getAddress } from "viem";
import { creditTokenAbi, registryBridgeAbi } from "../chain/abi";
import { runningHeads } from "./custodyHead";
import { AuditExportFormatError, AuditRpcError } from "./errors";
import { type DecodedLog, connect, findDeploymentBlock, getLogsChunked, headBefore, readAt } from "./history";

export const EXPORT_FORMAT = "carbon-custody-export/1";

/** Decoded event arguments with every number as a decimal string. */
export type JsonArg = string | boolean | JsonArg[] | { [key: string]: JsonArg };

export type ExportEntry = {
  /** Position in `events`, from 0. */
  index: number;
  contract: "CreditToken" | "RegistryBridge";
  address: Address;
  event: string;
  blockNumber: string;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: number;
  logIndex: number;
  /** TransferBatch only: which position of `ids`/`values` this movement is. */
  indexInBatch?: number;
  args: Record<string, JsonArg>;
  /** Movements only: the custody head after this movement. */
  headAfter?: Hex;
};

export type CustodyExport = {
  format: typeof EXPORT_FORMAT;
  chainId: number;
  contracts: { registryBridge: Address; creditToken: Address };
  batchId: string;
  fromBlock: string;
  toBlock: string;
  toBlockHash: Hex;
  /** Head before `fromBlock` (zero when the scan starts at the token's deployment). */
  startHead: Hex;
  movements: number;
  events: ExportEntry[];
  /** Head after the last movement, recomputed. */
  finalHead: Hex;
  /** `custodyHead(batchId)` read at `toBlock`. */
  onChainHead: Hex;
  exportedAt: string;
};

export const MOVEMENT_EVENTS = new Set(["TransferSingle", "TransferBatch"]);
const BATCH_EVENTS = new Set([
  "BatchRegistered",
  "BatchFrozen",
  "BatchUnfrozen",
  "ForcedTransfer",
  "DepositConfirmed",
  "RetirementRequested",
  "RetirementConfirmed",
  "RetirementRejected",
  "WithdrawalRequested",
  "WithdrawalConfirmed",
  "WithdrawalRejected",
  "ReserveAttested",
  "ReserveShortfall",
]);
const REQUEST_EVENTS = new Set(["BlockKeyReleased", "RequestOverdue"]);

const onlyEvents = <T extends { type: string }>(abi: readonly T[]) =>
  abi.filter((item): item is Extract<T, { type: "event" }> => item.type === "event");

function jsonArg(value: unknown): JsonArg {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(jsonArg);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonArg(v)]));
  }
  return String(value);
}

function baseEntry(log: DecodedLog, contract: ExportEntry["contract"]): Omit<ExportEntry, "index"> {
  return {
    contract,
    address: getAddress(log.address),
    event: log.eventName,
    blockNumber: log.blockNumber.toString(),
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    transactionIndex: log.transactionIndex,
    logIndex: log.logIndex,
    args: jsonArg(log.args) as Record<string, JsonArg>,
  };
}

/** The movement an export entry describes, read from its args (the only source `verify-export` trusts). */
export function movementOf(entry: ExportEntry, batchId: string): { from: Address; to: Address; value: bigint } {
  const a = entry.args;
  const str = (x: JsonArg | undefined, what: string): string => {
    if (typeof x !== "string") throw new AuditExportFormatError(`entry #${entry.index}: args.${what} missing or not a string`);
    return x;
  };
  let id: string;
  let value: string;
  if (entry.event === "TransferSingle") {
    id = str(a.id, "id");
    value = str(a.value, "value");
  } else {
    const i = entry.indexInBatch;
    if (i === undefined || !Array.isArray(a.ids) || !Array.isArray(a.values)) {
      throw new AuditExportFormatError(`entry #${entry.index}: TransferBatch needs indexInBatch, args.ids and args.values`);
    }
    id = str(a.ids[i], `ids[${i}]`);
    value = str(a.values[i], `values[${i}]`);
  }
  if (id !== batchId) throw new AuditExportFormatError(`entry #${entry.index}: moves id ${id}, not batch ${batchId}`);
  if (!/^\d+$/.test(value)) throw new AuditExportFormatError(`entry #${entry.index}: value ${value} is not a decimal integer`);
  return { from: getAddress(str(a.from, "from")), to: getAddress(str(a.to, "to")), value: BigInt(value) };
}

/** One-line name of an entry for messages. */
export function describeEntry(
  e: Pick<ExportEntry, "index" | "event" | "blockNumber" | "logIndex" | "transactionHash" | "indexInBatch">,
): string {
  return (
    `entry #${e.index} ${e.event} (block ${e.blockNumber}, log ${e.logIndex}` +
    `${e.indexInBatch === undefined ? "" : `[${e.indexInBatch}]`}, tx ${e.transactionHash})`
  );
}

export type BuildExportParameters = {
  client: PublicClient;
  bridge: Address;
  batchId: bigint;
  fromBlock?: bigint | undefined;
  toBlock?: bigint | undefined;
  chunk?: bigint | undefined;
};

/** The bridge's credit token, read at `blockNumber`; an AuditRpcError when `bridge` is no RegistryBridge. */
export async function tokenOf(client: PublicClient, bridge: Address, chainId: number, blockNumber: bigint): Promise<Address> {
  try {
    return getAddress(
      await readAt<Address>(client, { address: bridge, abi: registryBridgeAbi, functionName: "token", blockNumber }),
    );
  } catch (error) {
    throw new AuditRpcError(`${bridge} does not answer token(): is it the RegistryBridge on chain ${chainId}?`, error);
  }
}

/** The token's logs about `batchId`: its movements (each id of a TransferBatch apart), recoveries and batch events. */
function tokenEntries(logs: readonly DecodedLog[], batchId: bigint): Omit<ExportEntry, "index">[] {
  const entries: Omit<ExportEntry, "index">[] = [];
  for (const log of logs) {
    if (log.eventName === "TransferBatch") {
      (log.args.ids as readonly bigint[]).forEach((id, i) => {
        if (id === batchId) entries.push({ ...baseEntry(log, "CreditToken"), indexInBatch: i });
      });
      continue;
    }
    const about =
      log.eventName === "TransferSingle"
        ? log.args.id === batchId
        : log.eventName === "WalletRecovered"
          ? (log.args.batchIds as readonly bigint[]).includes(batchId)
          : BATCH_EVENTS.has(log.eventName) && log.args.batchId === batchId;
    if (about) entries.push(baseEntry(log, "CreditToken"));
  }
  return entries;
}

/** The bridge's logs about `batchId`: oracle set changes, batch events, and events of the batch's requests. */
function bridgeEntries(logs: readonly DecodedLog[], batchId: bigint): Omit<ExportEntry, "index">[] {
  const requested = (l: DecodedLog) => l.eventName === "RetirementRequested" || l.eventName === "WithdrawalRequested";
  const requestIds = new Set(
    logs.filter((l) => requested(l) && l.args.batchId === batchId).map((l) => String(l.args.requestId).toLowerCase()),
  );
  return logs
    .filter(
      (log) =>
        log.eventName === "OracleSetUpdated" ||
        (BATCH_EVENTS.has(log.eventName) && log.args.batchId === batchId) ||
        (REQUEST_EVENTS.has(log.eventName) && requestIds.has(String(log.args.requestId).toLowerCase())),
    )
    .map((log) => baseEntry(log, "RegistryBridge"));
}

/** Reads the batch's custody history from the chain. */
export async function buildExport(p: BuildExportParameters): Promise<CustodyExport> {
  const { client } = p;
  const bridge = getAddress(p.bridge);
  const { chainId, latest } = await connect(client);
  const toBlock = p.toBlock ?? latest;
  if (toBlock > latest) throw new AuditRpcError(`--to-block ${toBlock} is after the node's latest block ${latest}`);
  const token = await tokenOf(client, bridge, chainId, toBlock);
  const fromBlock = p.fromBlock ?? (await findDeploymentBlock(client, token, toBlock));
  const batchId = p.batchId;
  const [tokenLogs, bridgeLogs, block] = await Promise.all([
    getLogsChunked(client, { address: token, events: onlyEvents(creditTokenAbi), fromBlock, toBlock, chunk: p.chunk }),
    getLogsChunked(client, { address: bridge, events: onlyEvents(registryBridgeAbi), fromBlock, toBlock, chunk: p.chunk }),
    client.getBlock({ blockNumber: toBlock }),
  ]);
  const entries = [...tokenEntries(tokenLogs, batchId), ...bridgeEntries(bridgeLogs, batchId)];
  entries.sort(
    (a, b) =>
      Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)) ||
      a.logIndex - b.logIndex ||
      (a.indexInBatch ?? 0) - (b.indexInBatch ?? 0),
  );
  const events: ExportEntry[] = entries.map((e, index) => ({ index, ...e }));
  const startHead = await headBefore(client, token, batchId, fromBlock);
  const movementEntries = events.filter((e) => MOVEMENT_EVENTS.has(e.event));
  const heads = runningHeads(
    movementEntries.map((e) => movementOf(e, batchId.toString())),
    startHead,
  );
  movementEntries.forEach((e, i) => {
    e.headAfter = heads[i];
  });
  const onChainHead = await readAt<Hex>(client, {
    address: token,
    abi: creditTokenAbi,
    functionName: "custodyHead",
    args: [batchId],
    blockNumber: toBlock,
  });
  return {
    format: EXPORT_FORMAT,
    chainId,
    contracts: { registryBridge: bridge, creditToken: token },
    batchId: batchId.toString(),
    fromBlock: fromBlock.toString(),
    toBlock: toBlock.toString(),
    toBlockHash: block.hash,
    startHead,
    movements: movementEntries.length,
    events,
    finalHead: heads.at(-1) ?? startHead,
    onChainHead,
    exportedAt: new Date().toISOString(),
  };
}
