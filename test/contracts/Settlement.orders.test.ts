import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { mnemonicToAccount } from "viem/accounts";
import type { Address, Hex } from "viem";
import {
  CONDITION_FIAT_PAYMENT_RECEIVED,
  CONDITION_REGISTRY_DELIVERY,
  SIDE_BUY,
  buildDeal,
  buildOrder,
  hashDeal,
  hashDealCondition,
  hashOrder,
  settlementDomain,
  signDeal,
  signOrder,
} from "../../backend/src/chain/orders";
import { ValidationError } from "../../backend/src/errors";
import { MNEMONIC, FEE_BPS, UNIT_PRICE } from "../support/platformFixture";
import { deployTradingFixture, type TradingFixture } from "../support/platformFixture";

/** backend/src/chain/orders.ts against the contract: same digests, and its signatures settle on-chain. */
describe("Settlement: orders.ts (viem) mirrors the EIP-712 types", function () {
  let f: TradingFixture;
  let domain: ReturnType<typeof settlementDomain>;
  // the fixture's seller and buyer are Hardhat accounts 10 and 12 of the default mnemonic
  const sellerAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 10 });
  const buyerAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 12 });

  beforeEach(async function () {
    f = await loadFixture(deployTradingFixture);
    domain = settlementDomain({ chainId: f.chainId, verifyingContract: (await f.settlement.getAddress()) as Address });
    expect(sellerAccount.address).to.equal(f.seller.address);
    expect(buyerAccount.address).to.equal(f.buyer.address);
  });

  it("hashOrder equals the contract's hashOrder for sell orders and bids", async function () {
    for (const [i, side] of [0, SIDE_BUY, 0, SIDE_BUY].entries()) {
      const order = buildOrder({
        side,
        maker: f.seller.address as Address,
        taker: i % 2 === 0 ? (f.buyer.address as Address) : undefined,
        batchId: f.batchId,
        amount: 1_000n + BigInt(i),
        unitPrice: 12_345_678n * BigInt(i + 1),
        paymentToken: (await f.usd.getAddress()) as Address,
        maxFeeBps: [0, 1, 999, 10_000][i] ?? 0,
        minFill: BigInt(i),
        expiry: 2_000_000_000n + BigInt(i),
        counter: BigInt(i),
      });
      expect(hashOrder({ domain, order })).to.equal(await f.settlement.hashOrder(order));
    }
  });

  it("hashDeal and hashDealCondition equal the contract's views", async function () {
    const deal = buildDeal({
      seller: f.seller.address as Address,
      buyer: f.buyer.address as Address,
      batchId: f.batchId,
      amount: 77n,
      unitPrice: 9_990_000n,
      paymentToken: "0x0000000000000000000000000000000000000000",
      conditions: BigInt(CONDITION_FIAT_PAYMENT_RECEIVED | CONDITION_REGISTRY_DELIVERY),
      buyerRegistryAccount: `0x${"ab".repeat(32)}` as Hex,
      deadline: 2_000_000_000n,
    });
    const dealId = hashDeal({ domain, deal });
    expect(dealId).to.equal(await f.settlement.hashDeal(deal));
    const attestation = { dealId, condition: CONDITION_REGISTRY_DELIVERY, evidence: `0x${"cd".repeat(32)}` as Hex };
    expect(hashDealCondition({ domain, attestation })).to.equal(
      await f.settlement.hashDealConditionAttestation(dealId, CONDITION_REGISTRY_DELIVERY, attestation.evidence),
    );
  });

  it("an order signed with viem fills on-chain; a deal signed with viem opens", async function () {
    const now = BigInt((await f.settlement.runner!.provider!.getBlock("latest"))!.timestamp);
    const order = buildOrder({
      maker: sellerAccount.address,
      batchId: f.batchId,
      amount: 5n,
      unitPrice: UNIT_PRICE,
      paymentToken: (await f.usd.getAddress()) as Address,
      maxFeeBps: FEE_BPS,
      expiry: now + 600n,
      salt: 1n,
      counter: await f.settlement.counterOf(sellerAccount.address),
    });
    const signature = await signOrder({ signer: sellerAccount, domain, order });
    await expect(f.settlement.connect(f.buyer).fill(order, 5n, signature))
      .to.emit(f.settlement, "OrderFilled")
      .withArgs(
        hashOrder({ domain, order }),
        f.seller.address,
        f.buyer.address,
        f.batchId,
        5n,
        5n * UNIT_PRICE,
        (5n * UNIT_PRICE * BigInt(FEE_BPS)) / 10_000n,
      );

    const deal = buildDeal({
      seller: sellerAccount.address,
      buyer: buyerAccount.address,
      batchId: f.batchId,
      amount: 3n,
      unitPrice: UNIT_PRICE,
      paymentToken: (await f.usd.getAddress()) as Address,
      conditions: 0n,
      deadline: now + 86_400n,
    });
    const sellerSig = await signDeal({ signer: sellerAccount, domain, deal });
    const buyerSig = await signDeal({ signer: buyerAccount, domain, deal });
    await expect(f.settlement.openDeal(deal, sellerSig, buyerSig))
      .to.emit(f.settlement, "DealOpened")
      .withArgs(
        hashDeal({ domain, deal }),
        f.seller.address,
        f.buyer.address,
        f.batchId,
        3n,
        3n * UNIT_PRICE,
        deal.paymentToken,
        0,
        deal.deadline,
      );
  });

  it("the builders refuse what the contract would refuse", async function () {
    const base = {
      maker: f.seller.address as Address,
      batchId: 1n,
      amount: 10n,
      unitPrice: 1n,
      paymentToken: f.seller.address as Address,
      maxFeeBps: 100,
      expiry: 1n,
      counter: 0n,
    };
    expect(() => buildOrder({ ...base, amount: 0n })).to.throw(ValidationError, "amount");
    expect(() => buildOrder({ ...base, minFill: 11n })).to.throw(ValidationError, "minFill");
    expect(() => buildOrder({ ...base, side: 2 })).to.throw(ValidationError, "side");
    for (const maxFeeBps of [-1, 1.5, 10_001])
      expect(() => buildOrder({ ...base, maxFeeBps })).to.throw(ValidationError, "maxFeeBps");
    const deal = {
      seller: base.maker,
      buyer: base.maker,
      batchId: 1n,
      amount: 1n,
      unitPrice: 1n,
      paymentToken: "0x0000000000000000000000000000000000000000" as Address,
      conditions: 0n,
      deadline: 1n,
    };
    expect(() => buildDeal(deal)).to.throw(ValidationError, "conditions");
    expect(() =>
      buildDeal({ ...deal, conditions: BigInt(CONDITION_FIAT_PAYMENT_RECEIVED | CONDITION_REGISTRY_DELIVERY) }),
    ).to.throw(ValidationError, "buyerRegistryAccount");
    let thrown: unknown;
    await signOrder({ signer: buyerAccount, domain, order: buildOrder(base) }).catch((e: unknown) => {
      thrown = e;
    });
    expect(thrown).to.be.instanceOf(ValidationError);
  });
});
