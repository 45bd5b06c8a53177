import { expect } from "chai";
import type { Hex } from "viem";
import { type DealKeeper, createDealKeeper } from "../../../backend/src/deals/keeper";
import { RelayerRevertError } from "../../../backend/src/relayer";
import type { RelayerCall, RelayerReceipt } from "../../../backend/src/relayer";
import { insertBatch, randomHash } from "../api/helpers";
import { testContext } from "../../support/context";
import { type TestDatabase, createTestDatabase } from "../../support/database";

const SETTLEMENT = "0x5e771e0000000000000000000000000000000001" as const;
const FIAT = "FIAT_PAYMENT_RECEIVED";
const DELIVERY = "REGISTRY_DELIVERY";

type DealRow = {
  conditions: string[];
  satisfied: string[];
  status?: string;
  deliveryStarted?: boolean;
  deadlineInSeconds?: number;
};

/**
 * The keeper's choice of deals over the indexer's real `deals` projection; the relayer is a recording fake (the
 * transactions themselves are proven on a running platform by scenario 7, `test/scenarios/escrow-fiat.test.ts`).
 */
describe("deal keeper: startDelivery and settleDeal for deals whose conditions hold", () => {
  let db: TestDatabase;
  const batchId = "77";
  let calls: Array<{ functionName: string; dealId: Hex }>;
  /** What the fake relayer answers for a deal id (default: mined). */
  let answer: (dealId: Hex) => Error | undefined;
  const relayer = {
    async send(call: RelayerCall): Promise<RelayerReceipt> {
      const dealId = call.args?.[0] as Hex;
      calls.push({ functionName: call.functionName, dealId });
      const error = answer(dealId);
      if (error !== undefined) throw error;
      return { hash: randomHash(), nonce: calls.length, replacements: 0 } as unknown as RelayerReceipt;
    },
  };
  const keeper = (retryAfterMs = 60_000): DealKeeper =>
    createDealKeeper(testContext(db), { relayer, settlement: SETTLEMENT, retryAfterMs });

  async function deal(row: DealRow): Promise<Hex> {
    const id = randomHash();
    await db.pool.query(
      `INSERT INTO deals (deal_id, seller, buyer, batch_id, amount, payment_token, payment_amount, conditions,
         conditions_satisfied, delivery_request_id, deadline, status)
       VALUES ($1, $2, $3, $4, 10, NULL, 1000, $5::jsonb, $6::jsonb, $7, now() + make_interval(secs => $8), $9)`,
      [
        id,
        `0x${"aa".repeat(20)}`,
        `0x${"bb".repeat(20)}`,
        batchId,
        JSON.stringify(row.conditions),
        JSON.stringify(row.satisfied),
        row.deliveryStarted === true ? randomHash() : null,
        row.deadlineInSeconds ?? 3_600,
        row.status ?? "open",
      ],
    );
    return id;
  }

  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await insertBatch(db.pool, batchId);
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await db.pool.query("DELETE FROM deals");
    calls = [];
    answer = () => undefined;
  });

  it("starts the delivery once every other condition holds, settles once all hold, and leaves the rest alone", async () => {
    const paid = await deal({ conditions: [FIAT, DELIVERY], satisfied: [FIAT] });
    const unpaid = await deal({ conditions: [FIAT, DELIVERY], satisfied: [] });
    const delivering = await deal({ conditions: [FIAT, DELIVERY], satisfied: [FIAT], deliveryStarted: true });
    const delivered = await deal({ conditions: [FIAT, DELIVERY], satisfied: [FIAT, DELIVERY], deliveryStarted: true });
    const fiatOnly = await deal({ conditions: [FIAT], satisfied: [FIAT] });
    const onChainDelivery = await deal({ conditions: [DELIVERY], satisfied: [] });
    // On-chain payment past the deadline: Settlement refuses the delivery (the buyer may reclaim the payment).
    await deal({ conditions: [DELIVERY], satisfied: [], deadlineInSeconds: -60 });
    // A fiat-paid deal may still deliver after the deadline: the credits are the buyer's.
    const paidLate = await deal({ conditions: [FIAT, DELIVERY], satisfied: [FIAT], deadlineInSeconds: -60 });
    await deal({ conditions: [FIAT], satisfied: [FIAT], status: "settled" });
    await deal({ conditions: [FIAT, DELIVERY], satisfied: [FIAT], status: "reclaimed" });

    const pass = await keeper().runOnce();

    const sorted = (list: Array<{ functionName: string; dealId: Hex }>) =>
      [...list].sort((a, b) => `${a.functionName}${a.dealId}`.localeCompare(`${b.functionName}${b.dealId}`));
    expect(sorted(calls)).to.deep.equal(
      sorted([
        { functionName: "startDelivery", dealId: paid },
        { functionName: "startDelivery", dealId: onChainDelivery },
        { functionName: "startDelivery", dealId: paidLate },
        { functionName: "settleDeal", dealId: delivered },
        { functionName: "settleDeal", dealId: fiatOnly },
      ]),
    );
    expect(pass.sent.map((s) => s.action).sort()).to.deep.equal(["deliver", "deliver", "deliver", "settle", "settle"]);
    expect(pass).to.include({ alreadyDone: 0, failed: 0 });
    expect(calls.map((c) => c.dealId)).to.not.include.members([unpaid, delivering]);
  });

  it("a deal the chain has moved on (SettlementDealWrongStatus at estimation) counts as done; any other failure rests " +
    "the deal", async () => {
    const movedOn = await deal({ conditions: [FIAT], satisfied: [FIAT] });
    const failing = await deal({ conditions: [FIAT], satisfied: [FIAT] });
    answer = (dealId) =>
      dealId === movedOn
        ? new RelayerRevertError({ errorName: "SettlementDealWrongStatus" })
        : new RelayerRevertError({ errorName: "SettlementConditionsMissing" });
    const k = keeper(300);

    expect(await k.runOnce()).to.deep.include({ sent: [], alreadyDone: 1, failed: 1 });
    // Next pass: the moved-on deal is asked again (the index will drop it), the failing one rests.
    calls = [];
    expect(await k.runOnce()).to.deep.include({ alreadyDone: 1, failed: 0 });
    expect(calls.map((c) => c.dealId)).to.deep.equal([movedOn]);

    // After its rest it is tried again; once the chain takes it, it is sent.
    await new Promise((resolve) => setTimeout(resolve, 350));
    answer = () => undefined;
    calls = [];
    const pass = await k.runOnce();
    expect(pass.sent.map((s) => s.dealId).sort()).to.deep.equal([movedOn, failing].sort());
  });

  it("a resting deal is not read at all, so it starves no deal behind it (batch size 1)", async () => {
    const stuck = await deal({ conditions: [FIAT], satisfied: [FIAT] });
    const next = await deal({ conditions: [FIAT], satisfied: [FIAT] });
    answer = (dealId) => (dealId === stuck ? new RelayerRevertError({ errorName: "SettlementConditionsMissing" }) : undefined);
    const k = createDealKeeper(testContext(db), { relayer, settlement: SETTLEMENT, batchSize: 1 });
    expect(await k.runOnce()).to.deep.include({ sent: [], failed: 1 });
    const pass = await k.runOnce();
    expect(pass.sent.map((s) => s.dealId)).to.deep.equal([next]);
    expect(calls.map((c) => c.dealId)).to.deep.equal([stuck, next]);
  });

  it("a mined transaction that reverted is a failure, not 'already done' (it cost gas; the deal rests)", async () => {
    const id = await deal({ conditions: [FIAT], satisfied: [FIAT] });
    answer = () => new RelayerRevertError({ errorName: "SettlementDealWrongStatus", txHash: randomHash() });
    const k = keeper();
    expect(await k.runOnce()).to.deep.include({ alreadyDone: 0, failed: 1 });
    calls = [];
    await k.runOnce();
    expect(calls, `deal ${id} rests`).to.deep.equal([]);
  });
});
