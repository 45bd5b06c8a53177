import { expect } from "chai";
import type { App } from "../../../backend/src/api/app";
import type { RegistryGuard } from "../../../backend/src/guard";
import type { RegistryPort } from "../../../backend/src/registries/port";
import type { RunningSimulator } from "../../../backend/src/simulators";
import { type ChangeApplier, createRegistryPoller } from "../../../backend/src/watchers";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import {
  CUSTODY,
  HOLDER,
  SECRET,
  applierFor,
  clearWatcherState,
  eventCount,
  startVerra,
  startWebhookApi,
  testGuard,
  verraSerial,
  waitFor,
} from "./fixtures";

/**
 * ISSUE 12 §2: strings from a registry are untrusted. A memo is whatever the registry's user typed, and a NUL in it
 * (valid JSON, refused by a PostgreSQL text or jsonb column) must not stop the event log for everyone: by poll and by
 * webhook alike the event is stored with U+FFFD in place of what PostgreSQL cannot hold, backslashes kept, and the
 * events after it are stored too.
 */
describe("watchers: a registry memo with a NUL does not stop the event log", () => {
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

  const memos = async () =>
    (await db.pool.query<{ memo: string | null }>("SELECT memo FROM registry_events ORDER BY sequence")).rows.map((r) => r.memo);

  it("by poll: the poisoned memo is stored as U+FFFD, the backslash kept, and the next event stored after it", async () => {
    sim.admin.setKnobs({ webhooks: { dropRate: 1 } });
    const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(5151, 1n, 100n) });
    await adapter.transfer({ fromAccount: CUSTODY, toAccount: HOLDER, recordId: block.id, quantity: 10n, memo: "a\u0000b\\u0000\ud800" });
    await adapter.transfer({ fromAccount: CUSTODY, toAccount: HOLDER, recordId: block.id, quantity: 5n, memo: "plain" });
    const poll = await createRegistryPoller(testContext(db), { adapters, guard, applier, intervalMs: 60_000 }).pollRegistry("VERRA");
    expect(poll.stored).to.be.at.least(2);
    expect(await memos()).to.include.members(["a\ufffdb\\u0000\ufffd", "plain"]);
  });

  it("by webhook: the same memo arrives signed, is stored, and so is the delivery after it", async () => {
    sim.admin.setKnobs({ webhooks: { dropRate: 0 } });
    const block = sim.admin.seedBlock({ account: CUSTODY, serial: verraSerial(5152, 1n, 100n) });
    await adapter.transfer({ fromAccount: CUSTODY, toAccount: HOLDER, recordId: block.id, quantity: 10n, memo: "hook\u0000" });
    await adapter.transfer({ fromAccount: CUSTODY, toAccount: HOLDER, recordId: block.id, quantity: 5n, memo: "hook after" });
    await waitFor(async () => (await memos()).includes("hook after"), 15_000, "the delivery after the poisoned one");
    expect(await memos()).to.include("hook\ufffd");
    const refused = sim.admin.webhooks.deliveries.filter((delivery) => delivery.status !== 200);
    expect(refused).to.deep.equal([]);
    await waitFor(async () => (await eventCount(db.pool)).unapplied === 0, 15_000, "every stored event applied");
  });
});
