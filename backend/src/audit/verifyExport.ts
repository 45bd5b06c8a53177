/**
 * `carbon audit verify-export`: an export file checked on its own (offline: numbering, order, the chain of custody
 * heads inside the file) and against the chain (online: the same range rebuilt from the chain's logs, entry by
 * entry, and the heads against `custodyHead` read on-chain).
 */
import type { Hex, PublicClient } from "viem";
import { type Check, type CheckRecorder, createCheckRecorder, verdictOf } from "./checks";
import { runningHeads, sameHex } from "./custodyHead";
import { AuditExportFormatError } from "./errors";
import {
  type CustodyExport,
  EXPORT_FORMAT,
  type ExportEntry,
  MOVEMENT_EVENTS,
  buildExport,
  describeEntry,
  movementOf,
} from "./exportHistory";
import { connect } from "./history";

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
    throw new AuditExportFormatError(
      `not a ${EXPORT_FORMAT} file (format: ${String((d as { format?: unknown } | null)?.format)})`,
    );
  }
  for (const key of ["batchId", "fromBlock", "toBlock", "startHead", "finalHead", "onChainHead", "toBlockHash"] as const) {
    if (typeof d[key] !== "string") throw new AuditExportFormatError(`field ${key} missing or not a string`);
  }
  if (!Array.isArray(d.events)) throw new AuditExportFormatError("field events missing or not an array");
  if (typeof d.chainId !== "number" || d.contracts === undefined)
    throw new AuditExportFormatError("chainId or contracts missing");
  return d as CustodyExport;
}

/** Canonical JSON of an entry (sorted keys, hex in lower case) for comparison. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const hexLower = (v: unknown) => (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v) ? v.toLowerCase() : v);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(hexLower(v))}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function firstDifferentField(a: unknown, b: unknown, prefix = ""): string {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (canonicalJson(x ?? null) !== canonicalJson(y ?? null))
        return firstDifferentField(x, y, prefix === "" ? k : `${prefix}.${k}`);
    }
  }
  return `${prefix || "(entry)"}: file ${JSON.stringify(a)}, chain ${JSON.stringify(b)}`;
}

/** Records a check whose failure names a mismatch (kept, in order, for the verdict's first mismatch). */
type Recorder = CheckRecorder & { mismatch(id: string, label: string, problem: string | undefined, first?: boolean): void };

function recorder(): Recorder & { mismatches: string[] } {
  const base = createCheckRecorder();
  const mismatches: string[] = [];
  return {
    ...base,
    mismatches,
    mismatch(id, label, problem, first = false) {
      if (base.check(id, label, problem === undefined, problem) || problem === undefined) return;
      if (first) mismatches.unshift(problem);
      else mismatches.push(problem);
    },
  };
}

function isLater(e: ExportEntry, prev: ExportEntry): boolean {
  const d = BigInt(e.blockNumber) - BigInt(prev.blockNumber);
  if (d !== 0n) return d > 0n;
  return e.logIndex > prev.logIndex || (e.logIndex === prev.logIndex && (e.indexInBatch ?? 0) > (prev.indexInBatch ?? 0));
}

/** The entries are numbered 0..n-1 and in chain order. */
function checkSequence(exp: CustodyExport, r: Recorder): void {
  const numbering = exp.events.findIndex((e, i) => e.index !== i);
  const order = exp.events.findIndex((e, i) => i > 0 && !isLater(e, exp.events[i - 1]!));
  r.mismatch(
    "offline.numbering",
    "entries numbered 0..n-1 without gaps",
    numbering < 0
      ? undefined
      : `position ${numbering} holds entry #${exp.events[numbering]!.index}: entry #${numbering} is missing or the ` +
          `entries were reordered`,
  );
  r.mismatch(
    "offline.order",
    "entries in chain order (block, log index)",
    order < 0 ? undefined : `${describeEntry(exp.events[order]!)} is not after ${describeEntry(exp.events[order - 1]!)}`,
  );
}

/** The custody heads recomputed from the movements' args against the heads the file records; returns the last. */
function checkHeads(exp: CustodyExport, r: Recorder): Hex {
  let head = exp.startHead as Hex;
  let problem: string | undefined;
  let movements = 0;
  for (const e of exp.events) {
    if (!MOVEMENT_EVENTS.has(e.event)) continue;
    movements += 1;
    let m: ReturnType<typeof movementOf>;
    try {
      m = movementOf(e, exp.batchId);
    } catch (error) {
      problem ??= error instanceof Error ? error.message : String(error);
      break;
    }
    head = runningHeads([m], head)[0] as Hex;
    if (problem === undefined && (e.headAfter === undefined || !sameHex(e.headAfter, head))) {
      problem = `${describeEntry(e)}: recorded head ${e.headAfter ?? "(none)"}, recomputed ${head}`;
    }
  }
  r.mismatch("offline.heads", "every recorded headAfter = head recomputed from the movements", problem);
  r.check(
    "offline.movements",
    "movement count as recorded",
    movements === exp.movements,
    `${movements} in the file, ${exp.movements} recorded`,
  );
  r.check(
    "offline.finalHead",
    "finalHead = recomputed head",
    sameHex(exp.finalHead, head),
    `file ${exp.finalHead}, recomputed ${head}`,
  );
  r.check(
    "offline.onChainHead",
    "recorded on-chain head = recomputed head",
    sameHex(exp.onChainHead, head),
    `file ${exp.onChainHead}, recomputed ${head}`,
  );
  return head;
}

const keyOf = (e: ExportEntry) => `${e.transactionHash.toLowerCase()}:${e.logIndex}:${e.indexInBatch ?? ""}`;

/** What is wrong at position `i` of the file against the chain's rebuilt entries, if anything. */
function entryProblem(mine: readonly ExportEntry[], theirs: readonly ExportEntry[], i: number): string | undefined {
  const a = mine[i];
  const b = theirs[i];
  if (a === undefined && b !== undefined) {
    return (
      `chain has ${describeEntry(b)} that the file lacks (from there on, the file is short by ` +
      `${theirs.length - mine.length})`
    );
  }
  if (b === undefined && a !== undefined) return `file has ${describeEntry(a)} that the chain does not`;
  if (a === undefined || b === undefined || canonicalJson(a) === canonicalJson(b)) return undefined;
  if (keyOf(a) === keyOf(b)) return `${describeEntry(a)} differs from the chain: ${firstDifferentField(a, b)}`;
  if (!mine.some((e) => keyOf(e) === keyOf(b)))
    return `the file lacks the chain's ${describeEntry(b)} (dropped before the file's ${describeEntry(a)})`;
  if (!theirs.some((e) => keyOf(e) === keyOf(a))) return `file has ${describeEntry(a)} that the chain does not`;
  return `${describeEntry(a)} is out of place: the chain's entry #${i} is ${describeEntry(b)}`;
}

/** The same range rebuilt from the chain: block hash, contracts, heads, and every entry. */
async function checkOnline(
  exp: CustodyExport,
  client: PublicClient,
  head: Hex,
  r: Recorder,
  chunk: bigint | undefined,
): Promise<void> {
  const { chainId } = await connect(client);
  if (
    !r.check("online.chainId", "chain id of the node = export's", chainId === exp.chainId, `node ${chainId}, file ${exp.chainId}`)
  )
    return;
  const toBlock = BigInt(exp.toBlock);
  const fromBlock = BigInt(exp.fromBlock);
  const block = await client.getBlock({ blockNumber: toBlock }).catch(() => undefined);
  r.check(
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
  const token = chain.contracts.creditToken;
  const fileToken = exp.contracts.creditToken;
  r.check(
    "online.contracts",
    "bridge's token() = export's credit token",
    sameHex(token, fileToken),
    `node ${token}, file ${fileToken}`,
  );
  r.check(
    "online.startHead",
    `custodyHead before block ${fromBlock} = export's start head`,
    sameHex(chain.startHead, exp.startHead),
    `chain ${chain.startHead}, file ${exp.startHead}`,
  );
  r.check(
    "online.head",
    `custodyHead(batch) at block ${toBlock} = head recomputed from the file`,
    sameHex(chain.onChainHead, head),
    `chain ${chain.onChainHead}, recomputed ${head}`,
  );
  let problem: string | undefined;
  const n = Math.max(chain.events.length, exp.events.length);
  for (let i = 0; i < n && problem === undefined; i++) problem = entryProblem(exp.events, chain.events, i);
  r.mismatch("online.entries", "every entry = the chain's log (same events, args, positions, heads)", problem, true);
}

/**
 * Verifies an export. Offline: entries numbered 0..n-1 without gaps, in chain order, every movement moves this
 * batch, and each `headAfter` equals the head recomputed from `startHead` through the movements' args; `finalHead`
 * and `onChainHead` equal the last recomputed head. Online (with a client) additionally: same chain id, the block
 * hash of `toBlock`, `custodyHead` at `fromBlock - 1` and `toBlock`, and every entry equal to the one rebuilt from the
 * chain's logs over the same range (missing, extra or altered entries are named).
 */
export async function verifyExport(exp: CustodyExport, client?: PublicClient, chunk?: bigint): Promise<ExportVerification> {
  const r = recorder();
  checkSequence(exp, r);
  const head = checkHeads(exp, r);
  if (client !== undefined) await checkOnline(exp, client, head, r, chunk);
  const { checks, mismatches } = r;
  return {
    batchId: exp.batchId,
    mode: client === undefined ? "offline" : "online",
    checks,
    firstMismatch: mismatches[0] ?? (checks.every((c) => c.ok) ? null : (checks.find((c) => !c.ok)?.label ?? null)),
    verdict: verdictOf(checks),
  };
}
