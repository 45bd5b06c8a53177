/**
 * `carbon audit export` / `verify-export`: a batch's whole custody history as a self-contained JSON file an auditor
 * keeps, and its verification (offline: the chain of heads inside the file; online: the same, plus every entry
 * compared with the chain's logs and the heads with `custodyHead` read on-chain).
 */
import { type Address, type Hex, type PublicClient, getAddress } from "viem";
import { creditTokenAbi, registryBridgeAbi } from "../chain/abi";
import { type Check, createCheckRecorder, verdictOf } from "./checks";
import { runningHeads, sameHex } from "./custodyHead";
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

const MOVEMENT_EVENTS = new Set(["TransferSingle", "TransferBatch"]);
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
function movementOf(entry: ExportEntry, batchId: string): { from: Address; to: Address; value: bigint } {
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
export function describeEntry(e: Pick<ExportEntry, "index" | "event" | "blockNumber" | "logIndex" | "transactionHash" | "indexInBatch">): string {
  return `entry #${e.index} ${e.event} (block ${e.blockNumber}, log ${e.logIndex}${e.indexInBatch === undefined ? "" : `[${e.indexInBatch}]`}, tx ${e.transactionHash})`;
}

export type BuildExportParameters = {
  client: PublicClient;
  bridge: Address;
  batchId: bigint;
  fromBlock?: bigint | undefined;
  toBlock?: bigint | undefined;
  chunk?: bigint | undefined;
};

/** Reads the batch's custody history from the chain. */
export async function buildExport(p: BuildExportParameters): Promise<CustodyExport> {
  const { client } = p;
  const bridge = getAddress(p.bridge);
  const { chainId, latest } = await connect(client);
  const toBlock = p.toBlock ?? latest;
  if (toBlock > latest) throw new AuditRpcError(`--to-block ${toBlock} is after the node's latest block ${latest}`);
  let token: Address;
  try {
    token = getAddress(await readAt<Address>(client, { address: bridge, abi: registryBridgeAbi, functionName: "token", blockNumber: toBlock }));
  } catch (error) {
    throw new AuditRpcError(`${bridge} does not answer token(): is it the RegistryBridge on chain ${chainId}?`, error);
  }
  const fromBlock = p.fromBlock ?? (await findDeploymentBlock(client, token, toBlock));
  const batchId = p.batchId;
  const [tokenLogs, bridgeLogs, block] = await Promise.all([
    getLogsChunked(client, { address: token, events: onlyEvents(creditTokenAbi), fromBlock, toBlock, chunk: p.chunk }),
    getLogsChunked(client, { address: bridge, events: onlyEvents(registryBridgeAbi), fromBlock, toBlock, chunk: p.chunk }),
    client.getBlock({ blockNumber: toBlock }),
  ]);
  const requestIds = new Set(
    bridgeLogs
      .filter((l) => (l.eventName === "RetirementRequested" || l.eventName === "WithdrawalRequested") && l.args.batchId === batchId)
      .map((l) => String(l.args.requestId).toLowerCase()),
  );
  const entries: Omit<ExportEntry, "index">[] = [];
  for (const log of tokenLogs) {
    if (log.eventName === "TransferSingle") {
      if (log.args.id === batchId) entries.push(baseEntry(log, "CreditToken"));
    } else if (log.eventName === "TransferBatch") {
      const ids = log.args.ids as readonly bigint[];
      ids.forEach((id, i) => {
        if (id === batchId) entries.push({ ...baseEntry(log, "CreditToken"), indexInBatch: i });
      });
    } else if (log.eventName === "WalletRecovered") {
      if ((log.args.batchIds as readonly bigint[]).includes(batchId)) entries.push(baseEntry(log, "CreditToken"));
    } else if (BATCH_EVENTS.has(log.eventName) && log.args.batchId === batchId) {
      entries.push(baseEntry(log, "CreditToken"));
    }
  }
  for (const log of bridgeLogs) {
    if (
      log.eventName === "OracleSetUpdated" ||
      (BATCH_EVENTS.has(log.eventName) && log.args.batchId === batchId) ||
      (REQUEST_EVENTS.has(log.eventName) && requestIds.has(String(log.args.requestId).toLowerCase()))
    ) {
      entries.push(baseEntry(log, "RegistryBridge"));
    }
  }
  entries.sort(
    (a, b) =>
      Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)) || a.logIndex - b.logIndex || (a.indexInBatch ?? 0) - (b.indexInBatch ?? 0),
  );
  const events: ExportEntry[] = entries.map((e, index) => ({ index, ...e }));
  const startHead = await headBefore(client, token, batchId, fromBlock);
  const movementEntries = events.filter((e) => MOVEMENT_EVENTS.has(e.event));
  const heads = runningHeads(movementEntries.map((e) => movementOf(e, batchId.toString())), startHead);
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

export type ExportVerification = {
  batchId: string;
  mode: "offline" | "online";
  checks: Check[];
  /** The first entry that does not hold (or null). */
  firstMismatch: string | null;
  verdict: "VERIFIED" | "FAILED";
};

/** Parses an export file's JSON, checking its shape enough to verify it. */
export function parseExport(text: string): CustodyExport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new AuditExportFormatError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const d = data as Partial<CustodyExport>;
  if (d === null || typeof d !== "object" || d.format !== EXPORT_FORMAT) {
    throw new AuditExportFormatError(`not a ${EXPORT_FORMAT} file (format: ${String((d as { format?: unknown } | null)?.format)})`);
  }
  for (const key of ["batchId", "fromBlock", "toBlock", "startHead", "finalHead", "onChainHead", "toBlockHash"] as const) {
    if (typeof d[key] !== "string") throw new AuditExportFormatError(`field ${key} missing or not a string`);
  }
  if (!Array.isArray(d.events)) throw new AuditExportFormatError("field events missing or not an array");
  if (typeof d.chainId !== "number" || d.contracts === undefined) throw new AuditExportFormatError("chainId or contracts missing");
  return d as CustodyExport;
}

/** Canonical JSON of an entry (sorted keys) for comparison. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v) ? v.toLowerCase() : v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function firstDifferentField(a: unknown, b: unknown, prefix = ""): string {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (canonicalJson(x ?? null) !== canonicalJson(y ?? null)) return firstDifferentField(x, y, prefix === "" ? k : `${prefix}.${k}`);
    }
  }
  return `${prefix || "(entry)"}: file ${JSON.stringify(a)}, chain ${JSON.stringify(b)}`;
}

/**
 * Verifies an export. Offline: entries numbered 0..n-1 without gaps, in chain order, every movement moves this
 * batch, and each `headAfter` equals the head recomputed from `startHead` through the movements' args; `finalHead`
 * and `onChainHead` equal the last recomputed head. Online (with a client) additionally: same chain id, the block
 * hash of `toBlock`, `custodyHead` at `fromBlock - 1` and `toBlock`, and every entry equal to the one rebuilt from the
 * chain's logs over the same range (missing, extra or altered entries are named).
 */
export async function verifyExport(exp: CustodyExport, client?: PublicClient, chunk?: bigint): Promise<ExportVerification> {
  const { check, checks } = createCheckRecorder();
  const mismatches: string[] = [];

  // ---- offline: numbering, order, head chain
  let numbering: string | undefined;
  let order: string | undefined;
  exp.events.forEach((e, i) => {
    if (numbering === undefined && e.index !== i) numbering = `position ${i} holds entry #${e.index}: entry #${i} is missing or the entries were reordered`;
    const prev = exp.events[i - 1];
    if (order === undefined && prev !== undefined) {
      const d = BigInt(e.blockNumber) - BigInt(prev.blockNumber);
      const later = d > 0n || (d === 0n && (e.logIndex > prev.logIndex || (e.logIndex === prev.logIndex && (e.indexInBatch ?? 0) > (prev.indexInBatch ?? 0))));
      if (!later) order = `${describeEntry(e)} is not after ${describeEntry(prev)}`;
    }
  });
  if (!check("offline.numbering", "entries numbered 0..n-1 without gaps", numbering === undefined, numbering) && numbering !== undefined) {
    mismatches.push(numbering);
  }
  if (!check("offline.order", "entries in chain order (block, log index)", order === undefined, order) && order !== undefined) {
    mismatches.push(order);
  }
  let head: Hex = exp.startHead as Hex;
  let headProblem: string | undefined;
  let movements = 0;
  for (const e of exp.events) {
    if (!MOVEMENT_EVENTS.has(e.event)) continue;
    movements += 1;
    let m: { from: Address; to: Address; value: bigint };
    try {
      m = movementOf(e, exp.batchId);
    } catch (error) {
      headProblem ??= error instanceof Error ? error.message : String(error);
      break;
    }
    head = runningHeads([m], head)[0] as Hex;
    if (headProblem === undefined && (e.headAfter === undefined || !sameHex(e.headAfter, head))) {
      headProblem = `${describeEntry(e)}: recorded head ${e.headAfter ?? "(none)"}, recomputed ${head}`;
    }
  }
  if (!check("offline.heads", "every recorded headAfter = head recomputed from the movements", headProblem === undefined, headProblem) && headProblem !== undefined) {
    mismatches.push(headProblem);
  }
  check("offline.movements", "movement count as recorded", movements === exp.movements, `${movements} in the file, ${exp.movements} recorded`);
  check("offline.finalHead", "finalHead = recomputed head", sameHex(exp.finalHead, head), `file ${exp.finalHead}, recomputed ${head}`);
  check("offline.onChainHead", "recorded on-chain head = recomputed head", sameHex(exp.onChainHead, head), `file ${exp.onChainHead}, recomputed ${head}`);

  // ---- online: against the chain
  if (client !== undefined) {
    const { chainId } = await connect(client);
    if (check("online.chainId", "chain id of the node = export's", chainId === exp.chainId, `node ${chainId}, file ${exp.chainId}`)) {
      const toBlock = BigInt(exp.toBlock);
      const fromBlock = BigInt(exp.fromBlock);
      const block = await client.getBlock({ blockNumber: toBlock }).catch(() => undefined);
      check(
        "online.toBlockHash",
        `block ${toBlock} hash on the node = export's (no reorg, same chain)`,
        block !== undefined && sameHex(block.hash, exp.toBlockHash),
        block === undefined ? "block not found" : `node ${block.hash}, file ${exp.toBlockHash}`,
      );
      const chain = await buildExport({
        client,
        bridge: exp.contracts.registryBridge,
        batchId: BigInt(exp.batchId),
        fromBlock,
        toBlock,
        chunk,
      });
      check(
        "online.contracts",
        "bridge's token() = export's credit token",
        sameHex(chain.contracts.creditToken, exp.contracts.creditToken),
        `node ${chain.contracts.creditToken}, file ${exp.contracts.creditToken}`,
      );
      check("online.startHead", `custodyHead before block ${fromBlock} = export's start head`, sameHex(chain.startHead, exp.startHead), `chain ${chain.startHead}, file ${exp.startHead}`);
      check("online.head", `custodyHead(batch) at block ${toBlock} = head recomputed from the file`, sameHex(chain.onChainHead, head), `chain ${chain.onChainHead}, recomputed ${head}`);
      let entryProblem: string | undefined;
      const n = Math.max(chain.events.length, exp.events.length);
      for (let i = 0; i < n && entryProblem === undefined; i++) {
        const mine = exp.events[i];
        const theirs = chain.events[i];
        if (mine === undefined && theirs !== undefined) {
          entryProblem = `chain has ${describeEntry(theirs)} that the file lacks (from there on, the file is short by ${chain.events.length - exp.events.length})`;
        } else if (theirs === undefined && mine !== undefined) {
          entryProblem = `file has ${describeEntry(mine)} that the chain does not`;
        } else if (mine !== undefined && theirs !== undefined && canonicalJson(mine) !== canonicalJson(theirs)) {
          const key = (e: ExportEntry) => `${e.transactionHash.toLowerCase()}:${e.logIndex}:${e.indexInBatch ?? ""}`;
          if (key(mine) === key(theirs)) {
            entryProblem = `${describeEntry(mine)} differs from the chain: ${firstDifferentField(mine, theirs)}`;
          } else if (!exp.events.some((e) => key(e) === key(theirs))) {
            entryProblem = `the file lacks the chain's ${describeEntry(theirs)} (dropped before the file's ${describeEntry(mine)})`;
          } else if (!chain.events.some((e) => key(e) === key(mine))) {
            entryProblem = `file has ${describeEntry(mine)} that the chain does not`;
          } else {
            entryProblem = `${describeEntry(mine)} is out of place: the chain's entry #${i} is ${describeEntry(theirs)}`;
          }
        }
      }
      if (!check("online.entries", "every entry = the chain's log (same events, args, positions, heads)", entryProblem === undefined, entryProblem) && entryProblem !== undefined) {
        mismatches.unshift(entryProblem);
      }
    }
  }
  return {
    batchId: exp.batchId,
    mode: client === undefined ? "offline" : "online",
    checks,
    firstMismatch: mismatches[0] ?? (checks.every((c) => c.ok) ? null : (checks.find((c) => !c.ok)?.label ?? null)),
    verdict: verdictOf(checks),
  };
}
