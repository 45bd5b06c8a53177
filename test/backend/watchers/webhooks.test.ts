import { expect } from "chai";
import type { App } from "../../../backend/src/api/app";
import type { RegistryGuard } from "../../../backend/src/guard";
import type { Metrics } from "../../../backend/src/metrics";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { webhookHeaders } from "../../../backend/src/registries/webhookSignature";
import type { RunningSimulator } from "../../../backend/src/simulators";
import { insertBatch, insertRequest } from "../api/helpers";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import {
  CUSTODY,
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

/**
 * The platform's custody retires 100 of a 300-unit block for a platform request: 6 registry events (created,
 * immobilization accepted/confirmed, retirement accepted, split, retirement confirmed).
 */
async function retireForRequest(sim: RunningSimulator, adapter: RegistryPort, db: TestDatabase) {
  await insertBatch(db.pool, "1", "VERRA", verraPrefix(9660));
  const requestId = await insertRequest(db.pool, {
    holder: "0x00000000000000000000000000000000000000a1",
    batchId: "1",
    amount: "100",
  });
  const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(9660, 1_000n, 1_299n) });
  await adapter.immobilize({ account: CUSTODY, recordId: block.id, quantity: 300n, memo: "deposit-intent-1" });
  const retirement = await adapter.retire({
    account: CUSTODY,
    recordId: block.id,
    quantity: 100n,
    memo: requestId,
    beneficiary: "Acme",
  });
  return { blockId: block.id, childId: retirement.resultRecordIds[0] ?? "", operationId: retirement.operationId, requestId };
}

/** The state the registry ends in after `retireForRequest`, as the watchers must store it. */
async function expectFinalState(db: TestDatabase, scenario: Awaited<ReturnType<typeof retireForRequest>>) {
  const rows = await mirrorRows(db.pool);
  expect(rows).to.deep.equal([
    { native_id: scenario.blockId, status: "IMMOBILIZED", holder_account: CUSTODY, memo: null, quantity: "200" },
    { native_id: scenario.childId, status: "RETIRED", holder_account: CUSTODY, memo: scenario.requestId, quantity: "100" },
  ]);
  expect(await requestRow(db.pool, scenario.requestId)).to.deep.equal({
    registry_status: "CONFIRMED",
    registry_reference: scenario.operationId,
  });
}

async function counterValue(metrics: Metrics, outcome: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric("carbon_registry_webhooks_total")?.get();
  return metric?.values.filter((value) => value.labels.outcome === outcome).reduce((sum, value) => sum + value.value, 0) ?? 0;
}

describe("watchers: webhook receiver (real simulator delivering to the API over HTTP)", () => {
  let db: TestDatabase;
  let guard: RegistryGuard;
  let sim: RunningSimulator;
  let adapter: RegistryPort;
  let app: App;
  let url: string;
  let metrics: Metrics;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    guard = await testGuard(db);
  });
  beforeEach(async () => {
    await clearWatcherState(db.pool);
    const verra = await startVerra();
    sim = verra.sim;
    adapter = verra.adapter;
    ({ app, url, metrics } = await startWebhookApi(db.pool, verra.adapters, applierFor(db, verra.adapters, guard)));
    sim.admin.subscribe({ url: `${url}/webhooks/VERRA`, secret: SECRET });
  });
  afterEach(async () => {
    await sim?.close();
    await app?.close();
  });
  after(async () => {
    await db?.drop();
  });

  it("every event delivered twice (duplicateRate 1) is stored once; the duplicate answers 200 and changes nothing", async () => {
    sim.admin.setKnobs({ webhooks: { duplicateRate: 1 } });
    const scenario = await retireForRequest(sim, adapter, db);
    const events = sim.admin.ledger.events.length;
    expect(events).to.equal(6);
    await waitFor(() => sim.admin.webhooks.deliveries.length === 2 * events, 15_000, "every delivery");
    expect(sim.admin.webhooks.deliveries.map((delivery) => delivery.status)).to.deep.equal(Array(2 * events).fill(200));
    await waitFor(
      async () =>
        (await eventCount(db.pool)).unapplied === 0 &&
        (await requestRow(db.pool, scenario.requestId)).registry_status === "CONFIRMED",
    );
    expect(await eventCount(db.pool)).to.deep.equal({ total: events, unapplied: 0 });
    expect(await counterValue(metrics, "stored")).to.equal(events);
    expect(await counterValue(metrics, "duplicate")).to.equal(events);
    await expectFinalState(db, scenario);
  });

  it("events delivered newest first (reorderWindowMs) end in the registry's final state, not the last event's", async () => {
    sim.admin.setKnobs({ webhooks: { reorderWindowMs: 400 } });
    const scenario = await retireForRequest(sim, adapter, db);
    await waitFor(() => sim.admin.webhooks.deliveries.length === 6, 15_000, "every delivery");
    // Really reordered: EV-6 first, EV-1 (block.created, status ACTIVE) last.
    expect(sim.admin.webhooks.deliveries.map((delivery) => delivery.eventId)).to.deep.equal([
      "EV-6",
      "EV-5",
      "EV-4",
      "EV-3",
      "EV-2",
      "EV-1",
    ]);
    await waitFor(async () => (await eventCount(db.pool)).unapplied === 0 && (await eventCount(db.pool)).total === 6);
    await expectFinalState(db, scenario);
  });

  it("a wrong secret, a forged body and a stale timestamp get 401 with the reason and store nothing; an unknown " +
    "registry 404", async () => {
    // A real simulator signing with another secret.
    const impostor = await startVerra();
    try {
      impostor.sim.admin.subscribe({ url: `${url}/webhooks/VERRA`, secret: "not-the-secret" });
      impostor.sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(7000, 1n, 10n) });
      await waitFor(() => impostor.sim.admin.webhooks.deliveries.length === 1, 15_000, "the impostor's delivery");
      expect(impostor.sim.admin.webhooks.deliveries[0]!.status).to.equal(401);
    } finally {
      await impostor.sim.close();
    }

    const body = JSON.stringify({
      id: "EV-1",
      sequence: 1,
      type: "block.created",
      occurredAt: new Date().toISOString(),
      blockIds: ["100001"],
      data: {},
    });
    const post = (path: string, payload: string, headers: Record<string, string>) =>
      fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload });

    const forged = await post("/webhooks/VERRA", body.replace("100001", "100002"), webhookHeaders(SECRET, body));
    expect(forged.status).to.equal(401);
    expect((await forged.json()).message).to.equal("signature does not match");

    const stale = await post("/webhooks/VERRA", body, webhookHeaders(SECRET, body, Date.now() - 600_000));
    expect(stale.status).to.equal(401);
    expect((await stale.json()).message).to.match(/^timestamp is 60\ds away from now/);

    const unsigned = await post("/webhooks/VERRA", body, {});
    expect(unsigned.status).to.equal(401);
    expect((await unsigned.json()).message).to.contain("x-registry-timestamp");

    const unknown = await post("/webhooks/UNKNOWN_REGISTRY", body, webhookHeaders(SECRET, body));
    expect(unknown.status).to.equal(404);

    expect(await eventCount(db.pool)).to.deep.equal({ total: 0, unapplied: 0 });
    expect(await counterValue(metrics, "rejected")).to.equal(4);

    // The same body, correctly signed, is accepted: the refusals above were about the signature, not the body.
    const good = await post("/webhooks/VERRA", body, webhookHeaders(SECRET, body));
    expect(good.status).to.equal(200);
    expect(await good.json()).to.deep.equal({ registry: "VERRA", eventId: "EV-1", duplicate: false });
    const again = await post("/webhooks/VERRA", body, webhookHeaders(SECRET, body));
    expect(await again.json()).to.deep.equal({ registry: "VERRA", eventId: "EV-1", duplicate: true });
    expect((await eventCount(db.pool)).total).to.equal(1);
  });

  it("the raw-body parser stays inside the webhook plugin: other routes still parse JSON; the route is in the OpenAPI " +
    "document", async () => {
    const siwe = await app.inject({ method: "POST", url: "/auth/siwe", payload: { message: "hello" } });
    expect(siwe.statusCode).to.equal(400);
    expect(siwe.json().fields.map((field: { field: string }) => field.field)).to.deep.equal(["body.signature"]);
    const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(doc.paths["/webhooks/{registry}"].post.responses)).to.include.members(["200", "401", "404"]);
  });
});
