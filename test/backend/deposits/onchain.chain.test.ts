import { expect } from "chai";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createDepositWatcher, immobilizeJobKeyOf } from "../../../backend/src/deposits";
import { createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { createChainReader } from "../../../backend/src/chain/reader";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import { type RunningSimulator, startSimulator } from "../../../backend/src/simulators";
import { signIn } from "../api/helpers";
import { testPublicClient, useAutomine } from "../../support/chain";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type TestPlatform, deployTestPlatform } from "../support/platform";
import { CUSTODY, SELLER, bearer, depositApp, verifyWallet, verraSerial } from "./helpers";

describe("deposits: the watcher asks the bridge itself whether an arrived range was already minted", () => {
  let db: TestDatabase;
  let platform: TestPlatform;
  let sim: RunningSimulator;

  before(async function () {
    this.timeout(120_000);
    await useAutomine();
    platform = await deployTestPlatform();
    db = await createTestDatabase({ migrate: true });
    sim = await startSimulator("VERRA");
    sim.admin.addAccount({ id: CUSTODY, platform: true });
    sim.admin.addAccount({ id: SELLER });
    sim.admin.addProject({ id: "3352", name: "Forest A", country: "US" });
  });
  after(async () => {
    await sim?.close();
    await db?.drop();
  });

  it("a range minted on the bridge but not (yet) in the index is rejected as already tokenized; a fresh one " +
    "arrives", async function () {
    this.timeout(60_000);
    const prefix = "9301-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
    const start = platform.nextSerial();
    const minted = await platform.deposit(platform.alice, 100n, prefix);
    expect(minted.message.blockStart).to.equal(start);
    const end = start + 99n;
    const reader = createChainReader(await testPublicClient(), platform.deployment);
    expect(await reader.isBlockDeposited(minted.batchId, start, end)).to.equal(true);

    const adapters = createRegistryAdapters({ urls: { VERRA: sim.url } });
    const ctx = testContext(db);
    const guard = createRegistryGuard(ctx, { registries: { VERRA: { capacity: 100, refillPerSec: 100 } } });
    await guard.init();
    const watcher = createDepositWatcher(ctx, { adapters, guard, custodyAccount: CUSTODY, chain: reader });
    const app = await depositApp(db.pool);
    try {
      const holder = privateKeyToAccount(generatePrivateKey());
      await verifyWallet(db.pool, holder.address);
      const token = await signIn(app, holder);
      const declareAndTransfer = async (batch: number, from: bigint, to: bigint): Promise<Hex> => {
        const block = sim.admin.seedBlock({ account: SELLER, serial: verraSerial(batch, from, to) });
        const response = await app.inject({
          method: "POST",
          url: "/deposits/intents",
          headers: bearer(token),
          payload: { registry: "VERRA", serial: verraSerial(batch, from, to) },
        });
        expect(response.statusCode, response.body).to.equal(201);
        const intentId = response.json().intentId as Hex;
        await adapters.VERRA!.transfer({
          fromAccount: SELLER,
          toAccount: CUSTODY,
          recordId: block.id,
          quantity: to - from + 1n,
          memo: intentId,
        });
        return intentId;
      };
      // The same block again (the registry would not allow it; a second registry record of one range is the case).
      const twice = await declareAndTransfer(9301, start, end);
      const fresh = await declareAndTransfer(9302, start, end);

      expect(await watcher.runOnce()).to.deep.include({ arrived: 1, rejected: 1, errors: 0 });
      const read = async (intentId: Hex) =>
        (await app.inject({ method: "GET", url: `/deposits/intents/${intentId}`, headers: bearer(token) })).json();
      const rejected = await read(twice);
      expect(rejected.status).to.equal("rejected");
      expect(rejected.statusDetail).to.contain(`already tokenized on chain: units ${start}-${end}`);
      const { rows } = await db.pool.query("SELECT key FROM jobs WHERE key = ANY($1)", [
        [immobilizeJobKeyOf(twice), immobilizeJobKeyOf(fresh)],
      ]);
      expect(rows.map((row) => row.key)).to.deep.equal([immobilizeJobKeyOf(fresh)]);
      expect((await read(fresh)).status).to.equal("arrived");
    } finally {
      await app.close();
    }
  });
});
