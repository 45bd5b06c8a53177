import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  CONDITION_FIAT_PAYMENT_RECEIVED as FIAT,
  CONDITION_REGISTRY_DELIVERY as DELIVERY,
  splitPrice,
} from "../../backend/src/chain/orders";
import {
  deployTradingFixture,
  type TradingFixture,
  FEE_BPS,
  INITIAL_CREDITS,
  THRESHOLD,
  UNIT_PRICE,
} from "../support/platformFixture";

const OPEN = 1n;
const DELIVERING = 2n;
const SETTLED = 3n;
const EXPIRED = 4n;
const ACCOUNT = ethers.id("VERRA-ACCOUNT-BUYER-42");

describe("Settlement: conditional escrow deals", function () {
  let f: TradingFixture;
  beforeEach(async function () {
    f = await loadFixture(deployTradingFixture);
  });

  async function open(overrides: Parameters<TradingFixture["deal"]>[0] = {}) {
    const terms = await f.deal(overrides);
    const dealId = await f.settlement.hashDeal(terms);
    const tx = await f.settlement
      .connect(f.outsider)
      .openDeal(terms, await f.signDeal(terms, f.seller), await f.signDeal(terms, f.buyer));
    return { terms, dealId, tx };
  }

  it("fiat deal: opened, fiat payment attested by the quorum, settled in one transaction", async function () {
    const { settlement, creditToken, seller, buyer, batchId } = f;
    const settlementAddress = await settlement.getAddress();
    const { dealId, tx } = await open({ paymentToken: ethers.ZeroAddress, conditions: BigInt(FIAT), amount: 25n });
    await expect(tx)
      .to.emit(settlement, "DealOpened")
      .withArgs(dealId, seller.address, buyer.address, batchId, 25n, 25n * UNIT_PRICE, ethers.ZeroAddress, FIAT, anyDeadline());
    expect(await creditToken.balanceOf(settlementAddress, batchId)).to.equal(25n);
    expect((await settlement.deal(dealId)).status).to.equal(OPEN);
    await expect(settlement.settleDeal(dealId))
      .to.be.revertedWithCustomError(settlement, "SettlementConditionsMissing")
      .withArgs(dealId, FIAT);
    const evidence = ethers.id("SWIFT-REF-123");
    const sigs = await f.attest(dealId, FIAT, evidence);
    const digest = await settlement.hashDealConditionAttestation(dealId, FIAT, evidence);
    await expect(settlement.attestDealCondition(dealId, FIAT, evidence, sigs))
      .to.emit(settlement, "DealConditionConfirmed")
      .withArgs(dealId, FIAT, evidence, digest);
    expect(await settlement.attestationUsed(digest)).to.equal(true);
    await expect(settlement.attestDealCondition(dealId, FIAT, evidence, sigs))
      .to.be.revertedWithCustomError(settlement, "SettlementAttestationUsed")
      .withArgs(digest);
    await expect(settlement.settleDeal(dealId)).to.emit(settlement, "DealSettled").withArgs(dealId, 0n, 0n);
    expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS + 25n);
    expect(await creditToken.balanceOf(settlementAddress, batchId)).to.equal(0n);
    expect((await settlement.deal(dealId)).status).to.equal(SETTLED);
    await expect(settlement.settleDeal(dealId)).to.be.revertedWithCustomError(settlement, "SettlementDealWrongStatus");
  });

  it("escrow is out of the agents' reach: forced transfers and recoveries cannot touch Settlement's balance", async function () {
    const { settlement, creditToken, buyer, batchId } = f;
    const settlementAddress = await settlement.getAddress();
    expect(await creditToken.isCustodian(settlementAddress)).to.equal(true);
    await open({ paymentToken: ethers.ZeroAddress, conditions: BigInt(FIAT), amount: 25n });
    const agent = f.agent;
    await expect(creditToken.connect(agent).forcedTransfer(settlementAddress, buyer.address, batchId, 25n, 1))
      .to.be.revertedWithCustomError(creditToken, "CreditTokenCustodianProtected")
      .withArgs(settlementAddress);
    await expect(creditToken.connect(agent).recoverWallet(settlementAddress, buyer.address, [batchId], 1))
      .to.be.revertedWithCustomError(creditToken, "CreditTokenCustodianProtected")
      .withArgs(settlementAddress);
    expect(await creditToken.balanceOf(settlementAddress, batchId)).to.equal(25n);
  });

  it("on-chain payment deal with no off-chain condition: payment escrowed, settled with the fee", async function () {
    const { settlement, usd, seller, buyer, feeRecipient } = f;
    const price = 10n * UNIT_PRICE;
    const { dealId } = await open({ amount: 10n });
    expect(await usd.balanceOf(await settlement.getAddress())).to.equal(price);
    const { fee, sellerProceeds } = splitPrice(10n, UNIT_PRICE, BigInt(FEE_BPS));
    const tx = settlement.settleDeal(dealId);
    await expect(tx).to.emit(settlement, "DealSettled").withArgs(dealId, sellerProceeds, fee);
    await expect(tx).to.changeTokenBalances(usd, [seller, feeRecipient, buyer], [sellerProceeds, fee, 0n]);
  });

  it("settles with the fee terms snapshotted at open, after the admin turns fees off or changes them", async function () {
    const { settlement, usd, admin, seller, buyer, feeRecipient, outsider } = f;
    const { fee, sellerProceeds } = splitPrice(10n, UNIT_PRICE, BigInt(FEE_BPS));
    const first = await open({ amount: 10n, conditions: BigInt(DELIVERY), buyerRegistryAccount: ACCOUNT });
    const second = await open({ amount: 10n });
    // fees off: recipient zero (a transfer to it would revert and leave the deal stuck)
    await settlement.connect(admin).setFee(ethers.ZeroAddress, 0);
    const tx = settlement.settleDeal(second.dealId);
    await expect(tx).to.emit(settlement, "DealSettled").withArgs(second.dealId, sellerProceeds, fee);
    await expect(tx).to.changeTokenBalances(usd, [seller, feeRecipient, buyer], [sellerProceeds, fee, 0n]);
    // a higher fee to someone else later does not reach a deal opened before
    await settlement.connect(admin).setFee(outsider.address, 500);
    await settlement.startDelivery(first.dealId);
    const requestId = await f.registryBridge.requestIdOf(await settlement.getAddress(), first.dealId);
    const answer = { requestId, holder: await settlement.getAddress(), amount: 10n, registryAccount: ACCOUNT };
    await f.confirmWithdrawal(answer);
    await settlement.attestDealCondition(
      first.dealId,
      DELIVERY,
      ethers.id("REG-TX"),
      await f.attest(first.dealId, DELIVERY, ethers.id("REG-TX")),
    );
    const later = settlement.settleDeal(first.dealId);
    await expect(later).to.emit(settlement, "DealSettled").withArgs(first.dealId, sellerProceeds, fee);
    await expect(later).to.changeTokenBalances(usd, [seller, feeRecipient, outsider], [sellerProceeds, fee, 0n]);
    const record = await settlement.deal(first.dealId);
    expect([record.feeRecipient, record.feeBps]).to.deep.equal([feeRecipient.address, BigInt(FEE_BPS)]);
  });

  it("registry delivery: a bridge withdrawal, burned only on the registry's confirmation, then paid", async function () {
    const { settlement, creditToken, registryBridge, usd, seller, batchId } = f;
    const settlementAddress = await settlement.getAddress();
    const { dealId } = await open({ amount: 8n, conditions: BigInt(DELIVERY), buyerRegistryAccount: ACCOUNT });
    const supply = await creditToken.totalSupply(batchId);
    await expect(
      settlement.attestDealCondition(dealId, DELIVERY, ethers.ZeroHash, await f.attest(dealId, DELIVERY, ethers.ZeroHash)),
    )
      .to.be.revertedWithCustomError(settlement, "SettlementDealWrongStatus")
      .withArgs(dealId, OPEN);
    const requestId = await registryBridge.requestIdOf(settlementAddress, dealId);
    await expect(settlement.startDelivery(dealId))
      .to.emit(settlement, "DealDeliveryStarted")
      .withArgs(dealId, requestId, ACCOUNT)
      .and.to.emit(registryBridge, "WithdrawalRequested");
    expect((await settlement.deal(dealId)).status).to.equal(DELIVERING);
    expect(await creditToken.balanceOf(settlementAddress, batchId)).to.equal(0n);
    expect(await creditToken.balanceOf(await registryBridge.getAddress(), batchId)).to.equal(8n);
    expect(await creditToken.totalSupply(batchId)).to.equal(supply); // not burned before the registry answers

    // Past the deadline with the request pending: nobody reclaims anything.
    await time.increaseTo((await settlement.deal(dealId)).deadline);
    await expect(settlement.reclaimPayment(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
    await expect(settlement.reclaimCredits(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");

    const early = ethers.id("VERRA-TX-early");
    await expect(settlement.attestDealCondition(dealId, DELIVERY, early, await f.attest(dealId, DELIVERY, early)))
      .to.be.revertedWithCustomError(settlement, "SettlementDeliveryNotConfirmed")
      .withArgs(dealId, requestId);
    await f.confirmWithdrawal({ requestId, holder: settlementAddress, amount: 8n, registryAccount: ACCOUNT });
    expect(await creditToken.totalSupply(batchId)).to.equal(supply - 8n);
    const evidence = ethers.id("VERRA-TX-777");
    await settlement.attestDealCondition(dealId, DELIVERY, evidence, await f.attest(dealId, DELIVERY, evidence));
    const { fee, sellerProceeds } = splitPrice(8n, UNIT_PRICE, BigInt(FEE_BPS));
    await expect(settlement.settleDeal(dealId)).to.changeTokenBalances(usd, [seller], [sellerProceeds]);
    expect(fee).to.be.greaterThan(0n);
    expect(await usd.balanceOf(settlementAddress)).to.equal(0n);
  });

  it("registry delivery refused: units return to escrow, both legs reclaimed after the deadline", async function () {
    const { settlement, creditToken, registryBridge, usd, seller, buyer, batchId } = f;
    const settlementAddress = await settlement.getAddress();
    const { dealId } = await open({ amount: 5n, conditions: BigInt(DELIVERY), buyerRegistryAccount: ACCOUNT });
    await settlement.startDelivery(dealId);
    const requestId = (await settlement.deal(dealId)).deliveryRequestId;
    await f.rejectWithdrawal({ requestId, holder: settlementAddress, amount: 5n, registryAccount: ACCOUNT });
    expect(await creditToken.balanceOf(settlementAddress, batchId)).to.equal(5n);
    const lie = ethers.id("VERRA-TX-none");
    await expect(
      settlement.attestDealCondition(dealId, DELIVERY, lie, await f.attest(dealId, DELIVERY, lie)),
    ).to.be.revertedWithCustomError(settlement, "SettlementDeliveryNotConfirmed");
    await expect(settlement.reclaimCredits(dealId)).to.be.revertedWithCustomError(settlement, "SettlementDealDeadline");
    await time.increaseTo((await settlement.deal(dealId)).deadline);
    await expect(settlement.reclaimCredits(dealId))
      .to.emit(settlement, "DealLegReclaimed")
      .withArgs(dealId, seller.address, 5n, 0n);
    await expect(settlement.reclaimPayment(dealId)).to.changeTokenBalances(usd, [buyer], [5n * UNIT_PRICE]);
    expect(await creditToken.balanceOf(seller.address, batchId)).to.equal(INITIAL_CREDITS);
    expect((await settlement.deal(dealId)).status).to.equal(EXPIRED);
    await expect(settlement.reclaimPayment(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
  });

  it("expired deal: each party reclaims its own leg, then nothing settles", async function () {
    const { settlement, creditToken, usd, seller, buyer, batchId } = f;
    const { dealId } = await open({ amount: 4n, paymentToken: ethers.ZeroAddress, conditions: BigInt(FIAT) });
    await expect(settlement.reclaimCredits(dealId)).to.be.revertedWithCustomError(settlement, "SettlementDealDeadline");
    await time.increaseTo((await settlement.deal(dealId)).deadline);
    await settlement.connect(buyer).reclaimCredits(dealId); // anyone may trigger; credits go to the seller
    expect(await creditToken.balanceOf(seller.address, batchId)).to.equal(INITIAL_CREDITS);
    await expect(settlement.reclaimCredits(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
    await expect(settlement.reclaimPayment(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
    const evidence = ethers.id("late");
    await expect(settlement.attestDealCondition(dealId, FIAT, evidence, await f.attest(dealId, FIAT, evidence)))
      .to.be.revertedWithCustomError(settlement, "SettlementDealWrongStatus")
      .withArgs(dealId, EXPIRED);

    // delivery never started: the on-chain payment and the credits both sit in escrow
    const second = await open({ amount: 3n, conditions: BigInt(DELIVERY), buyerRegistryAccount: ACCOUNT });
    await time.increaseTo((await settlement.deal(second.dealId)).deadline);
    await expect(settlement.reclaimPayment(second.dealId)).to.changeTokenBalances(usd, [buyer], [3n * UNIT_PRICE]);
    await expect(settlement.reclaimCredits(second.dealId)).to.emit(settlement, "DealLegReclaimed");
    await expect(settlement.settleDeal(second.dealId)).to.be.revertedWithCustomError(settlement, "SettlementDealWrongStatus");
    await expect(settlement.startDelivery(second.dealId)).to.be.revertedWithCustomError(settlement, "SettlementDealWrongStatus");
  });

  it("a deal whose conditions all hold is settled, not reclaimed, after the deadline", async function () {
    const { settlement } = f;
    const { dealId } = await open({ amount: 1n });
    await time.increaseTo((await settlement.deal(dealId)).deadline);
    await expect(settlement.reclaimPayment(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
    await expect(settlement.reclaimCredits(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
    await expect(settlement.settleDeal(dealId)).to.emit(settlement, "DealSettled");
  });

  it("an on-chain-paid delivery must start before the deadline", async function () {
    const { settlement } = f;
    const { dealId } = await open({ amount: 1n, conditions: BigInt(DELIVERY), buyerRegistryAccount: ACCOUNT });
    await time.increaseTo((await settlement.deal(dealId)).deadline);
    await expect(settlement.startDelivery(dealId)).to.be.revertedWithCustomError(settlement, "SettlementDealDeadline");
  });

  it("fiat confirmed: the seller can no longer reclaim, settlement stays possible after the deadline", async function () {
    const { settlement, creditToken, buyer, batchId } = f;
    const { dealId } = await open({ amount: 2n, paymentToken: ethers.ZeroAddress, conditions: BigInt(FIAT) });
    const evidence = ethers.id("paid");
    await settlement.attestDealCondition(dealId, FIAT, evidence, await f.attest(dealId, FIAT, evidence));
    await time.increaseTo((await settlement.deal(dealId)).deadline);
    await expect(settlement.reclaimCredits(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
    await settlement.settleDeal(dealId);
    expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS + 2n);
  });

  it("fiat leg plus registry delivery: delivery waits for the fiat, may start after the deadline, settles", async function () {
    const { settlement, creditToken, batchId } = f;
    const settlementAddress = await settlement.getAddress();
    const { dealId } = await open({
      amount: 6n,
      paymentToken: ethers.ZeroAddress,
      conditions: BigInt(FIAT | DELIVERY),
      buyerRegistryAccount: ACCOUNT,
    });
    await expect(settlement.startDelivery(dealId))
      .to.be.revertedWithCustomError(settlement, "SettlementConditionsMissing")
      .withArgs(dealId, FIAT);
    const paid = ethers.id("SEPA-42");
    await settlement.attestDealCondition(dealId, FIAT, paid, await f.attest(dealId, FIAT, paid));
    await time.increaseTo((await settlement.deal(dealId)).deadline);
    await expect(settlement.reclaimCredits(dealId)).to.be.revertedWithCustomError(settlement, "SettlementNothingToReclaim");
    await settlement.startDelivery(dealId); // the seller was paid: the credits belong to the buyer
    const requestId = (await settlement.deal(dealId)).deliveryRequestId;
    const supply = await creditToken.totalSupply(batchId);
    await f.confirmWithdrawal({ requestId, holder: settlementAddress, amount: 6n, registryAccount: ACCOUNT });
    expect(await creditToken.totalSupply(batchId)).to.equal(supply - 6n);
    const tx = ethers.id("VERRA-TX-9");
    await settlement.attestDealCondition(dealId, DELIVERY, tx, await f.attest(dealId, DELIVERY, tx));
    await expect(settlement.settleDeal(dealId)).to.emit(settlement, "DealSettled").withArgs(dealId, 0n, 0n);
    expect(await creditToken.balanceOf(settlementAddress, batchId)).to.equal(0n);
  });

  it("refuses an attestation below the oracle threshold or signed for another domain", async function () {
    const { settlement, registryBridge } = f;
    const { dealId } = await open({ paymentToken: ethers.ZeroAddress, conditions: BigInt(FIAT) });
    const evidence = ethers.id("ref");
    const one = await f.attest(dealId, FIAT, evidence, 1);
    await expect(settlement.attestDealCondition(dealId, FIAT, evidence, one))
      .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeQuorumNotMet")
      .withArgs(1n, BigInt(THRESHOLD));
    const foreign = await f.attest(dealId, FIAT, evidence, THRESHOLD, await registryBridge.getAddress());
    await expect(settlement.attestDealCondition(dealId, FIAT, evidence, foreign)).to.be.reverted;
    await expect(
      settlement.attestDealCondition(dealId, DELIVERY, evidence, await f.attest(dealId, DELIVERY, evidence)),
    ).to.be.revertedWithCustomError(settlement, "SettlementDealWrongStatus");
    await expect(settlement.attestDealCondition(dealId, 3, evidence, await f.attest(dealId, 3, evidence)))
      .to.be.revertedWithCustomError(settlement, "SettlementConditionNotPending")
      .withArgs(dealId, 3);
  });

  it("new deals refuse paused registries, frozen batches, unverified buyers, bad conditions, bad prices", async function () {
    const { settlement, registryBridge, creditToken, guardian, agent, admin, batchId, registryId, outsider } = f;
    await registryBridge.connect(guardian).pauseRegistry(registryId);
    const terms = await f.deal();
    const sigs = [await f.signDeal(terms, f.seller), await f.signDeal(terms, f.buyer)] as const;
    await expect(settlement.openDeal(terms, ...sigs))
      .to.be.revertedWithCustomError(settlement, "SettlementRegistryPaused")
      .withArgs(batchId, registryId);
    await registryBridge.connect(guardian).unpauseRegistry(registryId);
    await creditToken.connect(agent).freezeBatch(batchId, 3);
    await expect(settlement.openDeal(terms, ...sigs))
      .to.be.revertedWithCustomError(settlement, "SettlementBatchFrozen")
      .withArgs(batchId);
    await creditToken.connect(agent).unfreezeBatch(batchId, 3);

    const unverified = await f.deal({ buyer: outsider.address });
    await expect(settlement.openDeal(unverified, await f.signDeal(unverified, f.seller), await f.signDeal(unverified, outsider)))
      .to.be.revertedWithCustomError(settlement, "SettlementBuyerNotVerified")
      .withArgs(outsider.address);

    for (const bad of [
      { conditions: BigInt(FIAT) }, // on-chain payment with a fiat condition
      { paymentToken: ethers.ZeroAddress, conditions: 0n }, // fiat leg without its condition
      { conditions: BigInt(DELIVERY) }, // delivery without an account
      { conditions: 4n },
    ]) {
      const t = await f.deal(bad);
      await expect(
        settlement.openDeal(t, await f.signDeal(t, f.seller), await f.signDeal(t, f.buyer)),
      ).to.be.revertedWithCustomError(settlement, "SettlementInvalidConditions");
    }

    await settlement.connect(admin).setPriceBand(batchId, await f.usd.getAddress(), UNIT_PRICE + 1n, 0n);
    await expect(settlement.openDeal(terms, ...sigs)).to.be.revertedWithCustomError(settlement, "SettlementPriceOutOfBand");
  });

  it("needs both signatures; cancelled terms cannot be opened; an id opens once", async function () {
    const { settlement, seller, buyer, buyer2 } = f;
    const terms = await f.deal();
    const dealId = await settlement.hashDeal(terms);
    const sellerSig = await f.signDeal(terms, seller);
    await expect(settlement.openDeal(terms, sellerSig, await f.signDeal(terms, buyer2)))
      .to.be.revertedWithCustomError(settlement, "SettlementInvalidSignature")
      .withArgs(buyer.address, dealId);
    const buyerSig = await f.signDeal(terms, buyer);
    await expect(settlement.connect(buyer2).cancelDeal(terms)).to.be.revertedWithCustomError(
      settlement,
      "SettlementUnauthorized",
    );
    const other = await f.deal({ salt: 7n });
    await expect(settlement.connect(buyer).cancelDeal(other)).to.emit(settlement, "DealCancelled");
    await expect(
      settlement.openDeal(other, await f.signDeal(other, seller), await f.signDeal(other, buyer)),
    ).to.be.revertedWithCustomError(settlement, "SettlementDealExists");
    await settlement.openDeal(terms, sellerSig, buyerSig);
    await expect(settlement.openDeal(terms, sellerSig, buyerSig))
      .to.be.revertedWithCustomError(settlement, "SettlementDealExists")
      .withArgs(dealId, OPEN);
  });

  it("a malicious ERC-20 cannot re-enter while a deal opens", async function () {
    const { settlement, buyer } = f;
    const evil = await f.deployReentrantPaymentToken();
    const terms = await f.deal({ paymentToken: await evil.getAddress(), amount: 2n });
    const dealId = await settlement.hashDeal(terms);
    await evil.arm(await settlement.getAddress(), settlement.interface.encodeFunctionData("settleDeal", [dealId]));
    await settlement.openDeal(terms, await f.signDeal(terms, f.seller), await f.signDeal(terms, buyer));
    expect(await evil.lastCallSucceeded()).to.equal(false);
    expect((await evil.lastCallData()).slice(0, 10)).to.equal(
      settlement.interface.getError("ReentrancyGuardReentrantCall")!.selector,
    );
    expect((await settlement.deal(dealId)).status).to.equal(OPEN);
  });

  it("refuses credits sent to it other than by its own escrow", async function () {
    const { settlement, creditToken, seller, batchId } = f;
    await expect(
      creditToken.connect(seller).safeTransferFrom(seller.address, await settlement.getAddress(), batchId, 1n, "0x"),
    ).to.be.revertedWithCustomError(settlement, "SettlementUnexpectedReceipt");
  });
});

function anyDeadline() {
  return (v: bigint) => v > 0n;
}
