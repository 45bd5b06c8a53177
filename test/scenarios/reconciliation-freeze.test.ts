/**
 * Scenario 5 (ISSUE 7): the registry puts the demo batch's custody block on hold, and separately retires units of
 * a second batch outside the platform. Reconciliation (every second here) finds a `status_mismatch` and a
 * `ghost_credit`, freezes both batches on CreditToken with the agent key, fills in them revert with
 * `CreditTokenBatchFrozen`, and the API shows the discrepancies and the frozen flag.
 */
import { expect } from "chai";
import { FREEZE_REASON } from "../../backend/src/reconciliation/freezer";
import { PLATFORM_CUSTODY_ACCOUNT } from "../../backend/src/platform/demo";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until } from "../backend/support/platformProcess";
import { AT_REST, checkInvariants, simulatorState } from "./support/invariants";
import {
  DEMO_SERIAL,
  SECOND_SERIAL,
  batchFrozenLogs,
  batchIdOfSerial,
  depositSecondBatch,
  fillRevertName,
  isBatchFrozen,
  operatorGet,
  verraAdapter,
  verraAdmin,
} from "./support/registry-faults";

type Discrepancy = { class: string; batchId: string | null; details: Record<string, unknown>; resolvedAt: string | null };

describe("scenario 5: a registry hold and an outside retirement freeze their batches", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const buyer = devAccount(DEV_ACCOUNT_INDEX.buyer);
  const demoBatch = batchIdOfSerial(DEMO_SERIAL);
  let secondBatch: bigint;

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500", RECONCILE_INTERVAL_MS: "1000" }, privatePorts(process.pid + 301));
    await until("the demo batch", async () => (await getJson(`${platform.api}/batches/${demoBatch}`)).batchId, 60_000);
    secondBatch = await depositSecondBatch(platform, seller).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- platform output (tail) ---\n${platform.output().slice(-6000)}`);
    });
  });
  after(async () => {
    await platform?.stop();
  });

  const discrepancies = async (batchId: bigint, cls: string): Promise<Discrepancy[]> =>
    (await operatorGet(platform, `/reconciliation/discrepancies?batchId=${batchId}&class=${cls}&limit=50`)).items as Discrepancy[];

  it("both batches trade before anything happens at the registry", async () => {
    expect(await isBatchFrozen(platform, demoBatch)).to.equal(false);
    expect(await isBatchFrozen(platform, secondBatch)).to.equal(false);
    expect(await fillRevertName(platform, seller, buyer, demoBatch, 10n)).to.equal(undefined);
    expect(await fillRevertName(platform, seller, buyer, secondBatch, 10n)).to.equal(undefined);
  });

  it("a hold on the custody block: status_mismatch in the API, the batch frozen on chain and in the API, a fill reverts", async () => {
    const state = await simulatorState(platform);
    const block = state.blocks.find((candidate) => candidate.serial === DEMO_SERIAL && candidate.account === PLATFORM_CUSTODY_ACCOUNT);
    expect(block, "the demo custody block").to.not.equal(undefined);
    await verraAdmin(platform, `blocks/${block!.id}/hold`);

    await until("the demo batch frozen on CreditToken", async () => ((await isBatchFrozen(platform, demoBatch)) ? true : undefined), 60_000);
    // Frozen by the reconciler with the agent key (#0), for the status change (FREEZE_REASON.status_mismatch).
    expect(await batchFrozenLogs(platform, demoBatch)).to.deep.equal([{ reasonCode: FREEZE_REASON.status_mismatch, agent: devAccount(DEV_ACCOUNT_INDEX.deployer).address }]);
    const found = await until("a status_mismatch discrepancy", async () => (await discrepancies(demoBatch, "status_mismatch"))[0], 30_000);
    expect(found.batchId).to.equal(demoBatch.toString());
    expect(await fillRevertName(platform, seller, buyer, demoBatch, 10n)).to.equal("CreditTokenBatchFrozen");
    const view = await until(
      "the frozen flag in the API",
      async () => {
        const batch = await getJson(`${platform.api}/batches/${demoBatch}`);
        return batch.frozen === true ? batch : undefined;
      },
      30_000,
    );
    expect(view.availability.reasons.join(" ")).to.match(/frozen/i);
    // The other batch is untouched by the hold.
    expect(await isBatchFrozen(platform, secondBatch)).to.equal(false);
    expect(await discrepancies(secondBatch, "status_mismatch")).to.deep.equal([]);
  });

  it("an outside retirement of custody units: ghost_credit in the API, the second batch frozen, a fill reverts", async () => {
    const verra = verraAdapter(platform);
    const state = await simulatorState(platform);
    const block = state.blocks.find((candidate) => candidate.serial === SECOND_SERIAL && candidate.account === PLATFORM_CUSTODY_ACCOUNT);
    expect(block, "the second batch's custody block").to.not.equal(undefined);
    const memo = `outside-${Date.now()}`;
    const operation = await verra.retire({ account: PLATFORM_CUSTODY_ACCOUNT, recordId: block!.id, quantity: 1000n, memo, beneficiary: "Outside buyer", reason: "retired at the registry directly" });
    expect(operation.status).to.equal("CONFIRMED");

    await until("the second batch frozen on CreditToken", async () => ((await isBatchFrozen(platform, secondBatch)) ? true : undefined), 60_000);
    expect(await batchFrozenLogs(platform, secondBatch)).to.deep.equal([{ reasonCode: FREEZE_REASON.ghost_credit, agent: devAccount(DEV_ACCOUNT_INDEX.deployer).address }]);
    const ghost = await until("a ghost_credit discrepancy", async () => (await discrepancies(secondBatch, "ghost_credit"))[0], 30_000);
    expect(ghost.details).to.include({ outsideRetirement: true });
    expect(await fillRevertName(platform, seller, buyer, secondBatch, 10n)).to.equal("CreditTokenBatchFrozen");
    await until("the second batch's frozen flag in the API", async () => ((await getJson(`${platform.api}/batches/${secondBatch}`)).frozen === true ? true : undefined), 30_000);
  });

  it("once the hold is released only the outside retirement remains: exactly its 1,000-unit custody gap, nothing else", async () => {
    const state = await simulatorState(platform);
    const held = state.blocks.find((candidate) => candidate.serial === DEMO_SERIAL && candidate.account === PLATFORM_CUSTODY_ACCOUNT);
    await verraAdmin(platform, `blocks/${held!.id}/release`);
    // The next reconciliation runs no longer find the hold: the status_mismatch is resolved.
    await until(
      "the status_mismatch resolved",
      async () => ((await operatorGet(platform, `/reconciliation/discrepancies?batchId=${demoBatch}&class=status_mismatch&open=true`)).items.length === 0 ? true : undefined),
      60_000,
      500,
    );
    // A freeze is lifted by an agent, never automatically: the demo batch stays frozen.
    expect(await isBatchFrozen(platform, demoBatch)).to.equal(true);
    const report = await checkInvariants(platform);
    expect(report).to.deep.equal({ ...AT_REST, custodyGaps: [{ batchId: secondBatch.toString(), supply: "5000", custody: "4000" }] });
  });
});

