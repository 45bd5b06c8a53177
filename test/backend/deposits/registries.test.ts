import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  createDepositWatcher,
  createImmobilizeHandler,
  immobilizeJobKeyOf,
  immobilizeMemoOf,
} from "../../../backend/src/deposits";
import { createRegistryGuard } from "../../../backend/src/guard/registryGuard";
import { getJob } from "../../../backend/src/queue/jobs";
import { createGoldStandardAdapter, createInCctsAdapter } from "../../../backend/src/registries/adapters";
import type { RegistryName } from "../../../backend/src/registries/ids";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { startSimulator } from "../../../backend/src/simulators";
import { signIn } from "../api/helpers";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { CUSTODY, SELLER, bearer, depositApp, verifyWallet } from "./helpers";

/**
 * The same flow through the other range-carrying registries: each stores the memo in its own native field (GS
 * `note`, CCTS `memo`) and the intent id must be found there, as must `immobilize:<intentId>` and only that.
 */
type Case = {
  registry: RegistryName;
  adapter: (baseUrl: string) => RegistryPort;
  project: string;
  serial: string;
  declared: [string, string];
  arrived: [string, string];
};
const CASES: Case[] = [
  {
    registry: "GOLD_STANDARD",
    adapter: (baseUrl) => createGoldStandardAdapter({ baseUrl }),
    project: "7495",
    serial: "GS1-1-KE-GS7495-16-2025-30645-608-707",
    declared: ["608", "707"],
    arrived: ["608", "657"],
  },
  {
    registry: "IN_CCTS",
    // createRegistryAdapters passes no CCTS API key (reported), so the adapter is built with the simulator's default.
    adapter: (baseUrl) => createInCctsAdapter({ baseUrl, apiKey: "ccts-sim-key" }),
    project: "P1",
    serial: "CCC-IN-CEMENT-P1-2025-11-60",
    declared: ["11", "60"],
    arrived: ["11", "35"],
  },
];

describe("deposits flow on Gold Standard and India CCTS simulators", () => {
  let db: TestDatabase;
  const holder = privateKeyToAccount(generatePrivateKey());

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await verifyWallet(db.pool, holder.address);
  });
  after(async () => {
    await db?.drop();
  });

  for (const item of CASES) {
    it(`${item.registry}: memo found, the arrived half claimed and immobilized once`, async () => {
      const sim = await startSimulator(item.registry);
      const app = await depositApp(db.pool, { registries: [item.registry] });
      try {
        sim.admin.addAccount({ id: CUSTODY, platform: true });
        sim.admin.addAccount({ id: SELLER });
        sim.admin.addProject({
          id: item.project,
          name: "Project",
          country: "IN",
        });
        const block = sim.admin.seedBlock({
          account: SELLER,
          serial: item.serial,
        });
        const adapter = item.adapter(sim.url);
        const adapters = { [item.registry]: adapter };
        const ctx = testContext(db);
        const guard = createRegistryGuard(ctx, {
          registries: { [item.registry]: { capacity: 100, refillPerSec: 100 } },
        });
        await guard.init();
        const watcher = createDepositWatcher(ctx, {
          adapters,
          guard,
          custodyAccount: CUSTODY,
        });
        const handler = createImmobilizeHandler({
          adapters,
          guard,
          custodyAccount: CUSTODY,
          db: db.pool,
        });

        const token = await signIn(app, holder);
        const created = await app.inject({
          method: "POST",
          url: "/deposits/intents",
          headers: bearer(token),
          payload: { registry: item.registry, serial: item.serial },
        });
        expect(created.statusCode, created.body).to.equal(201);
        const { intentId } = created.json();
        expect(created.json()).to.include({
          declaredStart: item.declared[0],
          declaredEnd: item.declared[1],
        });
        const quantity = BigInt(item.arrived[1]) - BigInt(item.arrived[0]) + 1n;
        await adapter.transfer({
          fromAccount: SELLER,
          toAccount: CUSTODY,
          recordId: block.id,
          quantity,
          memo: intentId,
        });

        expect(await watcher.runOnce()).to.deep.include({
          arrived: 1,
          errors: 0,
        });
        const { rows } = await db.pool.query<{ id: string }>("SELECT id::text FROM jobs WHERE key = $1", [
          immobilizeJobKeyOf(intentId),
        ]);
        const job = (await getJob<{ intentId: string }>(db.pool, rows[0]!.id))!;
        await handler(job, { signal: new AbortController().signal });
        await handler(job, { signal: new AbortController().signal });
        const read = await app.inject({
          method: "GET",
          url: `/deposits/intents/${intentId}`,
          headers: bearer(token),
        });
        expect(read.json()).to.include({
          status: "immobilized",
          blockStart: item.arrived[0],
          blockEnd: item.arrived[1],
        });
        expect(sim.admin.ledger.operationsByMemo(immobilizeMemoOf(intentId))).to.have.length(1);
        expect(sim.admin.ledger.block(read.json().recordId)).to.include({
          status: "IMMOBILIZED",
        });
      } finally {
        await app.close();
        await sim.close();
      }
    });
  }
});
