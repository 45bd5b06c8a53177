import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { CONDITION_FIAT_PAYMENT_RECEIVED as FIAT } from "../../backend/src/chain/orders";
import type { TestPaymentToken } from "../../typechain-types";
import { deployTradingFixture, type TradingFixture, FEE_BPS, UNIT_PRICE } from "../support/platformFixture";

/**
 * Price bands hold per payment token, and only listed payment tokens settle (issue 12 §3.6): a batch banded in one
 * token cannot be traded outside its band by pricing the order, or the deal, in another token or in fiat.
 */
describe("Settlement: payment tokens and price bands", function () {
  let f: TradingFixture;
  let other: TestPaymentToken;
  let otherAddress: string;
  beforeEach(async function () {
    f = await loadFixture(deployTradingFixture);
    other = await (await ethers.getContractFactory("TestPaymentToken")).deploy("Other USD", "OUSD");
    otherAddress = await other.getAddress();
    for (const s of [f.buyer, f.buyer2]) {
      await other.mint(s.address, 10n ** 15n);
      await other.connect(s).approve(await f.settlement.getAddress(), ethers.MaxUint256);
    }
  });

  it("a banded batch cannot be traded below its floor by pricing the order in another payment token", async function () {
    const { settlement, admin, seller, buyer, batchId } = f;
    await settlement.connect(admin).setPriceBand(batchId, await f.usd.getAddress(), UNIT_PRICE, 0n);
    const cheap = await f.order({ paymentToken: otherAddress, unitPrice: 1n });
    const sig = await f.sign(cheap, seller);
    await expect(settlement.connect(buyer).fill(cheap, 1n, sig))
      .to.be.revertedWithCustomError(settlement, "SettlementPaymentTokenNotListed")
      .withArgs(otherAddress);
    await expect(settlement.connect(admin).setPaymentToken(otherAddress, true))
      .to.emit(settlement, "PaymentTokenSet")
      .withArgs(otherAddress, true);
    // listed, but the batch is banded and has no band in this token: refused, not unbounded
    await expect(settlement.connect(buyer).fill(cheap, 1n, sig))
      .to.be.revertedWithCustomError(settlement, "SettlementNoPriceBand")
      .withArgs(batchId, otherAddress);
    await settlement.connect(admin).setPriceBand(batchId, otherAddress, 5n, 10n);
    await expect(settlement.connect(buyer).fill(cheap, 1n, sig))
      .to.be.revertedWithCustomError(settlement, "SettlementPriceOutOfBand")
      .withArgs(batchId, otherAddress, 1n, 5n, 10n);
    const inBand = await f.order({ paymentToken: otherAddress, unitPrice: 7n });
    await expect(settlement.connect(buyer).fill(inBand, 2n, await f.sign(inBand, seller))).to.changeTokenBalances(
      other,
      [buyer, seller],
      [-14n, 14n - (14n * BigInt(FEE_BPS)) / 10_000n],
    );
  });

  it("an unlisted payment token is refused for fills and deals; delisting stops new trades in it", async function () {
    const { settlement, admin, seller, buyer } = f;
    const usdAddress = await f.usd.getAddress();
    expect(await settlement.isPaymentToken(usdAddress)).to.equal(true);
    expect(await settlement.isPaymentToken(otherAddress)).to.equal(false);
    const terms = await f.deal({ paymentToken: otherAddress });
    await expect(settlement.openDeal(terms, await f.signDeal(terms, seller), await f.signDeal(terms, buyer)))
      .to.be.revertedWithCustomError(settlement, "SettlementPaymentTokenNotListed")
      .withArgs(otherAddress);
    await expect(settlement.connect(admin).setPaymentToken(usdAddress, false))
      .to.emit(settlement, "PaymentTokenSet")
      .withArgs(usdAddress, false);
    const order = await f.order();
    await expect(settlement.connect(buyer).fill(order, 1n, await f.sign(order, seller)))
      .to.be.revertedWithCustomError(settlement, "SettlementPaymentTokenNotListed")
      .withArgs(usdAddress);
  });

  it("a banded batch needs a fiat band for a fiat deal", async function () {
    const { settlement, admin, seller, buyer, batchId } = f;
    await settlement.connect(admin).setPriceBand(batchId, await f.usd.getAddress(), 1n, 0n);
    const fiat = await f.deal({ paymentToken: ethers.ZeroAddress, conditions: BigInt(FIAT) });
    const sigs = [await f.signDeal(fiat, seller), await f.signDeal(fiat, buyer)] as const;
    await expect(settlement.openDeal(fiat, ...sigs))
      .to.be.revertedWithCustomError(settlement, "SettlementNoPriceBand")
      .withArgs(batchId, ethers.ZeroAddress);
    await settlement.connect(admin).setPriceBand(batchId, ethers.ZeroAddress, 1n, 0n);
    await expect(settlement.openDeal(fiat, ...sigs)).to.emit(settlement, "DealOpened");
  });

  it("counts a batch's bands: clearing the last one makes the batch unbanded again", async function () {
    const { settlement, admin, seller, buyer, batchId } = f;
    const usdAddress = await f.usd.getAddress();
    await settlement.connect(admin).setPaymentToken(otherAddress, true);
    await settlement.connect(admin).setPriceBand(batchId, usdAddress, 1n, 0n);
    await settlement.connect(admin).setPriceBand(batchId, usdAddress, 2n, 0n); // a change, not a second band
    await settlement.connect(admin).setPriceBand(batchId, otherAddress, 1n, 0n);
    expect(await settlement.priceBandCount(batchId)).to.equal(2n);
    await settlement.connect(admin).setPriceBand(batchId, otherAddress, 0n, 0n);
    await settlement.connect(admin).setPriceBand(batchId, usdAddress, 0n, 0n);
    expect(await settlement.priceBandCount(batchId)).to.equal(0n);
    const order = await f.order({ paymentToken: otherAddress, unitPrice: 1n });
    await expect(settlement.connect(buyer).fill(order, 1n, await f.sign(order, seller))).to.emit(settlement, "OrderFilled");
  });

  it("refuses fills below the floor or above the ceiling; 0 ceiling means none", async function () {
    const { settlement, admin, seller, buyer, batchId } = f;
    const usdAddress = await f.usd.getAddress();
    await expect(settlement.connect(admin).setPriceBand(batchId, usdAddress, 1_000_000n, 2_000_000n))
      .to.emit(settlement, "PriceBandSet")
      .withArgs(batchId, usdAddress, 1_000_000n, 2_000_000n);
    const low = await f.order({ unitPrice: 999_999n });
    await expect(settlement.connect(buyer).fill(low, 1n, await f.sign(low, seller)))
      .to.be.revertedWithCustomError(settlement, "SettlementPriceOutOfBand")
      .withArgs(batchId, usdAddress, 999_999n, 1_000_000n, 2_000_000n);
    const high = await f.order({ unitPrice: 2_000_001n });
    await expect(settlement.connect(buyer).fill(high, 1n, await f.sign(high, seller))).to.be.revertedWithCustomError(
      settlement,
      "SettlementPriceOutOfBand",
    );
    const edge = await f.order({ unitPrice: 2_000_000n });
    await settlement.connect(buyer).fill(edge, 1n, await f.sign(edge, seller));
    await settlement.connect(admin).setPriceBand(batchId, usdAddress, 1_000_000n, 0n); // floor only
    await settlement.connect(buyer).fill(high, 1n, await f.sign(high, seller));
  });

  it("only MARKET_ADMIN_ROLE sets payment tokens, bands and fees; bands must be ordered; fee is capped", async function () {
    const { settlement, admin, buyer, batchId } = f;
    await expect(settlement.connect(buyer).setPaymentToken(otherAddress, true))
      .to.be.revertedWithCustomError(settlement, "AccessControlUnauthorizedAccount")
      .withArgs(buyer.address, await settlement.MARKET_ADMIN_ROLE());
    await expect(settlement.connect(admin).setPaymentToken(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
      settlement,
      "SettlementZeroAddress",
    );
    await expect(settlement.connect(buyer).setPriceBand(batchId, ethers.ZeroAddress, 1n, 2n))
      .to.be.revertedWithCustomError(settlement, "AccessControlUnauthorizedAccount")
      .withArgs(buyer.address, await settlement.MARKET_ADMIN_ROLE());
    await expect(settlement.connect(admin).setPriceBand(batchId, ethers.ZeroAddress, 3n, 2n))
      .to.be.revertedWithCustomError(settlement, "SettlementInvalidBand")
      .withArgs(3n, 2n);
    await expect(settlement.connect(admin).setFee(admin.address, 1_001))
      .to.be.revertedWithCustomError(settlement, "SettlementFeeTooHigh")
      .withArgs(1_001, 1_000);
    await expect(settlement.connect(buyer).setFee(buyer.address, 1)).to.be.revertedWithCustomError(
      settlement,
      "AccessControlUnauthorizedAccount",
    );
  });
});
