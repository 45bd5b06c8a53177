import { expect } from "chai";
import { type Address, type PublicClient, keccak256, toHex, zeroAddress } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { blockKeyOf, requestIdOf, signDigestQuorum, sortSigners } from "../../../backend/src/chain/attestations";
import {
  buildDeal,
  buildOrder,
  hashDeal,
  hashDealCondition,
  hashOrder,
  settlementDomain,
  signDeal,
  signOrder,
} from "../../../backend/src/chain/orders";
import { TestPaymentToken__factory } from "../../../typechain-types";
import { CHAIN_EVENTS_CHANNEL } from "../../../backend/src/db/channels";
import { type IndexerNotification, createIndexer } from "../../../backend/src/indexer";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { createReadiness } from "../../../backend/src/readiness";
import { mine, testChain, testPublicClient, useAutomine } from "../../support/chain";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe("indexer", function () {
  this.timeout(180_000);
  let platform: TestPlatform;
  let client: PublicClient;

  before(async () => {
    await testChain();
    await useAutomine();
    platform = await deployTestPlatform();
    client = await testPublicClient();
  });

  async function freshDatabase(): Promise<TestDatabase> {
    const db = await createTestDatabase({ migrate: true });
    return db;
  }

  function indexerOn(db: TestDatabase, confirmations: number, extra: { readiness?: ReturnType<typeof createReadiness> } = {}) {
    const metrics = createMetrics({ defaultMetrics: false });
    const indexer = createIndexer(
      { logger, metrics, db: { pool: db.pool }, ...extra },
      { client, deployment: platform.deployment, confirmations, maxBlockRange: 7, pollIntervalMs: 50, name: "test" },
    );
    return { indexer, metrics };
  }

  /** Balances, supply and events as the chain sees them, to compare with the projections. */
  async function chainBalance(holder: string, batchId: bigint): Promise<string> {
    return (await platform.core.creditToken.balanceOf(holder, batchId)).toString();
  }

  async function projectedBalances(db: TestDatabase, batchId: bigint): Promise<Record<string, string>> {
    const { rows } = await db.pool.query<{ holder: string; amount: string }>(
      "select holder, amount from balances where batch_id = $1 order by holder",
      [batchId.toString()],
    );
    return Object.fromEntries(rows.map((row) => [row.holder, row.amount]));
  }

  async function platformLogCount(fromBlock: bigint, toBlock: bigint): Promise<number> {
    const d = platform.deployment;
    const logs = await client.getLogs({
      address: [d.creditToken, d.identityRegistry, d.registryBridge, d.settlement],
      fromBlock,
      toBlock,
    });
    return logs.length;
  }

  async function eventCount(db: TestDatabase): Promise<number> {
    const { rows } = await db.pool.query<{ n: string }>("select count(*) as n from chain_events");
    return Number(rows[0]?.n);
  }

  describe("projections", () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase();
    });
    after(async () => db?.drop());

    it("indexes a deposit, a transfer, a retirement request and its confirmation", async () => {
      const { alice, bob } = platform;
      const readiness = createReadiness();
      const { indexer, metrics } = indexerOn(db, 2, { readiness });
      const seen: IndexerNotification[] = [];
      indexer.notifications.on("events", (n) => seen.push(n));

      const { batchId, message } = await platform.deposit(alice, 100n);
      await platform.transfer(alice, bob, batchId, 30n);
      const request = await platform.requestRetirement(bob, batchId, 10n);
      const pendingRequest = await platform.requestRetirement(bob, batchId, 5n);
      const confirmation = await platform.confirmRetirement(request);
      await mine(2);
      await indexer.syncToHead();

      const batch = await db.pool.query("select * from batches where batch_id = $1", [batchId.toString()]);
      expect(batch.rows[0]).to.include({
        registry_id: "VERRA",
        serial_prefix: "VCS-1234-2021",
        total_supply: "90",
        frozen: false,
      });
      expect(batch.rows[0].unit_type).to.equal("1");
      expect(batch.rows[0].metadata).to.deep.include({ vintage: 2021, registryId: 1 });

      const bridge = platform.deployment.registryBridge.toLowerCase();
      expect(await projectedBalances(db, batchId)).to.deep.equal({
        [alice.address.toLowerCase()]: "70",
        [bob.address.toLowerCase()]: "15",
        [bridge]: "5",
      });
      expect(await chainBalance(alice.address, batchId)).to.equal("70");
      expect(await chainBalance(bob.address, batchId)).to.equal("15");

      const requests = await db.pool.query("select * from requests order by amount desc");
      expect(requests.rows).to.have.length(2);
      expect(requests.rows[0]).to.include({
        request_id: request.requestId,
        kind: "retirement",
        holder: bob.address.toLowerCase(),
        amount: "10",
        status: "confirmed",
        chain_status: "confirmed",
        registry_ref_hash: confirmation.retirementIdHash,
        serial_range_hash: confirmation.serialRangeHash,
      });
      expect(requests.rows[0].retirement).to.deep.equal({ beneficiary: "Acme Ltd", reason: "FY2025 scope 3 offset" });
      expect(requests.rows[1]).to.include({ request_id: pendingRequest.requestId, status: "requested", chain_status: "pending" });

      const deposits = await db.pool.query("select * from deposits");
      expect(deposits.rows).to.have.length(1);
      expect(deposits.rows[0]).to.include({
        status: "minted",
        deposit_id: message.depositId,
        block_start: message.blockStart.toString(),
        block_end: message.blockEnd.toString(),
        holder: alice.address.toLowerCase(),
        indexer_inserted: true,
      });

      const names = await db.pool.query<{ event_name: string }>(
        "select event_name from chain_events where $1 = any(batch_ids) order by block_number, log_index",
        [batchId.toString()],
      );
      expect(names.rows.map((row) => row.event_name)).to.include.members([
        "BatchRegistered",
        "DepositConfirmed",
        "TransferSingle",
        "RetirementRequested",
        "RetirementConfirmed",
      ]);
      const args = await db.pool.query("select args from chain_events where event_name = 'DepositConfirmed'");
      expect(args.rows[0].args).to.include({ blockStart: message.blockStart.toString(), holder: alice.address.toLowerCase() });

      const head = await client.getBlockNumber({ cacheTime: 0 });
      expect(await eventCount(db)).to.equal(await platformLogCount(BigInt(platform.deployment.deployBlock), head - 2n));
      expect((await indexer.checkpoint())?.blockNumber).to.equal(head - 2n);
      expect(seen.length).to.be.greaterThan(0);
      const rendered = (await metrics.render()).body;
      expect(rendered).to.match(new RegExp(`carbon_indexer_last_indexed_block ${head - 2n}`));
      expect(rendered).to.match(/carbon_indexer_lag_blocks 0/);
      const report = await readiness.run();
      expect(report.checks.find((check) => check.name === "indexer_lag")?.ok).to.equal(true);
    });

    it("indexes a withdrawal of a whole deposited block: request confirmed, deposit withdrawn, supply burned", async () => {
      const { alice, core } = platform;
      const { indexer } = indexerOn(db, 0);
      const { batchId, message } = await platform.deposit(alice, 8n, "VCS-WITHDRAW-2018");
      const key = keccak256(toHex(`withdraw-${Math.random()}`));
      const account = keccak256(toHex("VERRA-ACCOUNT-7"));
      await (await core.registryBridge.connect(alice).requestWithdrawal(batchId, 8n, key, account)).wait();
      const requestId = requestIdOf(alice.address as Address, key);
      const blockKey = blockKeyOf(batchId, message.blockStart, message.blockEnd);
      // the whole deposited block left custody: the bridge releases its key
      const confirmation = {
        requestId,
        holder: alice.address as Address,
        batchId,
        amount: 8n,
        registryAccount: account,
        registryTxHash: keccak256(toHex("verra-tx-1")),
        serialRangeHash: keccak256(toHex("range-w")),
        blockStart: message.blockStart,
        blockEnd: message.blockEnd,
      };
      const signatures = await platform.quorum("WithdrawalConfirmed", confirmation);
      await (await core.registryBridge.connect(platform.relayer).confirmWithdrawal(confirmation, signatures)).wait();
      await indexer.syncToHead();

      const request = await db.pool.query("select * from requests where request_id = $1", [requestId]);
      expect(request.rows[0]).to.include({
        kind: "withdrawal",
        status: "confirmed",
        destination_account: account,
        registry_ref_hash: confirmation.registryTxHash,
        released_block_key: blockKey,
      });
      const deposit = await db.pool.query("select status, block_key from deposits where deposit_id = $1", [message.depositId]);
      expect(deposit.rows[0]).to.deep.equal({ status: "withdrawn", block_key: blockKey });
      const batch = await db.pool.query("select total_supply from batches where batch_id = $1", [batchId.toString()]);
      expect(batch.rows[0].total_supply).to.equal("0");
      expect(await projectedBalances(db, batchId)).to.deep.equal({});
    });

    it("respects confirmations: an event in the last N blocks is not indexed until N blocks follow it", async () => {
      const { alice, bob } = platform;
      const { indexer } = indexerOn(db, 2);
      await indexer.syncToHead();
      const batchId = (await platform.deposit(alice, 1n)).batchId;
      const txHash = await platform.transfer(alice, bob, batchId, 1n);
      await indexer.syncToHead();
      const stored = () => db.pool.query("select 1 from chain_events where tx_hash = $1", [txHash]).then((r) => r.rowCount);
      expect(await stored()).to.equal(0);
      await mine(1);
      await indexer.syncToHead();
      expect(await stored()).to.equal(0);
      await mine(1);
      await indexer.syncToHead();
      expect(await stored()).to.equal(1);
    });
  });

  describe("lag and notifications", () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase();
    });
    after(async () => db?.drop());

    it("fails readiness while far behind, recovers when caught up, and NOTIFYs listeners of new events", async () => {
      const readiness = createReadiness();
      const { indexer } = indexerOn(db, 0, { readiness });
      const listener = await db.pool.connect();
      const payloads: string[] = [];
      listener.on("notification", (message) => payloads.push(message.payload ?? ""));
      await listener.query(`listen ${CHAIN_EVENTS_CHANNEL}`);
      try {
        await mine(40);
        expect((await readiness.run()).ready).to.equal(false);
        await indexer.step();
        const behind = (await readiness.run()).checks.find((check) => check.name === "indexer_lag");
        expect(behind?.ok).to.equal(false);
        expect(behind?.detail).to.match(/blocks behind/);
        await indexer.syncToHead();
        expect((await readiness.run()).ready).to.equal(true);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(payloads.length).to.be.greaterThan(0);
        expect(JSON.parse(payloads[0] ?? "{}")).to.have.keys(["fromBlock", "toBlock", "count"]);
      } finally {
        listener.release();
      }
    });
  });

  describe("restarts", () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase();
    });
    after(async () => db?.drop());

    it("resumes from the checkpoint after a stop: nothing missing, nothing doubled", async () => {
      const { alice, bob } = platform;
      const first = indexerOn(db, 0).indexer;
      first.start();
      const { batchId } = await platform.deposit(alice, 50n, "VCS-RESTART-2020");
      await platform.transfer(alice, bob, batchId, 5n);
      await waitFor(async () => (await projectedBalances(db, batchId))[bob.address.toLowerCase()] === "5");
      await first.stop();
      const stoppedAt = (await first.checkpoint())?.blockNumber ?? 0n;

      await platform.transfer(alice, bob, batchId, 6n);
      await platform.transfer(bob, alice, batchId, 2n);
      await platform.requestRetirement(alice, batchId, 3n);

      const second = indexerOn(db, 0).indexer;
      await second.syncToHead();
      expect((await second.checkpoint())?.blockNumber).to.be.greaterThan(stoppedAt);
      const head = await client.getBlockNumber({ cacheTime: 0 });
      expect(await eventCount(db)).to.equal(await platformLogCount(BigInt(platform.deployment.deployBlock), head));
      expect(await projectedBalances(db, batchId)).to.deep.equal({
        [alice.address.toLowerCase()]: await chainBalance(alice.address, batchId),
        [bob.address.toLowerCase()]: await chainBalance(bob.address, batchId),
        [platform.deployment.registryBridge.toLowerCase()]: "3",
      });
    });

    it("is idempotent by (tx hash, log index): re-reading indexed blocks changes nothing", async () => {
      const { alice } = platform;
      const batchId = (await platform.deposit(alice, 1n, "VCS-RESTART-2020")).batchId;
      const indexer = indexerOn(db, 0).indexer;
      await indexer.syncToHead();
      const before = { events: await eventCount(db), balances: await projectedBalances(db, batchId) };
      // As if the checkpoint write had been lost: the whole history is read again.
      await db.pool.query("delete from checkpoints");
      await indexer.syncToHead();
      expect(await eventCount(db)).to.equal(before.events);
      expect(await projectedBalances(db, batchId)).to.deep.equal(before.balances);
    });
  });

  describe("trades", () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase();
    });
    after(async () => db?.drop());

    it("projects order fills of stored orders and a fiat deal from opening to settlement", async () => {
      const { alice, bob, admin, core, settlement, deployment } = platform;
      const MNEMONIC = "test test test test test test test test test test test junk";
      const aliceKey = mnemonicToAccount(MNEMONIC, { addressIndex: 5 });
      const bobKey = mnemonicToAccount(MNEMONIC, { addressIndex: 6 });
      expect(aliceKey.address).to.equal(alice.address);
      const usd = await new TestPaymentToken__factory(admin).deploy("Test USD", "TUSD");
      await usd.waitForDeployment();
      const usdAddress = (await usd.getAddress()) as Address;
      await (await settlement.settlement.connect(admin).setPaymentToken(usdAddress, true)).wait();
      await (await usd.mint(bob.address, 1_000_000n)).wait();
      await (await usd.connect(bob).approve(deployment.settlement, 1_000_000n)).wait();
      const { batchId } = await platform.deposit(alice, 20n, "VCS-TRADE-2024");
      await (await core.creditToken.connect(alice).setApprovalForAll(deployment.settlement, true)).wait();

      const indexer = indexerOn(db, 0).indexer;
      await indexer.syncToHead();
      const domain = settlementDomain({ chainId: deployment.chainId, verifyingContract: deployment.settlement });
      const now = BigInt(Math.floor(Date.now() / 1000));
      const order = buildOrder({
        maker: alice.address as Address,
        batchId,
        amount: 10n,
        unitPrice: 5n,
        paymentToken: usdAddress,
        maxFeeBps: Number((await settlement.settlement.fee()).feeBps),
        expiry: now + 86_400n,
        counter: await settlement.settlement.counterOf(alice.address),
      });
      const signature = await signOrder({ signer: aliceKey, domain, order });
      const orderHash = hashOrder({ domain, order });
      // What the API does when a maker submits a signed order.
      await db.pool.query(
        `INSERT INTO orders (order_hash, maker, batch_id, amount, unit_price, payment_token, nonce, expires_at, signature,
                             max_fee_bps)
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8), $9, $10)`,
        [
          orderHash,
          alice.address.toLowerCase(),
          batchId.toString(),
          "10",
          "5",
          usdAddress,
          order.salt.toString(),
          Number(order.expiry),
          signature,
          order.maxFeeBps,
        ],
      );
      const fillTx = await settlement.settlement.connect(bob).fill(order, 4n, signature);
      await fillTx.wait();

      const deal = buildDeal({
        seller: alice.address as Address,
        buyer: bob.address as Address,
        batchId,
        amount: 3n,
        unitPrice: 7n,
        paymentToken: zeroAddress,
        conditions: 1n,
        deadline: now + 86_400n,
      });
      const dealId = hashDeal({ domain, deal });
      const [sellerSig, buyerSig] = [
        await signDeal({ signer: aliceKey, domain, deal }),
        await signDeal({ signer: bobKey, domain, deal }),
      ];
      await (await settlement.settlement.connect(bob).openDeal(deal, sellerSig, buyerSig)).wait();
      await indexer.syncToHead();
      const escrowed = await projectedBalances(db, batchId);
      expect(escrowed[deployment.settlement.toLowerCase()]).to.equal("3");

      const evidence = keccak256(toHex("wire-123"));
      const digest = hashDealCondition({ domain, attestation: { dealId, condition: 1, evidence } });
      const signatures = await signDigestQuorum(sortSigners(platform.oracles).slice(0, 2), digest);
      await (await settlement.settlement.connect(bob).attestDealCondition(dealId, 1, evidence, signatures)).wait();
      await (await settlement.settlement.connect(bob).settleDeal(dealId)).wait();
      await indexer.syncToHead();

      const fills = await db.pool.query("select * from fills");
      expect(fills.rows).to.have.length(1);
      expect(fills.rows[0]).to.include({
        order_hash: orderHash,
        taker: bob.address.toLowerCase(),
        amount: "4",
        payment_amount: "20",
        tx_hash: fillTx.hash,
      });
      const stored = await db.pool.query("select filled_amount, status from orders where order_hash = $1", [orderHash]);
      expect(stored.rows[0]).to.deep.equal({ filled_amount: "4", status: "partially_filled" });
      const deals = await db.pool.query("select * from deals where deal_id = $1", [dealId]);
      expect(deals.rows[0]).to.include({
        status: "settled",
        amount: "3",
        payment_amount: "21",
        payment_token: null,
        seller: alice.address.toLowerCase(),
      });
      expect(deals.rows[0].conditions).to.deep.equal(["FIAT_PAYMENT_RECEIVED"]);
      expect(deals.rows[0].conditions_satisfied).to.deep.equal(["FIAT_PAYMENT_RECEIVED"]);
      expect(await projectedBalances(db, batchId)).to.deep.equal({
        [alice.address.toLowerCase()]: "13",
        [bob.address.toLowerCase()]: "7",
      });
    });
  });

  describe("reorgs", () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase();
    });
    after(async () => db?.drop());

    it("drops the events of abandoned blocks, indexes the new branch and rebuilds the projections", async () => {
      const { alice, bob, hre } = platform;
      const provider = hre.network.provider;
      const { batchId } = await platform.deposit(alice, 40n, "VCS-REORG-2019");
      const indexer = indexerOn(db, 1).indexer;
      const reorgs: IndexerNotification[] = [];
      indexer.notifications.on("reorg", (n) => reorgs.push(n));
      await mine(1);
      await indexer.syncToHead();

      // Two requests indexed before the fork; a worker has submitted both to the registry.
      const answered = await platform.requestRetirement(alice, batchId, 1n);
      const untouched = await platform.requestRetirement(alice, batchId, 1n);
      await mine(1);
      await indexer.syncToHead();
      await db.pool.query("update requests set status = 'submitted' where request_id = any($1)", [
        [answered.requestId, untouched.requestId],
      ]);

      const snapshot = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
      await platform.confirmRetirement(answered, "dropped");
      const dropped = await platform.transfer(alice, bob, batchId, 9n);
      const droppedRequest = await platform.requestRetirement(alice, batchId, 4n);
      // The deposit flow's pending claim for a block minted only on the abandoned branch.
      const claimStart = platform.nextSerial();
      await db.pool.query("insert into registries (id, name) values ('VERRA', 'Verra') on conflict do nothing");
      const claim = await db.pool.query<{ id: string }>(
        `insert into deposits (registry_id, serial_prefix, block_start, block_end, status)
         values ('VERRA', 'VCS-CLAIMED-2019', $1, $2, 'pending') returning id`,
        [claimStart.toString(), (claimStart + 4n).toString()],
      );
      const claimed = await platform.deposit(bob, 5n, "VCS-CLAIMED-2019");
      const other = await platform.deposit(bob, 12n, "VCS-ONLY-IN-DROPPED-BRANCH");
      await mine(2);
      await indexer.syncToHead();
      expect(await projectedBalances(db, batchId)).to.include({ [bob.address.toLowerCase()]: "9" });
      const requestRow = async (id: string) =>
        (await db.pool.query("select status, chain_status, registry_ref_hash from requests where request_id = $1", [id])).rows[0];
      expect(await requestRow(answered.requestId)).to.include({ status: "confirmed", chain_status: "confirmed" });
      const claimRow = () =>
        db.pool.query("select status, deposit_id, indexer_inserted from deposits where id = $1", [claim.rows[0]?.id]);
      expect((await claimRow()).rows[0]).to.deep.equal({
        status: "minted",
        deposit_id: claimed.message.depositId,
        indexer_inserted: false,
      });
      const abandonedHead = await client.getBlockNumber({ cacheTime: 0 });

      expect(await provider.request({ method: "evm_revert", params: [snapshot] })).to.equal(true);
      const kept = await platform.transfer(alice, bob, batchId, 2n);
      await mine(Number(abandonedHead - (await client.getBlockNumber({ cacheTime: 0 }))) + 2);

      const first = await indexer.step();
      expect(first.kind).to.equal("reorg");
      await indexer.syncToHead();
      expect(reorgs).to.have.length(1);

      const txs = async (hash: string) => (await db.pool.query("select 1 from chain_events where tx_hash = $1", [hash])).rowCount;
      expect(await txs(dropped)).to.equal(0);
      expect(await txs(other.txHash)).to.equal(0);
      expect(await txs(kept)).to.equal(1);
      expect(await projectedBalances(db, batchId)).to.deep.equal({
        [alice.address.toLowerCase()]: "36",
        [bob.address.toLowerCase()]: "2",
        [platform.deployment.registryBridge.toLowerCase()]: "2",
      });
      expect(await chainBalance(bob.address, batchId)).to.equal("2");
      // The dropped confirmation is undone; the registry has not answered as far as the chain knows.
      expect(await requestRow(answered.requestId)).to.deep.equal({
        status: "requested",
        chain_status: "pending",
        registry_ref_hash: null,
      });
      expect(await requestRow(untouched.requestId)).to.deep.equal({
        status: "submitted",
        chain_status: "pending",
        registry_ref_hash: null,
      });
      const batch = await db.pool.query("select total_supply from batches where batch_id = $1", [batchId.toString()]);
      expect(batch.rows[0].total_supply).to.equal("40");
      expect(await platform.core.creditToken.totalSupply(batchId)).to.equal(40n);
      const orphan = await db.pool.query("select total_supply, registered_block from batches where batch_id = $1", [
        other.batchId.toString(),
      ]);
      expect(orphan.rows[0]).to.deep.equal({ total_supply: "0", registered_block: null });
      expect((await db.pool.query("select 1 from deposits where deposit_id = $1", [other.message.depositId])).rowCount).to.equal(
        0,
      );
      expect((await claimRow()).rows[0]).to.deep.equal({ status: "pending", deposit_id: null, indexer_inserted: false });
      expect((await db.pool.query("select 1 from requests where request_id = $1", [droppedRequest.requestId])).rowCount).to.equal(
        0,
      );
      const head = await client.getBlockNumber({ cacheTime: 0 });
      expect(await eventCount(db)).to.equal(await platformLogCount(BigInt(platform.deployment.deployBlock), head - 1n));
    });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
