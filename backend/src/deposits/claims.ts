/**
 * The `deposits` table (migration 0001): the claims on serial ranges that make "never tokenized twice" hold in
 * Postgres (`deposits_no_overlap`, over the `pending` and `minted` rows of one registry and prefix).
 *
 * | move | writer |
 * |---|---|
 * | a `pending` claim is inserted | the arrival watcher, in the transaction that marks the intent arrived (`claimRange`) |
 * | `pending` -> `minted` (with `deposit_id`, `block_key`, the mint transaction), or a `minted` row inserted
 * (`indexer_inserted`) when the flow had none | the indexer, on `DepositConfirmed` (`recordMinted`) |
 * | `minted` -> `withdrawn` | the indexer, on `BlockKeyReleased` (`recordWithdrawn`) |
 * | the two above undone, newest first | the indexer's reorg rollback (`undoMinted`, `undoWithdrawn`) |
 */
import type { Queryable } from "../db/queryable";

/** A serial range of one registry block, as claimed. */
export type ClaimedRange = { registry: string; serialPrefix: string; blockStart: bigint; blockEnd: bigint };

type ClaimRow = { id: string; status: string; deposit_id: string | null; block_start: string; block_end: string };

/** The first `pending` or `minted` claim overlapping the range, described; undefined when the range is free. */
export async function overlappingClaim(db: Queryable, range: ClaimedRange): Promise<ClaimRow | undefined> {
  const { rows } = await db.query<ClaimRow>(
    `SELECT id::text, status::text, deposit_id, block_start::text, block_end::text FROM deposits
      WHERE registry_id = $1 AND serial_prefix = $2 AND status IN ('pending', 'minted')
        AND int8range(block_start, block_end, '[]') && int8range($3::bigint, $4::bigint, '[]')
      ORDER BY block_start LIMIT 1`,
    [range.registry, range.serialPrefix, range.blockStart.toString(), range.blockEnd.toString()],
  );
  return rows[0];
}

/** Claims the range for `holder` (status `pending`); the exclusion constraint refuses an overlap (23P01). */
export async function claimRange(db: Queryable, range: ClaimedRange, holder: string): Promise<void> {
  await db.query(
    `INSERT INTO deposits (registry_id, serial_prefix, block_start, block_end, holder, status)
     VALUES ($1, $2, $3, $4, $5, 'pending')`,
    [range.registry, range.serialPrefix, range.blockStart.toString(), range.blockEnd.toString(), holder],
  );
}

/** `DepositConfirmed` as the indexer stored it (numbers as decimal strings, addresses lowercase). */
export type MintedDeposit = {
  batchId: string;
  blockStart: string;
  blockEnd: string;
  holder: string;
  depositId: string;
  blockKey: string;
  txHash: string;
  blockNumber: string;
};

/**
 * Indexer: the deposit flow's `pending` claim of exactly this block becomes `minted`; without one the indexer records
 * a minted row of its own. An overlapping claim in Postgres for a block the chain minted is a discrepancy for
 * reconciliation, not a reason to stop indexing: the insert is skipped (the event stays in `chain_events`).
 */
export async function recordMinted(db: Queryable, deposit: MintedDeposit): Promise<void> {
  const values = [
    deposit.batchId,
    deposit.blockStart,
    deposit.blockEnd,
    deposit.holder,
    deposit.depositId,
    deposit.blockKey,
    deposit.txHash,
    deposit.blockNumber,
  ];
  const updated = await db.query(
    `UPDATE deposits d SET status = 'minted', batch_id = $1::numeric, holder = $4::text, deposit_id = $5::text,
       block_key = $6::text, mint_tx_hash = $7::text, minted_block = $8::bigint, updated_at = now()
     WHERE d.id = (SELECT d2.id FROM deposits d2 JOIN batches b ON b.registry_id = d2.registry_id
                     AND b.serial_prefix = d2.serial_prefix
                   WHERE b.batch_id = $1::numeric AND d2.block_start = $2::bigint AND d2.block_end = $3::bigint
                     AND d2.status = 'pending' AND d2.deposit_id IS NULL
                   ORDER BY d2.id LIMIT 1)`,
    values,
  );
  if (updated.rowCount !== 0) return;
  await db.query("SAVEPOINT deposit_insert");
  try {
    await db.query(
      `INSERT INTO deposits (registry_id, serial_prefix, block_start, block_end, batch_id, holder, status, deposit_id,
         block_key, mint_tx_hash, minted_block, indexer_inserted)
       SELECT b.registry_id, b.serial_prefix, $2::bigint, $3::bigint, $1::numeric, $4::text, 'minted', $5::text,
         $6::text, $7::text, $8::bigint, true FROM batches b
       WHERE b.batch_id = $1::numeric
       ON CONFLICT (deposit_id) DO NOTHING`,
      values,
    );
    await db.query("RELEASE SAVEPOINT deposit_insert");
  } catch (error) {
    if ((error as { code?: string }).code !== "23P01") throw error;
    await db.query("ROLLBACK TO SAVEPOINT deposit_insert");
  }
}

/** Indexer: `BlockKeyReleased` (a withdrawal of the whole block): the minted claim becomes `withdrawn`. */
export async function recordWithdrawn(db: Queryable, blockKey: string): Promise<void> {
  await db.query("UPDATE deposits SET status = 'withdrawn', updated_at = now() WHERE block_key = $1 AND status = 'minted'", [
    blockKey,
  ]);
}

/** Indexer reorg: a dropped `BlockKeyReleased`. */
export async function undoWithdrawn(db: Queryable, blockKey: string): Promise<void> {
  await db.query("UPDATE deposits SET status = 'minted', updated_at = now() WHERE block_key = $1 AND status = 'withdrawn'", [
    blockKey,
  ]);
}

/** Indexer reorg: a dropped `DepositConfirmed`: the indexer's own row goes, the flow's claim is pending again. */
export async function undoMinted(db: Queryable, depositId: string): Promise<void> {
  await db.query("DELETE FROM deposits WHERE deposit_id = $1 AND indexer_inserted", [depositId]);
  await db.query(
    `UPDATE deposits SET status = 'pending', deposit_id = NULL, block_key = NULL, mint_tx_hash = NULL,
       minted_block = NULL, updated_at = now() WHERE deposit_id = $1`,
    [depositId],
  );
}

/**
 * The mint transaction of a deposit as indexed: the claim the `DepositConfirmed` projection marked minted with
 * `deposit_id` = the intent id, else the raw `chain_events` log.
 */
export async function findMint(db: Queryable, depositId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ tx_hash: string }>(
    `SELECT mint_tx_hash AS tx_hash FROM deposits
      WHERE deposit_id = $1 AND status IN ('minted', 'withdrawn') AND mint_tx_hash IS NOT NULL
     UNION ALL
     (SELECT tx_hash FROM chain_events WHERE event_name = 'DepositConfirmed' AND lower(args->>'depositId') = $1
       ORDER BY block_number LIMIT 1)
     LIMIT 1`,
    [depositId.toLowerCase()],
  );
  return rows[0]?.tx_hash;
}
