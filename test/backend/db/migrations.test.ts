import fs from "node:fs";
import { expect } from "chai";
import type { Pool } from "pg";
import { MIGRATIONS_DIR, migrate } from "../../../backend/src/db";
import { createLogger } from "../../../backend/src/logger";
import { type TestDatabase, createTestDatabase } from "../../support/database";

const logger = createLogger({ level: "silent" });

/** Every numbered migration file, in the order they apply. */
const MIGRATIONS = fs
  .readdirSync(MIGRATIONS_DIR)
  .filter((file) => /^\d{4}_.+\.sql$/.test(file))
  .sort()
  .map((file) => file.replace(/\.sql$/, ""));

/** Tables of the platform schema (0001); later migrations add their own, checked in their own tests. */
const TABLES = [
  "api_keys",
  "batches",
  "chain_events",
  "checkpoints",
  "deals",
  "deposits",
  "discrepancies",
  "fills",
  "orders",
  "reconciliation_runs",
  "registries",
  "registry_blocks",
  "registry_snapshots",
  "requests",
];

async function tables(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'pgmigrations' order by 1",
  );
  return rows.map((row) => row.table_name);
}

describe("db: migrations", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  it("apply the platform schema to an empty database", async () => {
    expect(await tables(db.pool)).to.deep.equal([]);
    const ran = await migrate({ url: db.url, logger });
    expect(ran).to.deep.equal(MIGRATIONS);
    expect(MIGRATIONS[0]).to.equal("0001_platform-schema");
    expect(await tables(db.pool)).to.include.members(TABLES);
  });

  it("are idempotent: a second run applies nothing and changes nothing", async () => {
    const ran = await migrate({ url: db.url, logger });
    const before = await tables(db.pool);
    expect(ran).to.deep.equal([]);
    expect(await tables(db.pool)).to.deep.equal(before);
    const { rows } = await db.pool.query("select name from pgmigrations");
    expect(rows).to.have.length(MIGRATIONS.length);
  });

  it("apply once when two processes start together (advisory lock)", async () => {
    const other = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([migrate({ url: other.url, logger }), migrate({ url: other.url, logger })]);
      expect([...a, ...b]).to.deep.equal(MIGRATIONS);
    } finally {
      await other.drop();
    }
  });

  it("roll back down to an empty schema and up again", async () => {
    const before = await tables(db.pool);
    await migrate({ url: db.url, logger, direction: "down", count: MIGRATIONS.length });
    expect(await tables(db.pool)).to.deep.equal([]);
    await migrate({ url: db.url, logger });
    expect(await tables(db.pool)).to.deep.equal(before);
  });

  it("store quantities without floating point", async () => {
    const { rows } = await db.pool.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type in ('real', 'double precision')`,
    );
    expect(rows).to.deep.equal([]);
  });
});
