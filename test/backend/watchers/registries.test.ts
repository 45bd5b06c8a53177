import { expect } from "chai";
import { createRegistryGuard } from "../../../backend/src/guard";
import { createRegistryAdapter } from "../../../backend/src/registries/adapters";
import { REGISTRY_NAMES, type RegistryName } from "../../../backend/src/registries/ids";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";
import type { AdminBlockInput } from "../../../backend/src/simulators/core/simulator";
import { createChangeApplier, createRegistryPoller, createSnapshotWriter } from "../../../backend/src/watchers";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { CUSTODY, SECRET, clearWatcherState } from "./fixtures";

/** A 300-unit block in the custody account, per registry's own serial format. */
const SEEDS: Record<RegistryName, AdminBlockInput> = {
  VERRA: { account: CUSTODY, serial: "9660-1-300-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0" },
  GOLD_STANDARD: { account: CUSTODY, serial: "GS1-1-KE-GS7495-16-2025-30645-1-300" },
  IREC: { account: CUSTODY, quantity: "300", projectId: "DEVICE-1" },
  IN_CCTS: { account: CUSTODY, serial: "CCC-IN-CEMENT-CMT0001-2025-1-300" },
};

function adapterFor(registry: RegistryName, baseUrl: string): RegistryPort {
  const common = { baseUrl, webhookSecret: SECRET };
  switch (registry) {
    case "IREC":
      return createRegistryAdapter({ registry, ...common, username: "platform", password: "platform-password" });
    case "IN_CCTS":
      return createRegistryAdapter({ registry, ...common, apiKey: "ccts-sim-key" });
    default:
      return createRegistryAdapter({ registry, ...common });
  }
}

describe("watchers: the same poll -> apply -> snapshot path against every registry's simulator", () => {
  let db: TestDatabase;
  const sims: RunningSimulator[] = [];

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await clearWatcherState(db.pool);
  });
  after(async () => {
    for (const sim of sims) await sim.close();
    await db?.drop();
  });

  for (const registry of REGISTRY_NAMES) {
    it(`${registry}: an outside retirement of part of a custody block is snapshotted as live remainder + retired child ` +
      `with its memo`, async () => {
      const sim = await startSimulator(registry, { port: 0 });
      sims.push(sim);
      sim.admin.addAccount({ id: CUSTODY, platform: true });
      const seeded = sim.admin.seedBlock(SEEDS[registry]);
      const adapter = adapterFor(registry, sim.url);
      const adapters = { [registry]: adapter };
      const ctx = testContext(db);
      const guard = createRegistryGuard(ctx, { registries: { [registry]: { capacity: 1_000, refillPerSec: 1_000 } } });
      await guard.init();

      await adapter.immobilize({ account: CUSTODY, recordId: seeded.id, quantity: 300n, memo: `deposit-${registry}` });
      const retirement = await adapter.retire({
        account: CUSTODY,
        recordId: seeded.id,
        quantity: 100n,
        memo: `OUTSIDE-${registry}`,
        beneficiary: "Someone",
      });
      const child = retirement.resultRecordIds[0]!;

      const applier = createChangeApplier(ctx, { adapters, guard, custodyAccount: CUSTODY });
      const poller = createRegistryPoller(ctx, { adapters, guard, applier });
      const writer = createSnapshotWriter(ctx, {
        adapters,
        guard,
        custodyAccount: CUSTODY,
        catchUp: (r) => poller.pollRegistry(r),
      });
      expect(await writer.writeRegistry(registry)).to.deep.include({ written: true, prefixes: 1, blocks: 2 });

      const { rows } = await db.pool.query(
        `SELECT b.native_id, b.quantity::text, b.status::text AS status, b.memo
           FROM registry_snapshot_blocks b JOIN registry_snapshots s ON s.id = b.snapshot_id
          WHERE s.registry_id = $1 ORDER BY b.quantity DESC`,
        [registry],
      );
      expect(rows).to.deep.equal([
        { native_id: seeded.id, quantity: "200", status: "IMMOBILIZED", memo: null },
        { native_id: child, quantity: "100", status: "RETIRED", memo: `OUTSIDE-${registry}` },
      ]);
    });
  }
});
