import { expect } from "chai";
import { type PublicClient, keccak256, toHex } from "viem";
import { detailsHashOf, requestIdOf } from "../../../backend/src/chain/attestations";
import { getRequest } from "../../../backend/src/requests/store";
import { createIndexer } from "../../../backend/src/indexer";
import { unescapeStorableText } from "../../../backend/src/db/storable";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { createReadiness } from "../../../backend/src/readiness";
import { mine, testChain, testPublicClient, useAutomine } from "../../support/chain";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe("indexer: no single input stops it", function () {
  this.timeout(180_000);
  let platform: TestPlatform;
  let client: PublicClient;
  let db: TestDatabase;

  before(async () => {
    await testChain();
    await useAutomine();
    platform = await deployTestPlatform();
    client = await testPublicClient();
  });
  beforeEach(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  afterEach(async () => db?.drop());

  function indexerOn(extra: { stallPolls?: number } = {}) {
    const metrics = createMetrics({ defaultMetrics: false });
    const readiness = createReadiness();
    const indexer = createIndexer(
      { logger, metrics, readiness, db: { pool: db.pool } },
      {
        client,
        deployment: platform.deployment,
        confirmations: 0,
        maxBlockRange: 50,
        pollIntervalMs: 30,
        name: "poison",
        ...extra,
      },
    );
    return { indexer, metrics, readiness };
  }

  async function metric(metrics: ReturnType<typeof createMetrics>, pattern: RegExp): Promise<number | undefined> {
    const samples = (await metrics.render()).body.split("\n").filter((line) => !line.startsWith("#"));
    const match = samples.map((line) => line.match(pattern)).find((found) => found !== null);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  }

  async function balances(batchId: bigint): Promise<Record<string, string>> {
    const { rows } = await db.pool.query<{ holder: string; amount: string }>(
      "SELECT holder, amount FROM balances WHERE batch_id = $1 ORDER BY holder",
      [batchId.toString()],
    );
    return Object.fromEntries(rows.map((row) => [row.holder, row.amount]));
  }

  it("projects a retirement with a NUL in its beneficiary, and the trade after it; the original is recoverable", async () => {
    const { alice, bob, core } = platform;
    const { indexer, metrics } = indexerOn();
    const { batchId } = await platform.deposit(alice, 20n, "VCS-NUL-2022");
    const details = { beneficiary: "Acme\u0000Ltd \\ co", reason: "scope 3\u0000" };
    const key = keccak256(toHex(`nul-${Math.random()}`));
    await (await core.registryBridge.connect(alice).requestRetirement(batchId, 4n, key, details)).wait();
    const requestId = requestIdOf(alice.address as `0x${string}`, key);
    await platform.transfer(alice, bob, batchId, 3n);

    await indexer.syncToHead();

    const { rows } = await db.pool.query("SELECT retirement, retirement_bytes, status FROM requests WHERE request_id = $1", [
      requestId,
    ]);
    expect(rows[0]?.status).to.equal("requested");
    expect(rows[0]?.retirement).to.deep.equal({ beneficiary: "Acme\\u0000Ltd \\\\ co", reason: "scope 3\\u0000" });
    expect(unescapeStorableText(rows[0]?.retirement.beneficiary)).to.equal(details.beneficiary);
    // Workers and oracles read through the owner, and must see the chain's own text (the oracles hash it).
    const read = await getRequest(db.pool, requestId);
    expect(read?.retirement).to.deep.equal(details);
    expect(detailsHashOf(read?.retirement as typeof details)).to.equal(await core.registryBridge.detailsHashOf(details));
    expect(rows[0]?.retirement_bytes).to.deep.equal({
      beneficiary: toHex(new TextEncoder().encode(details.beneficiary)),
      reason: toHex(new TextEncoder().encode(details.reason)),
    });
    const stored = await db.pool.query("SELECT args, string_bytes FROM chain_events WHERE event_name = 'RetirementRequested'");
    expect(stored.rows[0]?.args.details.beneficiary).to.equal("Acme\\u0000Ltd \\\\ co");
    expect(stored.rows[0]?.string_bytes["details.beneficiary"]).to.equal(toHex(new TextEncoder().encode(details.beneficiary)));
    expect(await balances(batchId)).to.deep.equal({
      [alice.address.toLowerCase()]: "13",
      [bob.address.toLowerCase()]: "3",
      [platform.deployment.registryBridge.toLowerCase()]: "4",
    });
    expect(await metric(metrics, /carbon_indexer_lag_blocks (\d+)/)).to.equal(0);
    expect((await db.pool.query("SELECT 1 FROM indexer_poison_events")).rowCount).to.equal(0);
  });

  it("records a poison event whose projection gates no money, skips it and projects the rest of the range", async () => {
    const { alice, bob, core, relayer } = platform;
    const { indexer, metrics } = indexerOn();
    const { batchId } = await platform.deposit(alice, 10n, "VCS-POISON-SKIP-2021");
    await indexer.syncToHead();
    // A projection failure a retry cannot fix, made real by a constraint the reserve figure breaks.
    await db.pool.query("ALTER TABLE batches ADD CONSTRAINT test_poison_reserve CHECK (reserve_units IS DISTINCT FROM 777)");
    const reserve = { batchId, units: 777n, asOf: BigInt(Math.floor(Date.now() / 1000)) };
    const signatures = await platform.quorum("ReserveAttested", reserve);
    const attest = await core.registryBridge.connect(relayer).attestReserve(reserve, signatures);
    await attest.wait();
    await platform.transfer(alice, bob, batchId, 2n);

    await indexer.syncToHead();

    const poison = await db.pool.query("SELECT event_name, action, block_number, tx_hash, error FROM indexer_poison_events");
    expect(poison.rows).to.have.length(1);
    expect(poison.rows[0]).to.include({ event_name: "ReserveAttested", action: "skipped", tx_hash: attest.hash });
    expect(poison.rows[0]?.error).to.match(/test_poison_reserve/);
    expect(await balances(batchId)).to.deep.equal({ [alice.address.toLowerCase()]: "8", [bob.address.toLowerCase()]: "2" });
    const batch = await db.pool.query("SELECT reserve_units FROM batches WHERE batch_id = $1", [batchId.toString()]);
    expect(batch.rows[0]?.reserve_units).to.equal(null);
    expect((await db.pool.query("SELECT 1 FROM chain_events WHERE tx_hash = $1", [attest.hash])).rowCount).to.be.greaterThan(0);
    expect((await indexer.checkpoint())?.blockNumber).to.equal(await client.getBlockNumber({ cacheTime: 0 }));
    expect(await metric(metrics, /carbon_indexer_poison_events_total\{event="ReserveAttested",action="skipped"\} (\d+)/)).to.equal(1);
  });

  it("halts before a poison event that gates money, says so in readiness, and keeps lag and stall true", async () => {
    const { alice, bob } = platform;
    const { indexer, metrics, readiness } = indexerOn({ stallPolls: 3 });
    const { batchId } = await platform.deposit(alice, 10n, "VCS-POISON-HALT-2021");
    await indexer.syncToHead();
    const caughtUp = (await indexer.checkpoint())?.blockNumber ?? 0n;
    // The projection lost alice's balance: her next transfer out cannot be applied, and skipping it would be wrong.
    await db.pool.query("DELETE FROM balances WHERE batch_id = $1", [batchId.toString()]);
    const poisonTx = await platform.transfer(alice, bob, batchId, 1n);

    indexer.start();
    try {
      await waitFor(async () => indexer.failure !== undefined);
      await mine(4);
      await waitFor(async () => (await metric(metrics, /carbon_indexer_stalled (\d+)/)) === 1);

      expect((await indexer.checkpoint())?.blockNumber).to.equal(caughtUp);
      const head = await client.getBlockNumber({ cacheTime: 0 });
      await waitFor(async () => (await metric(metrics, /carbon_indexer_lag_blocks (\d+)/)) === Number(head - caughtUp));
      const poison = await db.pool.query("SELECT event_name, action, tx_hash FROM indexer_poison_events");
      expect(poison.rows).to.deep.equal([{ event_name: "TransferSingle", action: "halted", tx_hash: poisonTx }]);
      const check = (await readiness.run()).checks.find((c) => c.name === "indexer_lag");
      expect(check?.ok).to.equal(false);
      expect(check?.detail).to.match(/halted at poison event TransferSingle/).and.match(new RegExp(poisonTx));
      const halted = /carbon_indexer_poison_events_total\{event="TransferSingle",action="halted"\} (\d+)/;
      expect(await metric(metrics, halted)).to.equal(1);
    } finally {
      await indexer.stop();
    }
  });

  it("reports a stall while steps keep failing transiently, with the lag true, and clears it on progress", async () => {
    const { alice, bob } = platform;
    const { indexer, metrics, readiness } = indexerOn({ stallPolls: 3 });
    const { batchId } = await platform.deposit(alice, 5n, "VCS-STALL-2023");
    await indexer.syncToHead();
    const caughtUp = (await indexer.checkpoint())?.blockNumber ?? 0n;
    // Every insert of an event fails as a serialization failure would: retryable, so no poison, just no progress.
    await db.pool.query(`CREATE FUNCTION test_refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = '40001'; END $$`);
    await db.pool.query(
      "CREATE TRIGGER test_refuse_event BEFORE INSERT ON chain_events FOR EACH ROW EXECUTE FUNCTION test_refuse_event()",
    );
    await platform.transfer(alice, bob, batchId, 1n);
    await mine(2);
    indexer.start();
    try {
      await waitFor(async () => (await metric(metrics, /carbon_indexer_stalled (\d+)/)) === 1);
      const head = await client.getBlockNumber({ cacheTime: 0 });
      expect(await metric(metrics, /carbon_indexer_lag_blocks (\d+)/)).to.equal(Number(head - caughtUp));
      expect(indexer.failure).to.equal(undefined);
      const check = (await readiness.run()).checks.find((c) => c.name === "indexer_lag");
      expect(check?.ok).to.equal(false);
      expect(check?.detail).to.match(/^stalled: no progress for \d+ polls, \d+ blocks behind/);

      await db.pool.query("DROP TRIGGER test_refuse_event ON chain_events");
      await waitFor(async () => (await metric(metrics, /carbon_indexer_stalled (\d+)/)) === 0, 40_000);
      expect(await balances(batchId)).to.include({ [bob.address.toLowerCase()]: "1" });
      expect((await db.pool.query("SELECT 1 FROM indexer_poison_events")).rowCount).to.equal(0);
    } finally {
      await indexer.stop();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
