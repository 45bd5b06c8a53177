import { expect } from "chai";
import type { App } from "../../../backend/src/api/app";
import type { RegistryGuard } from "../../../backend/src/guard";
import type { RegistryPort } from "../../../backend/src/registries/port";
import type { RunningSimulator } from "../../../backend/src/simulators";
import { type ChangeApplier, createRegistryPoller } from "../../../backend/src/watchers";
import { insertBatch, insertRequest } from "../api/helpers";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import {
  CUSTODY,
  HOLDER,
  SECRET,
  applierFor,
  clearWatcherState,
  eventCount,
  mirrorRows,
  requestRow,
  startVerra,
  startWebhookApi,
  testGuard,
  verraPrefix,
  verraSerial,
  waitFor,
} from "./fixtures";

describe("watchers: polling catches up what webhooks dropped", () => {
  let db: TestDatabase;
  let guard: RegistryGuard;
  let sim: RunningSimulator;
  let adapter: RegistryPort;
  let adapters: { VERRA: RegistryPort };
  let app: App;
  let applier: ChangeApplier;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    guard = await testGuard(db);
    await clearWatcherState(db.pool);
    ({ sim, adapter, adapters } = await startVerra());
    applier = applierFor(db, adapters, guard);
    let url: string;
    ({ app, url } = await startWebhookApi(db.pool, adapters, applier));
    sim.admin.subscribe({ url: `${url}/webhooks/VERRA`, secret: SECRET });
  });
  after(async () => {
    await sim?.close();
    await app?.close();
    await db?.drop();
  });

  it("every delivery dropped (dropRate 1): one poll stores and applies them all, from a persisted cursor", async () => {
    sim.admin.setKnobs({ webhooks: { dropRate: 1 } });

    // A withdrawal: the custody transfers 40 of a 100-unit block out to the holder, memo = the request id.
    await insertBatch(db.pool, "1", "VERRA", verraPrefix(4242));
    const requestId = await insertRequest(db.pool, {
      kind: "withdrawal",
      holder: "0x00000000000000000000000000000000000000a2",
      batchId: "1",
      amount: "40",
    });
    const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(4242, 1n, 100n) });
    const transfer = await adapter.transfer({
      fromAccount: CUSTODY,
      toAccount: HOLDER,
      recordId: block.id,
      quantity: 40n,
      memo: requestId,
    });
    const childId = transfer.resultRecordIds[0]!;
    expect(sim.admin.webhooks.deliveries).to.deep.equal([]);
    expect(await eventCount(db.pool)).to.deep.equal({ total: 0, unapplied: 0 });

    const ctx = testContext(db);
    const poller = createRegistryPoller(ctx, { adapters, guard, applier, intervalMs: 60_000 });
    const first = await poller.pollRegistry("VERRA");
    expect(first).to.deep.include({ stored: 4, duplicates: 0, cursor: "4" });
    expect(first.drained.applied).to.equal(4);
    expect(await eventCount(db.pool)).to.deep.equal({ total: 4, unapplied: 0 });
    // The block that left custody is followed with the memo of the transfer that moved it.
    expect(await mirrorRows(db.pool)).to.deep.equal([
      { native_id: block.id, status: "ACTIVE", holder_account: CUSTODY, memo: null, quantity: "60" },
      { native_id: childId, status: "ACTIVE", holder_account: HOLDER, memo: requestId, quantity: "40" },
    ]);
    expect(await requestRow(db.pool, requestId)).to.deep.equal({
      registry_status: "CONFIRMED",
      registry_reference: transfer.operationId,
    });

    // Webhooks come back: the next event arrives by webhook; a poller restarted from the stored cursor reads only
    // that one, and finds it already stored (the same ingest path, idempotent per event id).
    sim.admin.setKnobs({ webhooks: { dropRate: 0 } });
    sim.admin.hold(block.id);
    await waitFor(async () => (await eventCount(db.pool)).total === 5, 15_000, "the webhook delivery");
    const restarted = createRegistryPoller(testContext(db), { adapters, guard, applier });
    const second = await restarted.pollRegistry("VERRA");
    expect(second).to.deep.include({ stored: 0, duplicates: 1, cursor: "5" });
    await waitFor(async () => (await mirrorRows(db.pool))[0]!.status === "ON_HOLD", 15_000, "the hold in the mirror");
    const { rows } = await db.pool.query(
      "SELECT source, count(*)::int AS n FROM registry_events GROUP BY source ORDER BY source",
    );
    expect(rows).to.deep.equal([
      { source: "poll", n: 4 },
      { source: "webhook", n: 1 },
    ]);
  });

  it("an event delivered while the registry cannot be read stays stored but unapplied; the next poll applies it", async () => {
    const { rows } = await db.pool.query<{ native_id: string }>(
      "SELECT native_id FROM custody_blocks WHERE holder_account = $1",
      [CUSTODY],
    );
    const blockId = rows[0]!.native_id;
    sim.admin.startMaintenance(60_000);
    sim.admin.release(blockId);
    await waitFor(
      () => sim.admin.webhooks.deliveries.some((delivery) => delivery.eventId === "EV-6" && delivery.status === 200),
      15_000,
      "the delivery",
    );
    // Stored; not applied: every read of the registry answers 503 during the window.
    const { rows: pending } = await db.pool.query("SELECT applied_at FROM registry_events WHERE event_id = 'EV-6'");
    expect(pending).to.deep.equal([{ applied_at: null }]);
    expect((await mirrorRows(db.pool))[0]!.status).to.equal("ON_HOLD");

    // The webhook's drain met the window: the guard holds every process off until the registry's Retry-After.
    await waitFor(async () => {
      const { rows: bucket } = await db.pool.query("SELECT blocked_until FROM rate_buckets WHERE registry = 'VERRA'");
      return bucket[0]?.blocked_until !== null && bucket[0]?.blocked_until !== undefined;
    }, 15_000, "the drain to meet the maintenance window");

    // The registry is back. (Instead of waiting out the 60 s Retry-After the guard stored for every process, the
    // test lifts that block the way time would; this process's breaker stays open until the announced end, so the
    // poll runs in another process, with a guard of its own.) Nothing re-delivers the event: the next poll applies it.
    expect(guard.circuit("VERRA")).to.equal("open");
    sim.admin.setKnobs({ maintenance: [] });
    await db.pool.query(
      "UPDATE rate_buckets SET blocked_until = NULL, updated_at = clock_timestamp(), tokens = capacity WHERE registry = 'VERRA'",
    );
    const otherGuard = await testGuard(db);
    const result = await createRegistryPoller(testContext(db), {
      adapters,
      guard: otherGuard,
      applier: applierFor(db, adapters, otherGuard),
    }).pollRegistry("VERRA");
    expect(result).to.deep.include({ stored: 0, duplicates: 1 });
    expect(await eventCount(db.pool)).to.deep.equal({ total: 6, unapplied: 0 });
    expect((await mirrorRows(db.pool))[0]!.status).to.equal("ACTIVE");
  });
});
