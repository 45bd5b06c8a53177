/**
 * The package's `records/` and `proofs/` files from collected records and the blocks that hold them: JSON for
 * machines (every number a decimal string) and CSV for people, in a fixed order so the same state gives the same
 * bytes. Each recorded event carries its raw log (topics, data) and the ABI fragment it decodes with, so the
 * verifier can check the recorded arguments against the receipt itself.
 */
import type { AbiEvent, Hex } from "viem";
import { creditTokenAbi, registryBridgeAbi, settlementAbi } from "../chain/abi";
import { jsonValue } from "./collectors/chainRecords";
import type { CollectedRecords, EventRecord } from "./collectors";
import { toCsv } from "./csv";
import type { BlockProof, RawLog } from "./blocks";
import { EvidenceInputError } from "./errors";

export type PackageFile = { path: string; data: Uint8Array };

const json = (value: unknown): Uint8Array => new Uint8Array(Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8"));
const text = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, "utf8"));

type Fragment = { name: string; type: string; indexed?: boolean; components?: Fragment[] };
const fragmentOf = (inputs: readonly unknown[]): Fragment[] =>
  (inputs as Array<Fragment & { internalType?: string }>).map((p) => ({
    name: p.name,
    type: p.type,
    ...(p.indexed === undefined ? {} : { indexed: p.indexed }),
    ...(p.components === undefined ? {} : { components: fragmentOf(p.components) }),
  }));

/** ABI fragments of every event a package may record, keyed `Contract.Event`. */
export function eventFragments(): Record<string, Fragment[]> {
  const out: Record<string, Fragment[]> = {};
  const add = (contract: string, abi: readonly unknown[]) => {
    for (const item of abi as AbiEvent[]) if (item.type === "event") out[`${contract}.${item.name}`] = fragmentOf(item.inputs);
  };
  add("CreditToken", creditTokenAbi);
  add("RegistryBridge", registryBridgeAbi);
  add(
    "Settlement",
    settlementAbi.filter((i) => i.type === "event" && i.name === "OrderFilled"),
  );
  return out;
}

/** The events of the scope with their raw logs, in chain order and numbered from 0. */
export function eventRecords(records: CollectedRecords, logsByBlock: Map<string, RawLog[]>): EventRecord[] {
  const all = [...records.export.events, ...records.fills].map(({ headAfter: _h, ...e }) => e);
  all.sort(
    (a, b) =>
      Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)) ||
      a.logIndex - b.logIndex ||
      (a.indexInBatch ?? 0) - (b.indexInBatch ?? 0),
  );
  return all.map((e, index) => {
    const log = logsByBlock.get(e.blockNumber)?.[e.logIndex];
    if (log === undefined)
      throw new EvidenceInputError(`event ${e.event} at block ${e.blockNumber} log ${e.logIndex} is not in the block's receipts`);
    return { ...e, index, args: jsonValue(e.args) as EventRecord["args"], topics: log.topics, data: log.data };
  });
}

function custodySteps(records: CollectedRecords) {
  return records.export.events
    .filter((e) => e.headAfter !== undefined)
    .map((e) => {
      const a = e.args as Record<string, unknown>;
      const value = e.event === "TransferBatch" ? (a.values as string[])[e.indexInBatch ?? 0] : a.value;
      return {
        blockNumber: e.blockNumber,
        logIndex: e.logIndex,
        indexInBatch: e.indexInBatch ?? null,
        transactionHash: e.transactionHash,
        from: a.from,
        to: a.to,
        value,
        headAfter: e.headAfter as Hex,
      };
    });
}

/** `records/*` and `proofs/*` (all but the inclusion proofs, which need the root). */
export function recordFiles(
  scopeKind: string,
  records: CollectedRecords,
  blocks: BlockProof[],
  events: EventRecord[],
): PackageFile[] {
  const exp = records.export;
  const files: PackageFile[] = [];
  const add = (path: string, data: Uint8Array) => files.push({ path, data });
  add(`records/${scopeKind}.json`, json(jsonValue(records.subject)));
  add(
    "records/events.json",
    json({
      note: "Chain events of the scope, each with its raw log; args decoded with `fragments`.",
      fragments: eventFragments(),
      events,
    }),
  );
  add(
    "records/events.csv",
    text(
      toCsv(
        ["index", "blockNumber", "transactionHash", "logIndex", "indexInBatch", "contract", "address", "event", "args"],
        events,
      ),
    ),
  );
  const oracleSets = events.filter((e) => e.event === "OracleSetUpdated").map((e) => ({ blockNumber: e.blockNumber, ...e.args }));
  add("records/oracle-sets.json", json({ oracleSets }));
  add("records/attestations.json", json({ attestations: records.attestations }));
  add(
    "records/attestations.csv",
    text(
      toCsv(
        ["transactionHash", "blockNumber", "kind", "entryPoint", "requestIds", "signers", "signatures"],
        records.attestations.map((a) => ({
          ...a,
          requestIds: a.requestIds.join(" "),
          signers: a.signers.join(" "),
          signatures: a.signatures.join(" "),
        })),
      ),
    ),
  );
  add("records/orders.json", json({ orders: records.orders }));
  add(
    "records/orders.csv",
    text(
      toCsv(
        ["orderHash", "maker", "side", "batchId", "amount", "unitPrice", "paymentToken", "expiry", "signature", "sources"],
        records.orders.map((o) => ({
          ...o.message,
          orderHash: o.orderHash,
          signature: o.signature,
          sources: o.sources.join(" "),
        })),
      ),
    ),
  );
  const fills = events
    .filter((e) => e.event === "OrderFilled")
    .map((e) => ({ blockNumber: e.blockNumber, transactionHash: e.transactionHash, logIndex: e.logIndex, ...e.args }));
  add("records/fills.json", json({ fills }));
  add(
    "records/fills.csv",
    text(
      toCsv(
        ["blockNumber", "transactionHash", "logIndex", "orderHash", "seller", "buyer", "batchId", "amount", "price", "fee"],
        fills,
      ),
    ),
  );
  if (records.database !== undefined) {
    add(
      "records/database.json",
      json({
        note: "Rows of the platform's database as read at build time (not on chain: the platform's own word).",
        tables: records.database,
      }),
    );
    for (const [table, rows] of Object.entries(records.database)) {
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      add(`records/database-${table}.csv`, text(toCsv(columns, rows)));
    }
  }
  const steps = custodySteps(records);
  add(
    "proofs/blocks.json",
    json({
      note: "RLP block headers (keccak-256 = block hash) and every receipt of each block (trie root = receiptsRoot).",
      blocks,
    }),
  );
  add(
    "proofs/custody-heads.json",
    json({
      batchId: exp.batchId,
      token: exp.contracts.creditToken,
      fromBlock: exp.fromBlock,
      toBlock: exp.toBlock,
      startHead: exp.startHead,
      steps,
      finalHead: exp.finalHead,
      onChainHead: exp.onChainHead,
    }),
  );
  add(
    "proofs/custody-heads.csv",
    text(toCsv(["blockNumber", "logIndex", "indexInBatch", "transactionHash", "from", "to", "value", "headAfter"], steps)),
  );
  return files;
}
