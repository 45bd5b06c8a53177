import { expect } from "chai";
import { createChainReader } from "../../../backend/src/chain/reader";
import { createBridgePauser } from "../../../backend/src/guard/bridgePauser";
import { createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { createRegistryStatusSource } from "../../../backend/src/guard/status";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { createReadiness } from "../../../backend/src/readiness";
import { RegistryUnavailableError } from "../../../backend/src/registries/errors";
import { testPublicClient, testRelayer, useAutomine } from "../../support/chain";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";

const logger = createLogger({ level: "silent" });

describe("guard: breaker hooks pause the registry on the real bridge", () => {
  let db: TestDatabase;
  let platform: TestPlatform;

  before(async function () {
    this.timeout(120_000);
    await useAutomine();
    platform = await deployTestPlatform();
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });

  it("an opening pauses VERRA on RegistryBridge with the guardian key, the closing unpauses it", async function () {
    this.timeout(60_000);
    const publicClient = await testPublicClient();
    // the guardian is the platform's admin (development account 0), sending through a relayer as the platform does
    const relayer = await testRelayer(0);
    const bridge = platform.deployment.registryBridge;
    const pauser = createBridgePauser({ relayer, chain: createChainReader(publicClient, platform.deployment), bridge, logger });
    const guard = createRegistryGuard(
      { logger, metrics: createMetrics({ defaultMetrics: false }), readiness: createReadiness(), db: { pool: db.pool } },
      {
        registries: { VERRA: { capacity: 50, refillPerSec: 50, consecutiveFailures: 2, halfOpenAfterMs: 300 } },
        hooks: pauser,
      },
    );
    await guard.init();
    const status = createRegistryStatusSource({ guard, db: db.pool, paused: pauser.isPaused });
    expect(await status.get("VERRA")).to.include({ paused: false, circuit: "closed" });

    const down = async () => {
      throw new RegistryUnavailableError("maintenance", { registry: "VERRA", status: 503 });
    };
    for (let i = 0; i < 2; i++) await guard.guardedCall("VERRA", down).catch(() => undefined);
    await guard.settled();
    expect(pauser.sent.map((entry) => entry.action)).to.deep.equal(["pause"]);
    await publicClient.waitForTransactionReceipt({ hash: pauser.sent[0]!.hash as `0x${string}`, pollingInterval: 50 });
    expect(await pauser.isPaused("VERRA")).to.equal(true);
    expect(await status.get("VERRA")).to.include({ paused: true, circuit: "open" });

    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await guard.guardedCall("VERRA", async () => "back")).to.equal("back");
    await guard.settled();
    expect(pauser.sent.map((entry) => entry.action)).to.deep.equal(["pause", "unpause"]);
    await publicClient.waitForTransactionReceipt({ hash: pauser.sent[1]!.hash as `0x${string}`, pollingInterval: 50 });
    expect(await status.get("VERRA")).to.include({ paused: false, circuit: "closed" });
  });
});
