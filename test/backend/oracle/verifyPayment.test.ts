import { expect } from "chai";
import { type Address, type Hex, encodeAbiParameters, keccak256, toHex, zeroAddress, zeroHash } from "viem";
import { CONDITION_FIAT_PAYMENT_RECEIVED, CONDITION_REGISTRY_DELIVERY } from "../../../backend/src/chain/orders";
import type { ChainReader, OnChainDeal } from "../../../backend/src/chain/reader";
import { verifyFiatPayment } from "../../../backend/src/oracle/verify";
import { type PaymentCredit, type PaymentPort, paidBy, paymentEvidenceOf } from "../../../backend/src/payments";

/**
 * FIAT_PAYMENT_RECEIVED with small fakes: a deal as the chain would return it, and a statement of credits. The
 * bank simulator and the adapter are tested over HTTP in test/backend/simulators/bank.test.ts.
 */
const DEAL_ID = keccak256(toHex("fiat-deal")) as Hex;
const DEADLINE = 1_800_000_000n;
const before = (seconds: number) => new Date((Number(DEADLINE) - seconds) * 1000);
const PRICE = 125_000n; // 100 units at $12.50

function openFiatDeal(overrides: Partial<OnChainDeal> = {}): OnChainDeal {
  return {
    status: 1,
    conditions: CONDITION_FIAT_PAYMENT_RECEIVED | CONDITION_REGISTRY_DELIVERY,
    satisfied: 0,
    amount: 100n,
    batchId: 7n,
    paymentToken: zeroAddress,
    price: PRICE,
    deadline: DEADLINE,
    buyerRegistryAccount: zeroHash,
    deliveryRequestId: zeroHash,
    ...overrides,
  };
}

let ids = 0;
function credit(amountMinor: bigint, bookedAt: Date, currency = "USD"): PaymentCredit {
  return { transactionId: `TX-${++ids}`, reference: DEAL_ID, amountMinor, currency, payer: "Buyer Ltd", bookedAt };
}

function deps(deal: OnChainDeal, credits: PaymentCredit[], chainNow = DEADLINE - 3600n) {
  const asked: string[] = [];
  const payments: PaymentPort = {
    findCredits: async (reference) => {
      asked.push(reference);
      return credits.filter((c) => c.reference === reference);
    },
  };
  const chain = { deal: async () => deal, latestTimestamp: async () => chainNow } as unknown as ChainReader;
  return { deps: { payments, currency: "USD", chain }, asked };
}

describe("oracle: FIAT_PAYMENT_RECEIVED from the bank statement", () => {
  it("credits with the deal id as reference reaching the price give DealConditionAttested(1) with the hash of their " +
    "ids", async () => {
    const paid = [credit(100_000n, before(600)), credit(25_000n, before(300))];
    const { deps: d, asked } = deps(openFiatDeal(), paid);
    expect(await verifyFiatPayment(d, { dealId: DEAL_ID })).to.deep.equal({
      kind: "DealConditionAttested",
      subject: `${DEAL_ID}:${CONDITION_FIAT_PAYMENT_RECEIVED}`,
      message: {
        dealId: DEAL_ID,
        condition: CONDITION_FIAT_PAYMENT_RECEIVED,
        evidence: paymentEvidenceOf([paid[0]!.transactionId, paid[1]!.transactionId]),
      },
    });
    expect(asked).to.deep.equal([DEAL_ID]);
  });

  it("a partial payment signs nothing and says how much arrived", async () => {
    const { deps: d } = deps(openFiatDeal(), [credit(124_999n, before(60))]);
    expect(await verifyFiatPayment(d, { dealId: DEAL_ID })).to.deep.equal({
      wait: "bank shows 124999 of 125000 minor units of USD booked before the deadline",
    });
  });

  it("credits in another currency or booked at or after the deadline do not count", async () => {
    const statement = [
      credit(125_000n, before(60), "EUR"),
      credit(100_000n, before(60)),
      credit(25_000n, before(0)),
      credit(999_999n, before(-60)),
    ];
    const { deps: d } = deps(openFiatDeal(), statement);
    expect(await verifyFiatPayment(d, { dealId: DEAL_ID })).to.have.property("wait").that.contains("100000 of 125000");
  });

  it("signs nothing for a deal that is not open with its fiat condition pending (settled, reclaimed, on-chain payment, " +
    "confirmed)", async () => {
    const paid = [credit(PRICE, before(60))];
    const cases: Array<Partial<OnChainDeal>> = [
      { status: 2 },
      { status: 3 },
      { status: 4 },
      { paymentToken: "0x00000000000000000000000000000000000000aa" as Address, conditions: CONDITION_REGISTRY_DELIVERY },
      { satisfied: CONDITION_FIAT_PAYMENT_RECEIVED },
    ];
    for (const overrides of cases) {
      const { deps: d, asked } = deps(openFiatDeal(overrides), paid);
      expect(await verifyFiatPayment(d, { dealId: DEAL_ID }), JSON.stringify(overrides)).to.deep.equal({
        wait: "deal is not waiting for its fiat payment",
      });
      expect(asked, "the bank is not asked").to.deep.equal([]);
    }
  });

  it("signs nothing once the chain has passed the deadline, even for money booked in time", async () => {
    const paid = [credit(PRICE, before(600))];
    const { deps: d, asked } = deps(openFiatDeal(), paid, DEADLINE);
    expect(await verifyFiatPayment(d, { dealId: DEAL_ID })).to.deep.equal({ wait: "deal deadline has passed on chain" });
    expect(asked).to.deep.equal([]);
    expect(await verifyFiatPayment(deps(openFiatDeal(), paid, DEADLINE - 1n).deps, { dealId: DEAL_ID })).to.have.property(
      "kind",
      "DealConditionAttested",
    );
  });

  it("every node signs the same evidence whenever it looks: later credits (an over-payment) do not change the paying " +
    "set", async () => {
    const first = credit(PRICE, before(600));
    const early = await verifyFiatPayment(deps(openFiatDeal(), [first]).deps, { dealId: DEAL_ID });
    const late = await verifyFiatPayment(deps(openFiatDeal(), [credit(10n, before(30)), first]).deps, { dealId: DEAL_ID });
    expect(late).to.deep.equal(early);
  });
});

describe("payments: paidBy and paymentEvidenceOf", () => {
  it("takes the shortest booking-order prefix reaching the price, ties broken by transaction id", () => {
    const at = before(100);
    const b: PaymentCredit = {
      transactionId: "TX-B",
      reference: DEAL_ID,
      amountMinor: 60n,
      currency: "USD",
      payer: "",
      bookedAt: at,
    };
    const a: PaymentCredit = { ...b, transactionId: "TX-A" };
    const c: PaymentCredit = { ...b, transactionId: "TX-C", bookedAt: before(200) };
    const result = paidBy({ credits: [b, a, c], currency: "USD", price: 100n, bookedBefore: new Date(Number(DEADLINE) * 1000) });
    expect(result).to.deep.equal({ paid: true, credits: [c, a], total: 120n });
  });

  it("the evidence is keccak256(abi.encode(string[])) of the ids, order-sensitive", () => {
    expect(paymentEvidenceOf(["TX-1"])).to.equal(keccak256(encodeAbiParameters([{ type: "string[]" }], [["TX-1"]])));
    expect(paymentEvidenceOf(["TX-1", "TX-2"])).to.not.equal(paymentEvidenceOf(["TX-2", "TX-1"]));
    expect(paymentEvidenceOf(["TX-1", "TX-2"])).to.not.equal(paymentEvidenceOf(["TX-1TX-2"]));
  });
});
