/**
 * The evidence log: who exported which package, when, in an append-only hash chain in PostgreSQL
 * (`evidence_log`, written only here), with the head periodically anchored on chain (`evidence_log_anchors`).
 *
 * Entry n: `entry_hash(n) = SHA-256(JCS({ seq, requestedBy, scope, manifestRoot, fileName, createdAt,
 * previousHash }))` with `previousHash = entry_hash(n - 1)` (zero for n = 1). Changing a field of an entry breaks its
 * own hash; deleting or reordering entries breaks the next entry's link or the numbering; deleting the last entries
 * is caught only against an anchor at or after them (the anchored (seq, hash) must still be in the log). Appends are
 * serialized by a transaction-scoped advisory lock, so two exports never get the same seq or previous hash.
 *
 * Anchor: a zero-value transaction from the anchor key (EVIDENCE_ANCHOR_KEY) to its own address whose calldata is
 * the UTF-8 text `carbon-evidence-log/1 seq=<n> head=<entry hash>`. It needs no contract change; the chain's block
 * time-stamps and orders the head, and anyone with the transaction hash can re-read it. It proves that the log had
 * that head no later than that block; it does not prove who asked for an export or that every export was logged.
 */
import crypto from "node:crypto";
import type { Pool } from "pg";
import { type Address, type Hex, type PublicClient, type WalletClient, fromHex, isAddressEqual, toHex } from "viem";
import { withTransaction } from "../db/transaction";
import { EvidenceSourceError } from "./errors";
import type { EvidenceScope } from "./collectors";
import { verifierModules } from "./verifier";

export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

export type LogEntry = {
  seq: number;
  requestedBy: string;
  scope: EvidenceScope;
  manifestRoot: Hex;
  fileName: string;
  createdAt: string;
  previousHash: Hex;
  entryHash: Hex;
};

export function entryHashOf(e: Omit<LogEntry, "entryHash">): Hex {
  const body = {
    seq: String(e.seq),
    requestedBy: e.requestedBy,
    scope: e.scope,
    manifestRoot: e.manifestRoot,
    fileName: e.fileName,
    createdAt: e.createdAt,
    previousHash: e.previousHash,
  };
  return `0x${crypto.createHash("sha256").update(verifierModules().jcs.canonicalBytes(body)).digest("hex")}`;
}

type Row = {
  seq: string;
  requested_by: string;
  scope: EvidenceScope;
  manifest_root: Hex;
  file_name: string;
  created_at: Date;
  previous_hash: Hex;
  entry_hash: Hex;
};
const fromRow = (r: Row): LogEntry => ({
  seq: Number(r.seq),
  requestedBy: r.requested_by,
  scope: r.scope,
  manifestRoot: r.manifest_root,
  fileName: r.file_name,
  createdAt: r.created_at.toISOString(),
  previousHash: r.previous_hash,
  entryHash: r.entry_hash,
});

export type AppendExportParameters = {
  requestedBy: string;
  scope: EvidenceScope;
  manifestRoot: Hex;
  fileName: string;
  now?: Date;
};

/** Appends one export to the log and returns the entry. */
export async function appendExport(pool: Pool, p: AppendExportParameters): Promise<LogEntry> {
  return withTransaction(
    pool,
    async (db) => {
      const { rows } = await db.query<{ seq: string; entry_hash: Hex }>(
        "SELECT seq, entry_hash FROM evidence_log ORDER BY seq DESC LIMIT 1",
      );
      const last = rows[0];
      const createdAt = (p.now ?? new Date()).toISOString();
      const body = {
        seq: last === undefined ? 1 : Number(last.seq) + 1,
        requestedBy: p.requestedBy,
        scope: p.scope,
        manifestRoot: p.manifestRoot.toLowerCase() as Hex,
        fileName: p.fileName,
        createdAt,
        previousHash: last?.entry_hash ?? ZERO_HASH,
      };
      const entry = { ...body, entryHash: entryHashOf(body) };
      await db.query(
        `INSERT INTO evidence_log (seq, requested_by, scope, manifest_root, file_name, created_at, previous_hash, entry_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          entry.seq,
          entry.requestedBy,
          JSON.stringify(entry.scope),
          entry.manifestRoot,
          entry.fileName,
          entry.createdAt,
          entry.previousHash,
          entry.entryHash,
        ],
      );
      return entry;
    },
    { advisoryLock: "indexer:evidence-log" },
  );
}

export async function readLog(pool: Pool): Promise<LogEntry[]> {
  return (await pool.query<Row>("SELECT * FROM evidence_log ORDER BY seq")).rows.map(fromRow);
}

export type Anchor = { seq: number; entryHash: Hex; chainId: number; txHash: Hex; blockNumber: string; anchoredBy: Address };

export const anchorPayload = (seq: number, entryHash: Hex): Hex =>
  toHex(`carbon-evidence-log/1 seq=${seq} head=${entryHash.toLowerCase()}`);

/** Anchors the log's head on chain (a zero-value self-transaction carrying it) and records the anchor. */
export async function anchorHead(pool: Pool, wallet: WalletClient, client: PublicClient): Promise<Anchor | undefined> {
  const head = (await pool.query<Row>("SELECT * FROM evidence_log ORDER BY seq DESC LIMIT 1")).rows[0];
  if (head === undefined) return undefined;
  const account = wallet.account;
  if (account === undefined) throw new EvidenceSourceError("the anchor wallet has no account");
  const hash = await wallet.sendTransaction({
    account,
    chain: wallet.chain,
    to: account.address,
    value: 0n,
    data: anchorPayload(Number(head.seq), head.entry_hash),
  });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 100 });
  if (receipt.status !== "success") throw new EvidenceSourceError(`anchor transaction ${hash} failed`);
  const anchor: Anchor = {
    seq: Number(head.seq),
    entryHash: head.entry_hash,
    chainId: await client.getChainId(),
    txHash: hash,
    blockNumber: receipt.blockNumber.toString(),
    anchoredBy: account.address.toLowerCase() as Address,
  };
  await pool.query(
    `INSERT INTO evidence_log_anchors (seq, entry_hash, chain_id, tx_hash, block_number, anchored_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [anchor.seq, anchor.entryHash, anchor.chainId, anchor.txHash, anchor.blockNumber, anchor.anchoredBy],
  );
  return anchor;
}

export type LogVerification = { entries: number; anchors: number; ok: boolean; firstBad: string | undefined; problems: string[] };

/**
 * Walks the log from seq 1: numbering without gaps, each entry's hash recomputed, each link to the entry before;
 * then every recorded anchor: its entry still in the log with the anchored hash, and (with `client`) the anchor
 * transaction on chain from the recorded key to itself, carrying that head. Names the first bad entry.
 */
export async function verifyLog(pool: Pool, client?: PublicClient): Promise<LogVerification> {
  const entries = await readLog(pool);
  const anchors = (
    await pool.query<{ seq: string; entry_hash: Hex; tx_hash: Hex; anchored_by: Address }>(
      "SELECT * FROM evidence_log_anchors ORDER BY seq, id",
    )
  ).rows;
  const problems: string[] = [];
  let previous: Hex = ZERO_HASH;
  entries.forEach((e, i) => {
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq)
      problems.push(`entry ${e.seq}: expected entry ${expectedSeq} here; entries ${expectedSeq}..${e.seq - 1} were deleted`);
    else if (e.previousHash !== previous)
      problems.push(
        `entry ${e.seq}: its previous hash is not entry ${e.seq - 1}'s hash: entry ${e.seq - 1} was changed or replaced`,
      );
    else if (entryHashOf(e) !== e.entryHash)
      problems.push(`entry ${e.seq}: stored hash ${e.entryHash}, recomputed ${entryHashOf(e)}: the entry was changed`);
    previous = e.entryHash;
  });
  for (const a of anchors) {
    const entry = entries.find((e) => e.seq === Number(a.seq));
    if (entry === undefined)
      problems.push(`entry ${a.seq}: anchored on chain (tx ${a.tx_hash}) but no longer in the log: it was deleted`);
    else if (entry.entryHash !== a.entry_hash)
      problems.push(`entry ${a.seq}: anchored with hash ${a.entry_hash} (tx ${a.tx_hash}), the log now has ${entry.entryHash}`);
    if (client !== undefined) {
      const tx = await client.getTransaction({ hash: a.tx_hash }).catch(() => undefined);
      const carried = tx === undefined ? undefined : fromHex(tx.input, "string");
      if (tx === undefined) problems.push(`anchor of entry ${a.seq}: transaction ${a.tx_hash} is not on the chain`);
      else if (
        !isAddressEqual(tx.from, a.anchored_by) ||
        tx.to === null ||
        !isAddressEqual(tx.to, a.anchored_by) ||
        carried !== fromHex(anchorPayload(Number(a.seq), a.entry_hash), "string")
      ) {
        problems.push(`anchor of entry ${a.seq}: transaction ${a.tx_hash} does not carry that head from ${a.anchored_by}`);
      }
    }
  }
  problems.sort((x, y) => Number(/^\D*(\d+)/.exec(x)?.[1] ?? 0) - Number(/^\D*(\d+)/.exec(y)?.[1] ?? 0));
  return { entries: entries.length, anchors: anchors.length, ok: problems.length === 0, firstBad: problems[0], problems };
}
