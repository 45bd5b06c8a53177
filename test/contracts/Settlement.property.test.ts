import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  CONDITION_FIAT_PAYMENT_RECEIVED as FIAT,
  CONDITION_REGISTRY_DELIVERY as DELIVERY,
  SIDE_BUY,
  SIDE_SELL,
  splitPrice,
  type Deal,
  type Order,
} from "../../backend/src/chain/orders";
import { deployTradingFixture, type TradingFixture, FEE_BPS } from "../support/platformFixture";

/**
 * Random sequences of orders, fills, cancels, counter bumps, deals (open, attest, settle, reclaim), platform fee
 * changes (fees turned off included) and time jumps. A model predicts, before each transaction, whether it must
 * succeed and what every balance must become. After every step: the contract agreed with the prediction, every
 * party holds exactly what the model says (so nobody ends with less than it agreed to), and the sums of credit and
 * of payment balances are unchanged. Fees: no fill ever charges more than the `maxFeeBps` its maker signed (a fill
 * above it must revert), and a deal settles with the fee terms of its opening, whatever the fee is by then.
 */
type Action =
  | {
      kind: "order";
      maker: number;
      side: number;
      amount: number;
      unitPrice: number;
      minFill: number;
      ttl: number;
      maxFeeBps: number;
    }
  | { kind: "fill"; order: number; taker: number; amount: number; withinRemaining: boolean }
  | { kind: "cancel"; order: number }
  | { kind: "counter"; maker: number }
  | { kind: "time"; seconds: number }
  | { kind: "fee"; bps: number; off: boolean }
  | { kind: "openDeal"; seller: number; buyer: number; amount: number; unitPrice: number; type: number; ttl: number }
  | { kind: "attest"; deal: number }
  | { kind: "settle"; deal: number }
  | { kind: "reclaimCredits"; deal: number }
  | { kind: "reclaimPayment"; deal: number };

const idx = fc.nat({ max: 7 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      maker: fc.nat({ max: 3 }),
      side: fc.nat({ max: 1 }),
      amount: fc.integer({ min: 1, max: 20 }),
      unitPrice: fc.integer({ min: 1, max: 2_000_000 }),
      minFill: fc.nat({ max: 8 }),
      ttl: fc.integer({ min: 30, max: 3_000 }),
      maxFeeBps: fc.oneof({ weight: 3, arbitrary: fc.constant(1_000) }, { weight: 2, arbitrary: fc.nat({ max: 300 }) }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      order: idx,
      taker: fc.nat({ max: 3 }),
      amount: fc.integer({ min: 1, max: 22 }),
      withinRemaining: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), order: idx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("counter" as const), maker: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("time" as const), seconds: fc.integer({ min: 1, max: 2_500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fee" as const), bps: fc.nat({ max: 300 }), off: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("openDeal" as const),
      seller: fc.nat({ max: 3 }),
      buyer: fc.nat({ max: 3 }),
      amount: fc.integer({ min: 1, max: 20 }),
      unitPrice: fc.integer({ min: 1, max: 2_000_000 }),
      type: fc.nat({ max: 2 }),
      ttl: fc.integer({ min: 10, max: 600 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("attest" as const), deal: idx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("settle" as const), deal: idx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reclaimCredits" as const), deal: idx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reclaimPayment" as const), deal: idx }) },
);

type ModelOrder = { order: Order; signature: string; filled: bigint; closed: boolean };
type ModelDeal = {
  id: string;
  terms: Deal;
  opened: boolean;
  status: "open" | "settled" | "expired";
  /** The fee rate in force when it opened (0 for a fiat leg): what settlement charges. */
  feeBps: bigint;
  satisfied: number;
  creditsBack: boolean;
  paymentBack: boolean;
};

/** Hand-written sequences run before the random ones, so every deal path is exercised in each run. */
const DEAL_LIFECYCLES: Action[] = [
  { kind: "openDeal", seller: 0, buyer: 2, amount: 5, unitPrice: 1_234_567, type: 2, ttl: 100 },
  { kind: "openDeal", seller: 1, buyer: 3, amount: 7, unitPrice: 999, type: 1, ttl: 100 },
  { kind: "attest", deal: 0 },
  { kind: "settle", deal: 0 },
  { kind: "openDeal", seller: 3, buyer: 0, amount: 3, unitPrice: 333, type: 1, ttl: 50 },
  { kind: "openDeal", seller: 2, buyer: 1, amount: 2, unitPrice: 77, type: 0, ttl: 50 },
  { kind: "reclaimPayment", deal: 3 },
  { kind: "time", seconds: 200 },
  { kind: "reclaimCredits", deal: 3 },
  { kind: "reclaimPayment", deal: 3 },
  { kind: "reclaimPayment", deal: 3 },
  { kind: "reclaimCredits", deal: 1 },
  { kind: "settle", deal: 0 },
  { kind: "settle", deal: 1 },
  // opened at the fixture's fee, settled after fees were turned off (recipient zero), then after a raise
  { kind: "openDeal", seller: 2, buyer: 0, amount: 4, unitPrice: 50_000, type: 0, ttl: 100 },
  { kind: "openDeal", seller: 1, buyer: 3, amount: 2, unitPrice: 70_000, type: 0, ttl: 100 },
  { kind: "fee", bps: 0, off: true },
  { kind: "settle", deal: 0 },
  { kind: "fee", bps: 250, off: false },
  { kind: "settle", deal: 1 },
];
const PARTIAL_FILLS: Action[] = [
  { kind: "order", maker: 0, side: 0, amount: 10, unitPrice: 12_345, minFill: 3, ttl: 500, maxFeeBps: 120 },
  { kind: "fill", order: 0, taker: 2, amount: 2, withinRemaining: false },
  { kind: "fill", order: 0, taker: 2, amount: 4, withinRemaining: false },
  { kind: "fill", order: 0, taker: 3, amount: 5, withinRemaining: true },
  { kind: "fill", order: 0, taker: 3, amount: 6, withinRemaining: false },
  { kind: "fill", order: 0, taker: 1, amount: 1, withinRemaining: false },
  { kind: "fee", bps: 121, off: false },
  { kind: "fill", order: 0, taker: 3, amount: 3, withinRemaining: true },
  { kind: "fee", bps: 120, off: false },
  { kind: "order", maker: 3, side: 1, amount: 4, unitPrice: 9, minFill: 0, ttl: 20, maxFeeBps: 0 },
  { kind: "fill", order: 0, taker: 0, amount: 1, withinRemaining: false },
  { kind: "counter", maker: 3 },
  { kind: "fill", order: 0, taker: 0, amount: 1, withinRemaining: false },
];

const succeeded = new Map<string, number>();
const attempted = new Map<string, number>();

describe("Settlement: property (fast-check)", function () {
  it("random trading keeps both sums constant and every party at exactly what it agreed to", async function () {
    this.timeout(600_000);
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 6, maxLength: 18 }), async (actions) => {
        const f = await loadFixture(deployTradingFixture); // reverts to the fixture's snapshot every run
        await runScenario(f, actions);
      }),
      // 50 runs: the coverage floors below must hold for any seed (25 runs gave 12-19 fills, once 10)
      { numRuns: 50, examples: [[DEAL_LIFECYCLES], [PARTIAL_FILLS]] },
    );
    // the generator must actually exercise the paths, not only produce reverts
    expect(succeeded.get("fill") ?? 0, JSON.stringify([...succeeded])).to.be.greaterThan(10);
    expect(attempted.get("fill") ?? 0).to.be.greaterThan(succeeded.get("fill") ?? 0);
    expect(succeeded.get("openDeal") ?? 0).to.be.greaterThan(3);
    expect((succeeded.get("reclaimCredits") ?? 0) + (succeeded.get("reclaimPayment") ?? 0)).to.be.greaterThan(0);
    console.log(`      succeeded/attempted: ${[...attempted].map(([k, v]) => `${k} ${succeeded.get(k) ?? 0}/${v}`).join(", ")}`);
  });
});

async function runScenario(f: TradingFixture, actions: Action[]): Promise<void> {
  const { settlement, creditToken, usd, batchId } = f;
  const traders: HardhatEthersSigner[] = [f.seller, f.seller2, f.buyer, f.buyer2];
  const settlementAddress = await settlement.getAddress();
  const bridgeAddress = await f.registryBridge.getAddress();
  const accounts = [...traders.map((t) => t.address), f.feeRecipient.address, settlementAddress, bridgeAddress];
  const credits = new Map<string, bigint>();
  const cash = new Map<string, bigint>();
  for (const a of accounts) {
    credits.set(a, await creditToken.balanceOf(a, batchId));
    cash.set(a, await usd.balanceOf(a));
  }
  const sum = (m: Map<string, bigint>) => [...m.values()].reduce((x, y) => x + y, 0n);
  const creditSum = sum(credits);
  const cashSum = sum(cash);
  const move = (m: Map<string, bigint>, from: string, to: string, v: bigint) => {
    m.set(from, (m.get(from) ?? 0n) - v);
    m.set(to, (m.get(to) ?? 0n) + v);
  };
  const counters = [0n, 0n, 0n, 0n];
  const orders: ModelOrder[] = [];
  const deals: ModelDeal[] = [];
  let now = BigInt(await time.latest());
  let salt = 1n;
  let feeBps = BigInt(FEE_BPS);

  /** Sends `send()` in the next block at a known timestamp and checks it succeeded exactly when expected. */
  async function step(expectOk: boolean, send: () => Promise<unknown>, what: string): Promise<void> {
    await time.setNextBlockTimestamp(now + 1n);
    let ok = true;
    let error: unknown;
    try {
      await send();
    } catch (e) {
      ok = false;
      error = e;
    }
    // a reverted call may or may not have been mined (estimateGas fails first): re-read the chain's clock
    now = BigInt(await time.latest());
    attempted.set(what, (attempted.get(what) ?? 0) + 1);
    if (ok) succeeded.set(what, (succeeded.get(what) ?? 0) + 1);
    expect(
      ok,
      `${what}: expected ${expectOk ? "success" : "revert"}${error ? ` (${String(error).slice(0, 200)})` : ""}`,
    ).to.equal(expectOk);
  }

  for (const a of actions) {
    switch (a.kind) {
      case "order": {
        const maker = traders[a.maker]!;
        const order: Order = {
          side: a.side === 0 ? SIDE_SELL : SIDE_BUY,
          maker: maker.address as `0x${string}`,
          taker: ethers.ZeroAddress as `0x${string}`,
          batchId,
          amount: BigInt(a.amount),
          unitPrice: BigInt(a.unitPrice),
          paymentToken: (await usd.getAddress()) as `0x${string}`,
          maxFeeBps: a.maxFeeBps,
          minFill: BigInt(Math.min(a.minFill, a.amount)),
          expiry: now + BigInt(a.ttl),
          salt: salt++,
          counter: counters[a.maker]!,
        };
        orders.push({ order, signature: await f.sign(order, maker), filled: 0n, closed: false });
        break;
      }
      case "fill": {
        const o = orders[orders.length - 1 - (a.order % Math.max(orders.length, 1))]; // recent orders more often
        if (o === undefined) break;
        const taker = traders[a.taker]!;
        if (taker.address === o.order.maker) break;
        const makerIndex = traders.findIndex((t) => t.address === o.order.maker);
        const remaining = o.order.amount - o.filled;
        // half the fills aim inside what is left (to reach exhaustion), the other half anywhere (overfills)
        const amount = a.withinRemaining && remaining > 0n ? 1n + (BigInt(a.amount) % remaining) : BigInt(a.amount);
        const valid =
          now + 1n < o.order.expiry &&
          !o.closed &&
          o.order.counter === counters[makerIndex] &&
          amount <= remaining &&
          (amount >= o.order.minFill || amount === remaining) &&
          feeBps <= BigInt(o.order.maxFeeBps);
        await step(
          valid,
          () =>
            settlement
              .connect(taker)
              .fill(o.order, amount, o.signature)
              .then((t) => t.wait()),
          "fill",
        );
        if (valid) {
          const [seller, buyer] = o.order.side === SIDE_SELL ? [o.order.maker, taker.address] : [taker.address, o.order.maker];
          const { fee, sellerProceeds } = splitPrice(amount, o.order.unitPrice, feeBps);
          const cap = splitPrice(amount, o.order.unitPrice, BigInt(o.order.maxFeeBps));
          expect(fee <= cap.fee && sellerProceeds >= cap.sellerProceeds, "fee above the signed cap").to.equal(true);
          move(credits, seller, buyer, amount);
          move(cash, buyer, seller, sellerProceeds);
          move(cash, buyer, f.feeRecipient.address, fee);
          o.filled += amount;
          if (o.filled === o.order.amount) o.closed = true;
          expect(o.filled <= o.order.amount, "overfill").to.equal(true);
        }
        break;
      }
      case "cancel": {
        const o = orders[a.order % Math.max(orders.length, 1)];
        if (o === undefined) break;
        const maker = traders.find((t) => t.address === o.order.maker)!;
        await step(
          true,
          () =>
            settlement
              .connect(maker)
              .cancel(o.order)
              .then((t) => t.wait()),
          "cancel",
        );
        o.closed = true;
        break;
      }
      case "counter": {
        await step(
          true,
          () =>
            settlement
              .connect(traders[a.maker]!)
              .incrementCounter()
              .then((t) => t.wait()),
          "counter",
        );
        counters[a.maker]! += 1n;
        break;
      }
      case "time": {
        await time.setNextBlockTimestamp(now + BigInt(a.seconds));
        await ethers.provider.send("evm_mine", []);
        now = BigInt(await time.latest());
        break;
      }
      case "fee": {
        const [recipient, bps] = a.off ? [ethers.ZeroAddress, 0] : [f.feeRecipient.address, a.bps];
        await step(
          true,
          () =>
            settlement
              .connect(f.admin)
              .setFee(recipient, bps)
              .then((t) => t.wait()),
          "fee",
        );
        feeBps = BigInt(bps);
        break;
      }
      case "openDeal": {
        if (a.seller === a.buyer) break;
        const seller = traders[a.seller]!;
        const buyer = traders[a.buyer]!;
        const fiat = a.type === 1;
        const terms: Deal = {
          seller: seller.address as `0x${string}`,
          buyer: buyer.address as `0x${string}`,
          batchId,
          amount: BigInt(a.amount),
          unitPrice: BigInt(a.unitPrice),
          paymentToken: (fiat ? ethers.ZeroAddress : await usd.getAddress()) as `0x${string}`,
          conditions: BigInt(a.type === 0 ? 0 : a.type === 1 ? FIAT : DELIVERY),
          buyerRegistryAccount: (a.type === 2 ? ethers.id("acct") : ethers.ZeroHash) as `0x${string}`,
          deadline: now + BigInt(a.ttl),
          salt: salt++,
        };
        const id = await settlement.hashDeal(terms);
        const sigs = [await f.signDeal(terms, seller), await f.signDeal(terms, buyer)] as const;
        await step(true, () => settlement.openDeal(terms, ...sigs).then((t) => t.wait()), "openDeal");
        move(credits, seller.address, settlementAddress, terms.amount);
        if (!fiat) move(cash, buyer.address, settlementAddress, terms.amount * terms.unitPrice);
        const dealFee = fiat ? 0n : feeBps;
        deals.push({
          id,
          terms,
          opened: true,
          status: "open",
          feeBps: dealFee,
          satisfied: 0,
          creditsBack: false,
          paymentBack: false,
        });
        break;
      }
      case "attest": {
        const d = deals[deals.length - 1 - (a.deal % Math.max(deals.length, 1))];
        if (d === undefined) break;
        const evidence = ethers.id(`fiat-${d.id}`);
        const valid = d.status === "open" && d.terms.conditions === BigInt(FIAT) && d.satisfied === 0;
        const sigs = await f.attest(d.id, FIAT, evidence);
        await step(valid, () => settlement.attestDealCondition(d.id, FIAT, evidence, sigs).then((t) => t.wait()), "attest");
        if (valid) d.satisfied = FIAT;
        break;
      }
      case "settle": {
        const d = deals[deals.length - 1 - (a.deal % Math.max(deals.length, 1))];
        if (d === undefined) break;
        const valid = d.status === "open" && BigInt(d.satisfied) === d.terms.conditions;
        await step(valid, () => settlement.settleDeal(d.id).then((t) => t.wait()), "settle");
        if (valid) {
          d.status = "settled";
          move(credits, settlementAddress, d.terms.buyer, d.terms.amount);
          if (d.terms.paymentToken !== ethers.ZeroAddress) {
            const { fee, sellerProceeds } = splitPrice(d.terms.amount, d.terms.unitPrice, d.feeBps);
            move(cash, settlementAddress, d.terms.seller, sellerProceeds);
            move(cash, settlementAddress, f.feeRecipient.address, fee);
          }
        }
        break;
      }
      case "reclaimCredits":
      case "reclaimPayment": {
        const d = deals[deals.length - 1 - (a.deal % Math.max(deals.length, 1))];
        if (d === undefined) break;
        const credit = a.kind === "reclaimCredits";
        const pastDeadline = now + 1n >= d.terms.deadline;
        const canSettle = BigInt(d.satisfied) === d.terms.conditions;
        const valid =
          pastDeadline &&
          d.status !== "settled" &&
          !canSettle &&
          (credit ? !d.creditsBack && d.satisfied === 0 : !d.paymentBack && d.terms.paymentToken !== ethers.ZeroAddress);
        await step(
          valid,
          () => (credit ? settlement.reclaimCredits(d.id) : settlement.reclaimPayment(d.id)).then((t) => t.wait()),
          a.kind,
        );
        if (valid) {
          d.status = "expired";
          if (credit) {
            d.creditsBack = true;
            move(credits, settlementAddress, d.terms.seller, d.terms.amount);
          } else {
            d.paymentBack = true;
            move(cash, settlementAddress, d.terms.buyer, d.terms.amount * d.terms.unitPrice);
          }
        }
        break;
      }
    }
    for (const acct of accounts) {
      expect(await creditToken.balanceOf(acct, batchId), `credits of ${acct}`).to.equal(credits.get(acct));
      expect(await usd.balanceOf(acct), `payment of ${acct}`).to.equal(cash.get(acct));
    }
    expect(sum(credits)).to.equal(creditSum);
    expect(sum(cash)).to.equal(cashSum);
    expect(await creditToken.totalSupply(batchId)).to.equal(creditSum);
  }
}
