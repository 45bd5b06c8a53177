/**
 * The evidence log on a real PostgreSQL: appends chain, the trigger refuses edits, and when an administrator
 * disables the trigger and edits or deletes rows anyway, `verifyLog` and `carbon audit verify-log` fail naming the
 * first bad entry; the head anchored on the embedded chain is checked there too.
 */
import { expect } from "chai";
import { type Hex, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { platformClients } from "../../../backend/src/chain/clients";
import { anchorHead, appendExport, verifyLog } from "../../../backend/src/evidence/log";
import { devPrivateKey } from "../../../backend/src/platform/devAccounts";
import { testChain, testPublicClient, useAutomine } from "../../support/chain";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { runCli } from "./support";

const root = (n: number) => keccak256(toHex(`package ${n}`)) as Hex;

describe("evidence log: append-only, hash-chained, anchored", function () {
  this.timeout(120_000);
  let db: TestDatabase;

  beforeEach(async () => {
    await useAutomine();
    db = await createTestDatabase({ migrate: true });
    for (let i = 1; i <= 4; i++) {
      await appendExport(db.pool, {
        requestedBy: `auditor-${i}`,
        scope: { kind: "batch", batchId: String(i) },
        manifestRoot: root(i),
        fileName: `p${i}.zip`,
      });
    }
  });
  afterEach(async () => db?.drop());

  /** What an administrator with the table owner's rights does: switch the guard off, then edit. */
  const asAdmin = async (sql: string) => {
    await db.pool.query("ALTER TABLE evidence_log DISABLE TRIGGER evidence_log_append_only");
    await db.pool.query(sql);
  };

  async function anchor() {
    const node = await testChain();
    const { walletClient, publicClient } = platformClients(privateKeyToAccount(devPrivateKey(7)), { chainId: 31337 }, node.url);
    return anchorHead(db.pool, walletClient, publicClient);
  }

  it("chains every entry to the one before and verifies, with the head anchored on chain", async () => {
    const rows = (await db.pool.query("SELECT seq, previous_hash, entry_hash FROM evidence_log ORDER BY seq")).rows;
    expect(rows.map((r) => r.seq)).to.deep.equal(["1", "2", "3", "4"]);
    rows.slice(1).forEach((r, i) => expect(r.previous_hash).to.equal(rows[i].entry_hash));
    const a = await anchor();
    expect(a?.seq).to.equal(4);
    const result = await verifyLog(db.pool, await testPublicClient());
    expect(result).to.include({ ok: true, entries: 4, anchors: 1 });
    const cli = await runCli(["audit", "verify-log", "--database-url", db.url, "--rpc", (await testChain()).url]);
    expect(cli.code, cli.stdout + cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain("Evidence log: 4 entries, 1 anchors").and.to.contain("Verdict: VERIFIED");
  });

  it("refuses UPDATE, DELETE and TRUNCATE while its trigger is on", async () => {
    for (const sql of [
      "UPDATE evidence_log SET requested_by = 'x' WHERE seq = 2",
      "DELETE FROM evidence_log WHERE seq = 2",
      "TRUNCATE evidence_log",
    ]) {
      const error = await db.pool.query(sql).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message, sql).to.contain("evidence_log is append-only");
    }
  });

  it("fails when an administrator changes an entry, naming it (library and CLI)", async () => {
    await asAdmin("UPDATE evidence_log SET requested_by = 'mallory' WHERE seq = 2");
    const result = await verifyLog(db.pool);
    expect(result.ok).to.equal(false);
    expect(result.firstBad).to.match(/^entry 2: stored hash .* recomputed .*: the entry was changed$/);
    const cli = await runCli(["audit", "verify-log", "--database-url", db.url]);
    expect(cli.code).to.equal(1);
    expect(cli.stdout).to.contain("Verdict: FAILED (first bad: entry 2:");
  });

  it("fails when an administrator changes an entry and rewrites its hash: the next entry's link breaks", async () => {
    await asAdmin(
      "UPDATE evidence_log SET manifest_root = '0x" +
        "ab".repeat(32) +
        "', entry_hash = '0x" +
        "cd".repeat(32) +
        "' WHERE seq = 2",
    );
    expect((await verifyLog(db.pool)).firstBad).to.match(/^entry 2: stored hash/);
    expect((await verifyLog(db.pool)).problems.join("\n")).to.contain("entry 3: its previous hash is not entry 2's hash");
  });

  it("fails when an administrator deletes an entry in the middle, naming the gap", async () => {
    await asAdmin("DELETE FROM evidence_log WHERE seq = 2");
    expect((await verifyLog(db.pool)).firstBad).to.equal("entry 3: expected entry 2 here; entries 2..2 were deleted");
  });

  it("fails when an administrator deletes the anchored head (the tail), which only the anchor shows", async () => {
    await anchor();
    await asAdmin("DELETE FROM evidence_log WHERE seq = 4");
    const result = await verifyLog(db.pool, await testPublicClient());
    expect(result.ok).to.equal(false);
    expect(result.firstBad).to.match(
      /^entry 4: anchored on chain \(tx 0x[0-9a-f]{64}\) but no longer in the log: it was deleted$/,
    );
  });

  it("fails when the anchors table is edited to match a forged head: the chain's transaction does not carry it", async () => {
    await anchor();
    await asAdmin("UPDATE evidence_log SET requested_by = 'mallory' WHERE seq = 4");
    await db.pool.query("UPDATE evidence_log_anchors SET entry_hash = '0x" + "ef".repeat(32) + "'");
    const problems = (await verifyLog(db.pool, await testPublicClient())).problems.join("\n");
    expect(problems).to.contain("entry 4: stored hash");
    expect(problems).to.match(/anchor of entry 4: transaction 0x[0-9a-f]{64} does not carry that head/);
  });
});
