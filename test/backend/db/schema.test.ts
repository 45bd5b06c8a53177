import { expect } from "chai";
import { type TestDatabase, createTestDatabase } from "../../support/database";

const PREFIX = "19902-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
const HOLDER = `0x${"11".repeat(20)}`;

/** Postgres error code of a failed query (23P01 exclusion, 23514 check, 23505 unique). */
async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("db: platform schema", () => {
  let db: TestDatabase;

  const deposit = (registry: string, start: bigint | number | string, end: bigint | number | string, prefix = PREFIX) =>
    db.pool.query(
      "insert into deposits (registry_id, serial_prefix, block_start, block_end, holder) values ($1, $2, $3, $4, $5) " +
        "returning id",
      [registry, prefix, String(start), String(end), HOLDER],
    );

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await db.pool.query(
      "insert into registries (id, name) values ('VERRA', 'Verra'), ('GOLD_STANDARD', 'Gold Standard')",
    );
  });
  after(async () => {
    await db?.drop();
  });

  describe("deposits: a serial range is tokenized at most once per registry and prefix", () => {
    it("accepts a first deposit with serial numbers above 2^32", async () => {
      await deposit("VERRA", 1139690318n, 1139925921n);
      const { rows } = await db.pool.query("select block_start, quantity from deposits");
      expect(rows[0]).to.deep.equal({ block_start: "1139690318", quantity: "235604" });
    });

    it("refuses an overlapping range in the same registry and prefix", async () => {
      expect(await errorCode(deposit("VERRA", 1139925921n, 1139925999n))).to.equal("23P01"); // shares one unit
      expect(await errorCode(deposit("VERRA", 1139700000n, 1139700000n))).to.equal("23P01"); // inside
      expect(await errorCode(deposit("VERRA", 1000000000n, 2000000000n))).to.equal("23P01"); // covering
    });

    it("accepts the adjacent range, the same range in another registry, and under another prefix", async () => {
      await deposit("VERRA", 1139925922n, 1139925930n);
      await deposit("GOLD_STANDARD", 1139690318n, 1139925921n);
      await deposit("VERRA", 1139690318n, 1139925921n, "19903-VCS-VCU-500-VER-US-3352-01012024-31122024-0");
    });

    it("accepts the range again once the earlier deposit was withdrawn in full or rejected", async () => {
      await db.pool.query("update deposits set status = 'withdrawn' where registry_id = 'VERRA' and block_end = 1139925930");
      await deposit("VERRA", 1139925922n, 1139925930n);
      expect(await errorCode(deposit("VERRA", 1139925925n, 1139925925n))).to.equal("23P01");
    });

    it("refuses a reversed range", async () => {
      expect(await errorCode(deposit("VERRA", 10, 9))).to.equal("23514");
    });
  });

  describe("column domains", () => {
    it("keeps uint256 amounts exact and refuses negatives", async () => {
      const max = (2n ** 256n - 1n).toString();
      await db.pool.query(
        "insert into batches (batch_id, registry_id, serial_prefix) values ($1, 'VERRA', 'p-max')",
        [max],
      );
      const { rows } = await db.pool.query("select batch_id from batches where serial_prefix = 'p-max'");
      expect(rows[0].batch_id).to.equal(max);
      expect(
        await errorCode(
          db.pool.query("insert into batches (batch_id, registry_id, serial_prefix) values (-1, 'VERRA', 'p-neg')"),
        ),
      ).to.equal("23514");
    });

    it("makes chain events unique per (tx hash, log index)", async () => {
      const insert = () =>
        db.pool.query(
          `insert into chain_events (block_number, block_hash, tx_hash, log_index, contract, event_name, args)
           values (1, $1, $2, 0, $3, 'TransferSingle', '{}')`,
          [`0x${"aa".repeat(32)}`, `0x${"bb".repeat(32)}`, HOLDER],
        );
      await insert();
      expect(await errorCode(insert())).to.equal("23505");
    });

    it("stores only hashes of API keys", async () => {
      const insert = (hash: string) => db.pool.query("insert into api_keys (name, key_hash) values ('ops', $1)", [hash]);
      expect(await errorCode(insert("ck_live_plaintext_key"))).to.equal("23514");
      await insert("a".repeat(64));
    });

    it("knows the five discrepancy classes", async () => {
      const { rows } = await db.pool.query("select unnest(enum_range(null::discrepancy_class))::text as class");
      expect(rows.map((row) => row.class)).to.deep.equal([
        "ghost_credit",
        "shortfall",
        "pending_lag",
        "status_mismatch",
        "index_drift",
      ]);
    });
  });
});
