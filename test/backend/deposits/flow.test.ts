import { expect } from "chai";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { App } from "../../../backend/src/api/app";
import { batchIdOf, blockKeyOf } from "../../../backend/src/chain/attestations";
import {
  type DepositWatcher,
  type ImmobilizePayload,
  createDepositWatcher,
  createImmobilizeHandler,
  immobilizeJobKeyOf,
  immobilizeMemoOf,
} from "../../../backend/src/deposits";
import { BaseError } from "../../../backend/src/errors";
import { type RegistryGuard, createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { applyEvent } from "../../../backend/src/indexer/projections";
import { type Job, getJob } from "../../../backend/src/queue/jobs";
import type { JobHandler } from "../../../backend/src/queue/worker";
import { createWorker } from "../../../backend/src/queue/worker";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";
import { randomHash, signIn } from "../api/helpers";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { CUSTODY, SELLER, bearer, depositApp, verifyWallet, verraSerial } from "./helpers";

const PREFIX_OF = (batch: number) => `${batch}-VCS-VCU-500-VER-US-3352-01012024-31122024-0`;

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("deposits flow: transfer with memo -> arrived -> immobilized -> minted (real Postgres, Verra simulator over " +
  "HTTP)", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  let adapter: RegistryPort;
  let guard: RegistryGuard;
  let app: App;
  let token: string;
  let watcher: DepositWatcher;
  let handler: JobHandler;
  const holder = privateKeyToAccount(generatePrivateKey());
  const ctx = () => testContext(db);

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    sim = await startSimulator("VERRA");
    sim.admin.addAccount({ id: CUSTODY, platform: true });
    sim.admin.addAccount({ id: SELLER });
    sim.admin.addProject({ id: "3352", name: "Forest A", country: "US" });
    const adapters = createRegistryAdapters({ urls: { VERRA: sim.url } });
    adapter = adapters.VERRA!;
    const context = ctx();
    guard = createRegistryGuard(context, {
      registries: { VERRA: { capacity: 100, refillPerSec: 100 } },
    });
    await guard.init();
    watcher = createDepositWatcher(context, {
      adapters,
      guard,
      custodyAccount: CUSTODY,
    });
    handler = createImmobilizeHandler({
      adapters,
      guard,
      custodyAccount: CUSTODY,
      db: db.pool,
      pendingRetryMs: 100,
    });
    app = await depositApp(db.pool);
    await verifyWallet(db.pool, holder.address);
    token = await signIn(app, holder);
  });
  after(async () => {
    await app?.close();
    await sim?.close();
    await db?.drop();
  });

  /** Seeds a block at the seller, declares `declared` (default the whole block) through the API; returns both ids. */
  async function declareBlock(batch: number, start: bigint, end: bigint, declared?: [bigint, bigint]) {
    const block = sim.admin.seedBlock({
      account: SELLER,
      serial: verraSerial(batch, start, end),
    });
    const [from, to] = declared ?? [start, end];
    const response = await app.inject({
      method: "POST",
      url: "/deposits/intents",
      headers: bearer(token),
      payload: {
        registry: "VERRA",
        serial: verraSerial(batch, from, to),
        sourceAccount: SELLER,
      },
    });
    expect(response.statusCode, response.body).to.equal(201);
    return { recordId: block.id, intentId: response.json().intentId as Hex };
  }

  /** The holder's registry step: seller -> custody with the intent id as memo, through the adapter. */
  function transfer(recordId: string, quantity: bigint, memo: string) {
    return adapter.transfer({
      fromAccount: SELLER,
      toAccount: CUSTODY,
      recordId,
      quantity,
      memo,
    });
  }

  async function intent(intentId: string) {
    const response = await app.inject({
      method: "GET",
      url: `/deposits/intents/${intentId}`,
      headers: bearer(token),
    });
    expect(response.statusCode, response.body).to.equal(200);
    return response.json();
  }

  async function jobOf(intentId: string): Promise<Job<ImmobilizePayload> | undefined> {
    const { rows } = await db.pool.query<{ id: string }>("SELECT id::text FROM jobs WHERE key = $1", [
      immobilizeJobKeyOf(intentId),
    ]);
    return rows[0] === undefined ? undefined : getJob<ImmobilizePayload>(db.pool, rows[0].id);
  }

  function immobilizations(intentId: string) {
    return sim.admin.ledger.operationsByMemo(immobilizeMemoOf(intentId));
  }

  async function claims(prefix: string) {
    const { rows } = await db.pool.query<{
      block_start: string;
      block_end: string;
      status: string;
      deposit_id: string | null;
    }>("SELECT block_start::text, block_end::text, status::text, deposit_id FROM deposits WHERE serial_prefix = $1 ORDER BY id", [
      prefix,
    ]);
    return rows;
  }

  it("a part of the declared block arrives: arrived with the exact range, one job; the worker immobilizes it once", async () => {
    const { recordId, intentId } = await declareBlock(9101, 1000n, 1999n);
    expect((await watcher.runOnce()).arrived).to.equal(0);
    const operation = await transfer(recordId, 600n, intentId);
    expect(operation.status).to.equal("CONFIRMED");
    const arrivedRecord = operation.resultRecordIds.at(-1)!;
    expect(arrivedRecord).not.to.equal(recordId); // the simulator split the low end off into a new record

    expect(await watcher.runOnce()).to.deep.include({
      arrived: 1,
      rejected: 0,
    });
    const arrived = await intent(intentId);
    const batchId = batchIdOf(1, PREFIX_OF(9101)).toString();
    expect(arrived).to.include({
      status: "arrived",
      recordId: arrivedRecord,
      serialPrefix: PREFIX_OF(9101),
      blockStart: "1000",
      blockEnd: "1599",
      quantity: "600",
      batchId,
    });
    expect(await claims(PREFIX_OF(9101))).to.deep.equal([
      {
        block_start: "1000",
        block_end: "1599",
        status: "pending",
        deposit_id: null,
      },
    ]);
    const job = await jobOf(intentId);
    expect(job).to.include({
      kind: "immobilize",
      registry: "VERRA",
      state: "queued",
    });
    expect(job?.payload).to.deep.equal({ intentId });
    // A second pass changes nothing and enqueues nothing more.
    expect(await watcher.runOnce()).to.deep.include({
      arrived: 0,
      rejected: 0,
    });
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM jobs WHERE kind = 'immobilize'");
    expect(rows[0].n).to.equal(1);

    const worker = createWorker(ctx(), {
      kinds: ["immobilize"],
      handler,
      pollMs: 50,
      workerId: "deposits-test",
    });
    await worker.start();
    try {
      await until("the immobilize job to succeed", async () =>
        (await jobOf(intentId))?.state === "succeeded" ? true : undefined,
      );
    } finally {
      await worker.stop();
    }
    expect((await intent(intentId)).status).to.equal("immobilized");
    expect(immobilizations(intentId)).to.have.length(1);
    expect(sim.admin.ledger.block(arrivedRecord)).to.include({
      status: "IMMOBILIZED",
      account: CUSTODY,
    });
  });

  it("a crash after the registry accepted the immobilization but before the database recorded it: the re-run submits " +
    "nothing", async () => {
    const { recordId, intentId } = await declareBlock(9102, 1n, 500n);
    await transfer(recordId, 500n, intentId);
    await watcher.runOnce();
    const job = (await jobOf(intentId))!;
    await handler(job, { signal: new AbortController().signal });
    expect(immobilizations(intentId)).to.have.length(1);
    // The crash: the registry has the immobilization, the database still says arrived.
    await db.pool.query("UPDATE deposit_intents SET status = 'arrived' WHERE intent_id = $1", [intentId]);
    await handler(job, { signal: new AbortController().signal });
    expect(immobilizations(intentId)).to.have.length(1);
    expect((await intent(intentId)).status).to.equal("immobilized");
  });

  it("an immobilization still pending at the registry: retryable error, no second submission, immobilized once " +
    "confirmed", async () => {
    const { recordId, intentId } = await declareBlock(9103, 1n, 50n);
    await transfer(recordId, 50n, intentId);
    await watcher.runOnce();
    const job = (await jobOf(intentId))!;
    sim.admin.setKnobs({ confirmation: { mode: "manual" } });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const error = await handler(job, {
          signal: new AbortController().signal,
        }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).to.be.instanceOf(BaseError).and.include({
          code: "DEPOSIT_IMMOBILIZATION_PENDING",
          retryable: true,
        });
      }
      expect(immobilizations(intentId)).to.have.length(1);
      expect((await intent(intentId)).status).to.equal("arrived");
      sim.admin.confirmPending();
    } finally {
      sim.admin.setKnobs({ confirmation: { mode: "immediate" } });
    }
    await handler(job, { signal: new AbortController().signal });
    expect(immobilizations(intentId)).to.have.length(1);
    expect((await intent(intentId)).status).to.equal("immobilized");
  });

  it("rejects a block that arrives on hold, cancelled, outside the declared range or already tokenized; nothing " +
    "enqueued", async () => {
    const held = await declareBlock(9104, 1n, 100n);
    await transfer(held.recordId, 100n, held.intentId);
    sim.admin.hold(held.recordId);
    const cancelled = await declareBlock(9105, 1n, 100n);
    await transfer(cancelled.recordId, 100n, cancelled.intentId);
    sim.admin.cancel(cancelled.recordId, "double issuance");
    const wide = await declareBlock(9106, 5000n, 5999n, [5000n, 5499n]);
    await transfer(wide.recordId, 1000n, wide.intentId);
    const tokenized = await declareBlock(9107, 1n, 100n);
    await db.pool.query(
      "INSERT INTO deposits (registry_id, serial_prefix, block_start, block_end, status, deposit_id) VALUES ('VERRA', " +
        "$1, 90, 120, 'minted', $2)",
      [PREFIX_OF(9107), randomHash()],
    );
    await transfer(tokenized.recordId, 100n, tokenized.intentId);

    expect(await watcher.runOnce()).to.deep.include({
      arrived: 0,
      rejected: 4,
    });
    const details: Array<[string, RegExp]> = [
      [held.intentId, new RegExp(`record ${held.recordId} arrived ON_HOLD`)],
      [cancelled.intentId, new RegExp(`record ${cancelled.recordId} arrived CANCELLED`)],
      [wide.intentId, /holds units 5000-5999, outside the declared 5000-5499/],
      [tokenized.intentId, /already tokenized: units 90-120 overlap deposit 0x[0-9a-f]{64} \(minted\)/],
    ];
    for (const [intentId, detail] of details) {
      const rejected = await intent(intentId);
      expect(rejected.status).to.equal("rejected");
      expect(rejected.statusDetail).to.match(detail);
      expect(await jobOf(intentId)).to.equal(undefined);
    }
    for (const batch of [9104, 9105, 9106]) expect(await claims(PREFIX_OF(batch))).to.deep.equal([]);
    expect((await claims(PREFIX_OF(9107))).map((claim) => claim.status)).to.deep.equal(["minted"]);
  });

  it("expires an intent whose transfer never came; a transfer still pending at the registry keeps it waiting", async () => {
    const never = await declareBlock(9108, 1n, 10n);
    const slow = await declareBlock(9109, 1n, 10n);
    sim.admin.setKnobs({ confirmation: { mode: "manual" } });
    try {
      await transfer(slow.recordId, 10n, slow.intentId);
    } finally {
      sim.admin.setKnobs({ confirmation: { mode: "immediate" } });
    }
    await db.pool.query("UPDATE deposit_intents SET expires_at = now() - interval '1 second' WHERE intent_id = ANY($1)", [
      [never.intentId, slow.intentId],
    ]);
    expect(await watcher.runOnce()).to.deep.include({ expired: 1, arrived: 0 });
    const expired = await intent(never.intentId);
    expect(expired.status).to.equal("expired");
    expect(expired.statusDetail).to.contain(`nothing arrived in ${CUSTODY} with memo ${never.intentId}`);
    const waiting = await intent(slow.intentId);
    expect(waiting.status).to.equal("awaiting_transfer");
    expect(waiting.statusDetail).to.match(/transfer OP-\d+ is pending at the registry/);
    sim.admin.confirmPending();
    expect(await watcher.runOnce()).to.deep.include({ arrived: 1 });
    expect((await intent(slow.intentId)).status).to.equal("arrived");
  });

  it("an immobilization the registry refuses (block put on hold after arrival): not retryable, reason on the intent; " +
    "redriven after release", async () => {
    const { recordId, intentId } = await declareBlock(9111, 1n, 20n);
    await transfer(recordId, 20n, intentId);
    await watcher.runOnce();
    const job = (await jobOf(intentId))!;
    sim.admin.hold(recordId);
    const error = await handler(job, { signal: new AbortController().signal }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(BaseError).and.include({ code: "REGISTRY_REJECTED", retryable: false });
    const refused = await intent(intentId);
    expect(refused.status).to.equal("arrived");
    expect(refused.statusDetail).to.match(/^immobilization refused by VERRA: .*ON_HOLD/);
    expect(immobilizations(intentId)).to.have.length(0);
    sim.admin.release(recordId);
    await handler(job, { signal: new AbortController().signal });
    expect(await intent(intentId)).to.include({ status: "immobilized", statusDetail: null });
    expect(immobilizations(intentId)).to.have.length(1);
  });

  it("immobilized -> minted once the indexer projects DepositConfirmed onto the pending claim", async () => {
    const { recordId, intentId } = await declareBlock(9110, 700n, 799n);
    await transfer(recordId, 100n, intentId);
    await watcher.runOnce();
    await handler((await jobOf(intentId))!, {
      signal: new AbortController().signal,
    });
    expect((await intent(intentId)).status).to.equal("immobilized");
    expect(await watcher.runOnce()).to.deep.include({ minted: 0 });

    const batchId = batchIdOf(1, PREFIX_OF(9110));
    const txHash = randomHash();
    const client = await db.pool.connect();
    try {
      const base = { blockNumber: "100", txHash, logIndex: 0 };
      await applyEvent(client, {
        ...base,
        eventName: "BatchRegistered",
        args: {
          batchId: batchId.toString(),
          registryId: "1",
          projectId: randomHash(),
          vintage: "2024",
          unitType: "1",
          serialPrefix: PREFIX_OF(9110),
        },
      });
      await applyEvent(client, {
        ...base,
        logIndex: 1,
        eventName: "DepositConfirmed",
        args: {
          depositId: intentId,
          holder: holder.address.toLowerCase(),
          batchId: batchId.toString(),
          blockKey: blockKeyOf(batchId, 700n, 799n),
          blockStart: "700",
          blockEnd: "799",
        },
      });
    } finally {
      client.release();
    }
    // The indexer turned the watcher's pending claim itself minted (no second row).
    expect(await claims(PREFIX_OF(9110))).to.deep.equal([
      {
        block_start: "700",
        block_end: "799",
        status: "minted",
        deposit_id: intentId,
      },
    ]);
    expect(await watcher.runOnce()).to.deep.include({ minted: 1 });
    expect(await intent(intentId)).to.include({
      status: "minted",
      mintTxHash: txHash,
      batchId: batchId.toString(),
    });
  });
});
