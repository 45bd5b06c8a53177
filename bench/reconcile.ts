/**
 * Reconciliation throughput (`npm run bench:reconcile`): registry blocks compared per second by the set-based
 * engine, on embedded PostgreSQL in a temp DATA_DIR. BENCHMARKS.md target: >= 100,000 blocks/s (1M in <= 10 s).
 *
 * The state is generated in SQL with generate_series (no JS inserts): BATCHES batches of BLOCKS/BATCHES blocks of
 * 10 units in the custody snapshot (ACTIVE / IMMOBILIZED), supply and two holders per batch with their mint events,
 * and per batch one confirmed platform retirement (a RETIRED block carrying its request id as memo); every tenth
 * batch also has a fresh pending retirement the registry already shows. Then one discrepancy of every class is
 * planted on its own batch (two for ghost_credit, status_mismatch and index_drift: both kinds of each). The bench
 * fails unless the engine finds exactly the planted (class, batch) pairs: every planted one, none invented.
 *
 * Writes bench/results/reconcile.json. Env: BENCH_BLOCKS (default 1,000,000), BENCH_RUNS (default 3).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate, startDatabase } from "../backend/src/db";
import { createLogger } from "../backend/src/logger";
import { type DiscrepancyClass, DISCREPANCY_CLASSES, reconcile } from "../backend/src/reconciliation";
import { freePort, tempDir } from "../test/support/database";

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCHES = 1_000;
const PER_BATCH = Math.ceil(BLOCKS / BATCHES);
const UNITS = 10; // per block
const TARGET_BLOCKS_PER_SEC = 100_000;

/** request id of batch b's confirmed retirement (kind 1), pending one (kind 2), planted ones (kind 3+). */
const rid = (b: string, kind: number) => `'0x' || lpad(to_hex((${b})::bigint * 16 + ${kind}), 64, '0')`;
const holderA = "'0x00000000000000000000000000000000000000a1'";
const holderB = "'0x00000000000000000000000000000000000000b2'";

const GENERATE = [
  `INSERT INTO registries (id, name, custody_account) VALUES ('VERRA', 'Verra', 'CUSTODY-1')`,
  // Supply per batch: PER_BATCH blocks of UNITS; holder A 60 %, B the rest.
  `INSERT INTO batches (batch_id, registry_id, serial_prefix, total_supply, registered_block)
   SELECT g, 'VERRA', 'P' || g, ${PER_BATCH * UNITS}, 1 FROM generate_series(1, ${BATCHES}) g`,
  `INSERT INTO balances (batch_id, holder, amount, updated_block)
   SELECT g, h.holder,
          CASE WHEN h.a THEN ${PER_BATCH * UNITS} * 6 / 10 ELSE ${PER_BATCH * UNITS} - ${PER_BATCH * UNITS} * 6 / 10 END, 1
     FROM generate_series(1, ${BATCHES}) g, (VALUES (${holderA}, true), (${holderB}, false)) h(holder, a)`,
  `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args, batch_ids)
   SELECT g, '0x' || lpad(to_hex(g), 64, '0'), '0x' || lpad(to_hex(g * 4 + k), 64, '0'), 0,
          '0x00000000000000000000000000000000000c0de1', 'TransferSingle',
          jsonb_build_object('operator', '0x00000000000000000000000000000000000b71d6',
            'from', '0x0000000000000000000000000000000000000000', 'to', b.holder, 'id', g::text, 'value', b.amount::text),
          ARRAY[g::numeric]
     FROM generate_series(1, ${BATCHES}) g
     JOIN LATERAL (SELECT holder, amount, row_number() OVER (ORDER BY holder) AS k FROM balances WHERE batch_id = g) b ON true`,
  // The platform's own history: a confirmed retirement per batch (burned; its block RETIRED with the memo).
  `INSERT INTO requests (request_id, kind, holder, batch_id, amount, status, chain_status)
   SELECT ${rid("g", 1)}, 'retirement', ${holderA}, g, ${UNITS}, 'confirmed', 'confirmed' FROM generate_series(1, ${BATCHES}) g`,
  `INSERT INTO registry_snapshots (registry_id, account, serial_prefix, units, taken_at)
   SELECT 'VERRA', 'CUSTODY-1', 'P' || g, ${PER_BATCH * UNITS}, now() FROM generate_series(1, ${BATCHES}) g`,
  `INSERT INTO registry_snapshot_blocks (snapshot_id, native_id, block_start, block_end, quantity, status, memo)
   SELECT s.id, 'VCU-' || b || '-' || i, base + i * ${UNITS}, base + i * ${UNITS} + ${UNITS - 1}, ${UNITS},
          CASE WHEN i % 2 = 0 THEN 'ACTIVE' ELSE 'IMMOBILIZED' END::block_status, NULL
     FROM registry_snapshots s
     CROSS JOIN LATERAL (SELECT substr(s.serial_prefix, 2)::bigint AS b) x
     CROSS JOIN LATERAL (SELECT x.b * 100000000 AS base) y
     CROSS JOIN generate_series(0, ${PER_BATCH - 1}) i`,
  `INSERT INTO registry_snapshot_blocks (snapshot_id, native_id, block_start, block_end, quantity, status, memo)
   SELECT s.id, 'VCU-R-' || s.serial_prefix, 99000000 + s.id * 100, 99000000 + s.id * 100 + ${UNITS - 1}, ${UNITS},
          'RETIRED', ${rid("substr(s.serial_prefix, 2)", 1)}
     FROM registry_snapshots s`,
  // Every tenth batch: a fresh pending retirement the registry already did (one block of the custody RETIRED with
  // its memo): in flight, not a discrepancy.
  `INSERT INTO requests (request_id, kind, holder, batch_id, amount, status, chain_status)
   SELECT ${rid("g", 2)}, 'retirement', ${holderA}, g, ${UNITS}, 'submitted', 'pending'
     FROM generate_series(100, ${BATCHES}, 10) g`,
  `UPDATE registry_snapshot_blocks sb SET status = 'RETIRED', memo = ${rid("substr(s.serial_prefix, 2)", 2)}
     FROM registry_snapshots s
    WHERE sb.snapshot_id = s.id AND substr(s.serial_prefix, 2)::int % 10 = 0 AND substr(s.serial_prefix, 2)::int >= 100
      AND sb.native_id = 'VCU-' || substr(s.serial_prefix, 2) || '-0'`,
];

/** Planted discrepancies: [class, batch, SQL]. */
const PLANTED: Array<[DiscrepancyClass, number, string[]]> = [
  ["shortfall", 11, [`DELETE FROM registry_snapshot_blocks WHERE native_id = 'VCU-11-3'`]],
  ["ghost_credit", 12, [`UPDATE registry_snapshot_blocks SET status = 'RETIRED' WHERE native_id = 'VCU-12-3'`]],
  [
    "ghost_credit",
    13,
    [
      // Burned on-chain (confirmed retirement, index consistent) while the registry still shows the units active.
      `INSERT INTO requests (request_id, kind, holder, batch_id, amount, status, chain_status)
       VALUES (${rid("13", 3)}, 'retirement', ${holderA}, 13, ${UNITS}, 'confirmed', 'confirmed')`,
      `UPDATE batches SET total_supply = total_supply - ${UNITS} WHERE batch_id = 13`,
      `UPDATE balances SET amount = amount - ${UNITS} WHERE batch_id = 13 AND holder = ${holderA}`,
      `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args, batch_ids)
       VALUES (5000, '0x' || lpad('ff', 64, '0'), '0x' || lpad('fff', 64, '0'), 0, '0x00000000000000000000000000000000000c0de1',
         'TransferSingle', jsonb_build_object('operator', '0x00000000000000000000000000000000000b71d6', 'from', ${holderA},
         'to', '0x0000000000000000000000000000000000000000', 'id', '13', 'value', '${UNITS}'), ARRAY[13::numeric])`,
    ],
  ],
  ["status_mismatch", 14, [`UPDATE registry_snapshot_blocks SET status = 'ON_HOLD' WHERE native_id = 'VCU-14-5'`]],
  ["status_mismatch", 15, [`UPDATE registry_snapshot_blocks SET status = 'CANCELLED' WHERE native_id = 'VCU-15-5'`]],
  [
    "pending_lag",
    16,
    [
      `INSERT INTO requests (request_id, kind, holder, batch_id, amount, status, chain_status, created_at)
       VALUES (${rid("16", 3)}, 'retirement', ${holderA}, 16, ${UNITS}, 'submitted', 'pending', now() - interval '2 hours')`,
      `UPDATE registry_snapshot_blocks SET status = 'RETIRED', memo = ${rid("16", 3)} WHERE native_id = 'VCU-16-7'`,
    ],
  ],
  ["index_drift", 17, [`UPDATE balances SET amount = amount + 5 WHERE batch_id = 17 AND holder = ${holderA}`]],
  [
    "index_drift",
    18,
    [
      `UPDATE balances SET amount = amount + 3 WHERE batch_id = 18 AND holder = ${holderA}`,
      `UPDATE balances SET amount = amount - 3 WHERE batch_id = 18 AND holder = ${holderB}`,
    ],
  ],
];

async function main(): Promise<void> {
  const logger = createLogger({ level: "warn" });
  const dataDir = tempDir("carbon-bench-reconcile-");
  const db = await startDatabase(
    { database: { url: undefined, embeddedPort: await freePort() }, dataDir } as Parameters<typeof startDatabase>[0],
    logger,
    { fast: true, max: 2 },
  );
  try {
    await migrate({ url: db.url, logger });
    const t0 = Date.now();
    for (const sql of GENERATE) await db.pool.query(sql);
    for (const [, , statements] of PLANTED) for (const sql of statements) await db.pool.query(sql);
    await db.pool.query("VACUUM ANALYZE");
    const generateSeconds = (Date.now() - t0) / 1000;
    const { rows: countRows } = await db.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM registry_snapshot_blocks");
    process.stderr.write(`generated ${countRows[0]?.n} registry blocks in ${generateSeconds.toFixed(1)} s\n`);

    const runs: Array<{ seconds: number; blocks: number; found: number }> = [];
    let last: Awaited<ReturnType<typeof reconcile>> | undefined;
    for (let i = 0; i < RUNS; i++) {
      const started = process.hrtime.bigint();
      last = await reconcile(db.pool, { pendingLagMs: 10 * 60_000 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      runs.push({ seconds, blocks: last.summary.blocks, found: last.summary.total });
      process.stderr.write(
        `run ${i + 1}: ${last.summary.blocks} blocks in ${seconds.toFixed(3)} s (${last.summary.total} found)\n`,
      );
    }
    if (last === undefined) throw new Error("BENCH_RUNS must be >= 1");

    const planted = PLANTED.map(([cls, batch]) => `${cls}:${batch}`).sort();
    const found = last.found.map((d) => `${d.class}:${d.batchId}`).sort();
    const missed = planted.filter((p) => !found.includes(p));
    const invented = found.filter((f) => !planted.includes(f));
    const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const blocks = last.summary.blocks;
    const perClass = (list: string[]) =>
      Object.fromEntries(DISCREPANCY_CLASSES.map((cls) => [cls, list.filter((x) => x.startsWith(`${cls}:`)).length]));
    const { rows: version } = await db.pool.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const result = {
      blocks,
      batches: last.summary.batches,
      seconds: Number(median.seconds.toFixed(3)),
      blocksPerSec: Math.round(blocks / median.seconds),
      bestSeconds: Number(sorted[0]!.seconds.toFixed(3)),
      bestBlocksPerSec: Math.round(blocks / sorted[0]!.seconds),
      runs: runs.map((r) => Number(r.seconds.toFixed(3))),
      target: { blocksPerSec: TARGET_BLOCKS_PER_SEC, meets: blocks / median.seconds >= TARGET_BLOCKS_PER_SEC },
      discrepanciesPlanted: planted.length,
      discrepanciesFound: found.length,
      planted: perClass(planted),
      found: perClass(found),
      missed,
      invented,
      generateSeconds: Number(generateSeconds.toFixed(1)),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
        postgres: version[0]?.v ?? "unknown",
        postgresMode: "embedded, fsync off (fast), pool of 2, work_mem 64MB for the run",
      },
      notes: [
        "seconds = median of the runs; each run is the whole engine: one REPEATABLE READ transaction, per-batch facts " +
          "over every snapshot block, event-derived supply and balances, one INSERT ... SELECT per class, run row stored",
        "state generated in SQL (generate_series); one confirmed platform retirement per batch, a fresh pending " +
          "retirement on every tenth batch",
      ],
      measuredAt: new Date().toISOString(),
    };
    fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
    fs.writeFileSync(path.join(__dirname, "results", "reconcile.json"), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (missed.length > 0 || invented.length > 0) {
      process.stderr.write(`FAIL: missed ${JSON.stringify(missed)}, invented ${JSON.stringify(invented)}\n`);
      process.exitCode = 1;
    }
  } finally {
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
