import { expect } from "chai";
import { batchIdOf } from "../../../backend/src/chain/attestations";
import { createChainReader } from "../../../backend/src/chain/reader";
import { queueDepth } from "../../../backend/src/queue/jobs";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";
import { dispatchRequests } from "../../../backend/src/requests/dispatch";
import { type RegistryWorkers, createWorkerGuard, startRegistryWorkers } from "../../../backend/src/workers/runner";
import { testPublicClient, testRelayer, useAutomine } from "../../support/chain";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";
import { CUSTODY, operationsPerMemo, requestIdOf, seedCustody, seedRequests, serialPrefixOf } from "./fixtures/seed";

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("registry workers: an opening breaker pauses the registry on the bridge, its closing unpauses it", () => {
  let db: TestDatabase;
  let platform: TestPlatform;
  let sim: RunningSimulator;
  let workers: RegistryWorkers | undefined;

  before(async function () {
    this.timeout(120_000);
    await useAutomine();
    // Our own deployment: a paused registry must not leak into other files' contracts.
    platform = await deployTestPlatform();
    db = await createTestDatabase({ migrate: true });
    sim = await startSimulator("VERRA", { port: 0 });
  });
  after(async () => {
    await workers?.stop();
    await sim?.close();
    await db?.drop();
  });

  it("maintenance opens the breaker, VERRA requests revert with RegistryBridgeRegistryPaused, then work " +
    "again", async function () {
    this.timeout(90_000);
    const prefix = serialPrefixOf();
    const { batchId } = await platform.deposit(platform.alice, 100n, prefix);
    expect(batchId).to.equal(batchIdOf(1, prefix));
    seedCustody(sim, [100n]);

    const publicClient = await testPublicClient();
    // The guardian is the platform's admin (development account 0), sending through a relayer as the platform does.
    const relayer = await testRelayer(0);
    const ctx = testContext(db);
    const { guard, pauser } = await createWorkerGuard(ctx, {
      registries: { VERRA: { capacity: 20, refillPerSec: 20, consecutiveFailures: 2, halfOpenAfterMs: 500, timeoutMs: 5_000 } },
      guardian: {
        relayer,
        chain: createChainReader(publicClient, platform.deployment),
        bridge: platform.deployment.registryBridge,
      },
    });
    const adapters = createRegistryAdapters({ urls: { VERRA: sim.url } });
    workers = await startRegistryWorkers(ctx, {
      adapters,
      guard,
      custodyAccount: CUSTODY,
      concurrency: 2,
      pollMs: 100,
      probeMs: 100,
    });

    // The registry goes into maintenance while two requests are waiting to be sent. Its 503 announces the window
    // (Retry-After 6 s, past the guard's 5 s outage threshold): the breaker opens on that one answer.
    sim.admin.startMaintenance(6_000);
    const before = [requestIdOf("pause-1"), requestIdOf("pause-2")];
    await seedRequests(
      db.pool,
      batchId,
      before.map((requestId) => ({ requestId, amount: 5n })),
    );
    await dispatchRequests(db.pool);

    await until(() => pauser?.sent.some((entry) => entry.action === "pause") === true, "the guardian's pause");
    await guard.settled();
    expect(await pauser?.isPaused("VERRA")).to.equal(true);
    expect(guard.circuit("VERRA")).to.not.equal("closed");
    let reverted: unknown;
    try {
      await platform.requestRetirement(platform.alice, batchId, 10n);
    } catch (error) {
      reverted = error;
    }
    expect(reverted, "requestRetirement while paused").to.not.equal(undefined);
    const data = (reverted as { data?: string }).data;
    expect(platform.core.registryBridge.interface.parseError(data ?? "0x")?.name).to.equal("RegistryBridgeRegistryPaused");

    // At the window's announced end the breaker closes, the guardian unpauses, the jobs go through.
    await until(() => pauser?.sent.some((entry) => entry.action === "unpause") === true, "the guardian's unpause");
    await guard.settled();
    expect(pauser?.sent.map((entry) => entry.action)).to.deep.equal(["pause", "unpause"]);
    expect(await pauser?.isPaused("VERRA")).to.equal(false);
    expect(guard.circuit("VERRA")).to.equal("closed");
    await until(async () => (await queueDepth(db.pool)).succeeded === 2, "both jobs to succeed");
    const perMemo = operationsPerMemo(sim);
    expect(before.map((id) => perMemo.get(id))).to.deep.equal([1, 1]);

    await platform.requestRetirement(platform.alice, batchId, 10n);
    expect(await platform.core.creditToken.balanceOf(platform.deployment.registryBridge, batchId)).to.equal(10n);
  });
});
