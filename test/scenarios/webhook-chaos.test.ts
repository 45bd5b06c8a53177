/**
 * Scenario 6 (ISSUE 7): the registry's webhooks duplicated, reordered and delayed, then all dropped (polling
 * recovers), then forged and replayed. Each time the platform ends in the right state: the retirement confirmed and
 * burned, every registry event stored once, the custody mirror equal to the registry's books; a forged or stale
 * delivery is refused with 401 and stores nothing; a replayed fresh delivery changes nothing.
 */
import { expect } from "chai";
import { PLATFORM_CUSTODY_ACCOUNT } from "../../backend/src/platform/demo";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { webhookHeaders } from "../../backend/src/registries/webhook-signature";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until } from "../backend/support/platformProcess";
import { AT_REST, checkInvariants } from "./support/invariants";
import { DEMO_SERIAL, batchIdOfSerial, dbQuery, metricValue, requestRetirement, requestWithChainStatus, setVerraKnobs } from "./support/registry-faults";

const SECRET = "scenario-webhook-secret-0123456789";

type SimEvent = { id: string; sequence: number; type: string; memo?: string; blockIds: string[] };
type SimState = {
  blocks: Array<{ id: string; account: string; status: string; blockStart: string; blockEnd: string }>;
  events: SimEvent[];
  webhookDeliveries: Array<{ eventId: string; status: number | "error" }>;
};

describe("scenario 6: webhooks duplicated, reordered, delayed, dropped, forged and replayed", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const batchId = batchIdOfSerial(DEMO_SERIAL);
  const details = { beneficiary: "Webhook Chaos Ltd", reason: "scenario 6" };

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500", WEBHOOK_SECRET: SECRET }, privatePorts(process.pid + 302));
    await until("the demo batch", async () => (await getJson(`${platform.api}/batches/${batchId}`)).batchId, 60_000);
  });
  after(async () => {
    await platform?.stop();
  });

  const state = async (): Promise<SimState> => (await getJson(`${platform.simulatorUrl("VERRA")}/_admin/state`)) as SimState;
  const storedEvents = async () => dbQuery<{ event_id: string; source: string; n: number }>(
    platform,
    "SELECT event_id, min(source) AS source, count(*)::int AS n FROM registry_events WHERE registry_id = 'VERRA' GROUP BY event_id",
  );

  /** Every registry event stored exactly once, and the mirror of the custody account equal to the registry's books. */
  async function expectRegistryAndPlatformAgree(): Promise<Map<string, string>> {
    const books = await state();
    const stored = await until(
      "every registry event stored",
      async () => {
        const rows = await storedEvents();
        return books.events.every((event) => rows.some((row) => row.event_id === event.id)) ? rows : undefined;
      },
      30_000,
    );
    expect(stored.filter((row) => row.n !== 1)).to.deep.equal([]);
    expect(stored.map((row) => row.event_id).sort()).to.deep.equal(books.events.map((event) => event.id).sort());
    const custody = books.blocks
      .filter((block) => block.account === PLATFORM_CUSTODY_ACCOUNT)
      .map((block) => ({ id: block.id, status: block.status, quantity: (BigInt(block.blockEnd) - BigInt(block.blockStart) + 1n).toString() }))
      .sort((a, b) => a.id.localeCompare(b.id));
    await until(
      "the custody mirror equal to the registry's books",
      async () => {
        const mirror = await dbQuery<{ id: string; status: string; quantity: string }>(
          platform,
          `SELECT native_id AS id, status::text AS status, quantity::text AS quantity FROM custody_blocks
            WHERE registry_id = 'VERRA' AND account = $1 ORDER BY native_id`,
          [PLATFORM_CUSTODY_ACCOUNT],
        );
        return JSON.stringify(mirror.sort((a, b) => a.id.localeCompare(b.id))) === JSON.stringify(custody) ? true : undefined;
      },
      30_000,
    );
    return new Map(stored.map((row) => [row.event_id, row.source]));
  }

  it("duplicated, reordered and delayed deliveries: the retirement completes, each event is stored once, the mirror is right", async () => {
    await setVerraKnobs(platform, { webhooks: { duplicateRate: 1, reorderWindowMs: 800, delayMs: 300, dropRate: 0 } });
    const requestId = await requestRetirement(platform, seller, batchId, 200n, details);
    const done = await requestWithChainStatus(platform, requestId, "confirmed");
    expect(done).to.include({ registryStatus: "CONFIRMED" });

    const books = await state();
    const ours = books.events.filter((event) => event.memo === requestId);
    expect(ours.map((event) => event.type)).to.include.members(["operation.accepted", "operation.confirmed"]);
    // Every event of the request was delivered twice and the platform answered both times.
    await until(
      "two answered deliveries per event",
      async () => {
        const deliveries = (await state()).webhookDeliveries;
        return ours.every((event) => deliveries.filter((d) => d.eventId === event.id && d.status === 200).length === 2) ? true : undefined;
      },
      30_000,
    );
    expect(await metricValue(platform, "carbon_registry_webhooks_total", { registry: "VERRA", outcome: "duplicate" })).to.be.greaterThan(0);
    await expectRegistryAndPlatformAgree();
    const after = await getJson(`${platform.api}/batches/${batchId}`);
    expect(after.custody.totalSupply).to.equal("9800");
  });

  it("every delivery dropped: polling alone brings the registry status and the burn", async () => {
    await setVerraKnobs(platform, { webhooks: { dropRate: 1, duplicateRate: 0, reorderWindowMs: 0, delayMs: 0 } });
    const deliveriesBefore = (await state()).webhookDeliveries.length;
    const requestId = await requestRetirement(platform, seller, batchId, 300n, details);
    const done = await requestWithChainStatus(platform, requestId, "confirmed");
    expect(done).to.include({ registryStatus: "CONFIRMED" });

    const books = await state();
    expect(books.webhookDeliveries.length, "no webhook went out").to.equal(deliveriesBefore);
    const ours = books.events.filter((event) => event.memo === requestId);
    expect(ours.length).to.be.greaterThan(0);
    const sources = await expectRegistryAndPlatformAgree();
    for (const event of ours) expect(sources.get(event.id), `event ${event.id}`).to.equal("poll");
    expect((await getJson(`${platform.api}/batches/${batchId}`)).custody.totalSupply).to.equal("9500");
  });

  it("a forged signature and a stale captured delivery get 401 and store nothing; a fresh replay is a 200 duplicate", async () => {
    await setVerraKnobs(platform, { webhooks: { dropRate: 0, duplicateRate: 0, reorderWindowMs: 0, delayMs: 0 } });
    const url = `${platform.api}/webhooks/VERRA`;
    const books = await state();
    const captured = books.events[books.events.length - 1]!;
    const countBefore = (await storedEvents()).length;
    const post = (body: string, headers: Record<string, string>) => fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

    // A never-seen event signed with the wrong secret.
    const forged = JSON.stringify({ ...captured, id: "evt-forged-1", sequence: captured.sequence + 1000 });
    const wrongSecret = await post(forged, webhookHeaders("not-the-platform-secret-000000", forged));
    expect(wrongSecret.status).to.equal(401);
    expect((await wrongSecret.json()).message).to.match(/signature/);
    // The same body, correctly signed but ten minutes old: replayed outside the tolerance.
    const stale = await post(forged, webhookHeaders(SECRET, forged, Date.now() - 600_000));
    expect(stale.status).to.equal(401);
    expect((await stale.json()).message).to.match(/timestamp/);
    // A captured genuine delivery replayed late.
    const capturedBody = JSON.stringify(captured);
    const staleCapture = await post(capturedBody, webhookHeaders(SECRET, capturedBody, Date.now() - 600_000));
    expect(staleCapture.status).to.equal(401);
    const rows = await storedEvents();
    expect(rows.length).to.equal(countBefore);
    expect(rows.some((row) => row.event_id === "evt-forged-1")).to.equal(false);

    // A genuinely signed, fresh delivery of an event already stored: accepted as a duplicate, nothing changes.
    const [before] = await dbQuery(platform, "SELECT source, received_at::text, applied_at::text FROM registry_events WHERE registry_id = 'VERRA' AND event_id = $1", [captured.id]);
    const replay = await post(capturedBody, webhookHeaders(SECRET, capturedBody));
    expect(replay.status).to.equal(200);
    expect(await replay.json()).to.deep.equal({ registry: "VERRA", eventId: captured.id, duplicate: true });
    const [afterReplay] = await dbQuery(platform, "SELECT source, received_at::text, applied_at::text FROM registry_events WHERE registry_id = 'VERRA' AND event_id = $1", [captured.id]);
    expect(afterReplay).to.deep.equal(before);
    expect((await storedEvents()).length).to.equal(countBefore);
    expect(await metricValue(platform, "carbon_registry_webhooks_total", { registry: "VERRA", outcome: "rejected" })).to.equal(3);

    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
