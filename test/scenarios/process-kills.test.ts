/**
 * Issue 7, scenario 4: the production topology, with the registry side in processes of its own (`EMBEDDED_SERVICES=
 * none`: two `carbon worker`, three `carbon oracle --key-file`, one `carbon aggregator`, the relayer), killed with
 * SIGKILL at random points of a busy run (retirements and withdrawals going through the registry) and started
 * again. Afterwards: every request retired or delivered at the registry exactly once and settled on chain, no job
 * dead, no lost request, and the invariants clean. The kills follow a seeded schedule (`CHAOS_SEED=n` replays one).
 */
import { expect } from "chai";
import { Client } from "pg";
import { type Hex, type PublicClient, keccak256, toHex } from "viem";
import { loadAbi } from "../../backend/src/chain/artifacts";
import { registryAccountToBytes32 } from "../../backend/src/chain/registryAccount";
import { SELLER_REGISTRY_ACCOUNT } from "../../backend/src/platform/demo";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { demoBatch } from "../backend/support/platformFlows";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until } from "../backend/support/platformProcess";
import { type Fleet, registryFleet, seededRandom } from "./support/fleet";
import { AT_REST, checkInvariants, simulatorState } from "./support/invariants";
import { receiptsOf, requestsOf, sendRetirements } from "./support/registryLoad";
import { must, publicClientOf } from "./support/trading";

const LIMITS = { ratePerSec: 40, burst: 20 };
const WAVE = 15;
const WITHDRAWALS = 3;
const KILLS = 10;

describe("scenario 4: workers, oracle nodes and the relayer killed with SIGKILL in a busy run", function () {
  this.timeout(420_000);
  let platform: PlatformProcess;
  let client: PublicClient;
  let fleet: Fleet | undefined;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

  before(async () => {
    platform = await startPlatformProcess(
      { BLOCK_TIME_MS: "500", EMBEDDED_SERVICES: "none", REGISTRY_RATE_LIMIT_PER_SEC: String(LIMITS.ratePerSec), REGISTRY_BURST: String(LIMITS.burst) },
      privatePorts(process.pid + 23),
    );
    client = publicClientOf(platform);
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed" && fleet !== undefined) console.error(`chaos seed ${seed}\n${fleet.output()}`);
  });
  after(async () => {
    await fleet?.stop();
    await platform?.stop();
  });

  it("no duplicate registry operation, no lost request, custody intact", async () => {
    const batch = await demoBatch(platform);
    const batchId = BigInt(batch.batchId);
    const bridge = { address: platform.address("registryBridge"), abi: loadAbi("RegistryBridge") };
    const tag = `kills-${seed}`;
    const current = fleet = registryFleet(platform, LIMITS);
    for (const member of current.members) current.start(member.name);

    // Work in flight when the kills begin: a wave of retirements and some withdrawals to the seller's account.
    const first = await sendRetirements(client, seller, { bridge: bridge.address, batchId, amount: 10n, count: WAVE, tag: `${tag}-a` });
    await receiptsOf(client, first.hashes);
    for (let i = 0; i < WITHDRAWALS; i++) {
      const key: Hex = keccak256(toHex(`${tag}-withdraw-${i}`));
      await must(platform, seller, { ...bridge, functionName: "requestWithdrawal", args: [batchId, 20n, key, registryAccountToBytes32(SELLER_REGISTRY_ACCOUNT)] });
    }

    // The kills: each kind at least twice, then anyone; one moment where everything dies at once; a second wave of
    // retirements arrives half-way.
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const ofKind = (kind: string) => current.members.filter((m) => m.kind === kind).map((m) => m.name);
    const schedule: string[][] = [];
    for (const kind of ["worker", "oracle", "aggregator", "worker", "oracle", "aggregator"]) schedule.push([pick(ofKind(kind))]);
    while (schedule.length < KILLS - 1) schedule.push([pick(current.members.map((m) => m.name))]);
    schedule.splice(Math.floor(random() * schedule.length), 0, current.members.map((m) => m.name));
    const kills: string[] = [];
    let second: { hashes: Hex[] } | undefined;
    for (const [index, names] of schedule.entries()) {
      await new Promise((resolve) => setTimeout(resolve, 500 + random() * 2_500));
      await Promise.all(names.map((name) => current.kill(name)));
      kills.push(names.length > 1 ? "everything" : names[0]!);
      if (index === Math.floor(schedule.length / 2)) {
        second = await sendRetirements(client, seller, { bridge: bridge.address, batchId, amount: 10n, count: WAVE, tag: `${tag}-b` });
      }
      await new Promise((resolve) => setTimeout(resolve, 300 + random() * 2_000));
      for (const name of names) current.start(name);
    }
    await receiptsOf(client, second!.hashes);
    const total = 2 * WAVE + WITHDRAWALS;

    const t0 = Date.now();
    const rows = await until(
      "every request settled on chain",
      async () => {
        const all = await requestsOf(platform, seller.address);
        return all.length === total && all.every((row) => row.chain_status === "confirmed") ? all : undefined;
      },
      240_000,
      1_000,
    );
    console.log(`      seed ${seed}: kills ${kills.join(", ")}; all ${total} requests settled ${Math.round((Date.now() - t0) / 1000)} s after the last restart`);

    // One effective registry operation per request, of the right kind and size, all confirmed.
    const ids = new Set(rows.map((row) => row.request_id));
    const operations = (await simulatorState(platform)).operations.filter((operation) => ids.has(operation.memo));
    expect(operations, "registry operations for the requests").to.have.length(total);
    expect(new Set(operations.map((operation) => operation.memo)).size).to.equal(total);
    const kinds = operations.map((operation) => `${operation.kind} ${operation.quantity} ${operation.status}`).sort();
    expect(kinds).to.deep.equal([...Array(WAVE * 2).fill("RETIRE 10 CONFIRMED"), ...Array(WITHDRAWALS).fill("TRANSFER 20 CONFIRMED")].sort());

    // No job was given up on, and the index shows every burn.
    const db = new Client({ connectionString: platform.databaseUrl() });
    await db.connect();
    try {
      const dead = await db.query("SELECT key, last_error FROM jobs WHERE state = 'dead'");
      expect(dead.rows, "dead jobs").to.deep.equal([]);
    } finally {
      await db.end();
    }
    await until(
      "the indexed burns",
      async () => ((await getJson(`${platform.api}/batches/${batchId}`)).custody.retired === String(10 * 2 * WAVE) ? true : undefined),
      30_000,
    );
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
