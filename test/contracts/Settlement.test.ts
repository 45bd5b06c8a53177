import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { SIDE_BUY, splitPrice } from "../../backend/src/chain/orders";
import { deployTradingFixture, type TradingFixture, FEE_BPS, INITIAL_CREDITS } from "../support/platformFixture";

describe("Settlement: instant DvP", function () {
  let f: TradingFixture;
  beforeEach(async function () {
    f = await loadFixture(deployTradingFixture);
  });

  describe("fill", function () {
    it("fills a whole order: credits to the buyer, payment less the fee to the seller, custody head moves", async function () {
      const { settlement, creditToken, usd, seller, buyer, feeRecipient, batchId } = f;
      const order = await f.order({ amount: 100n, unitPrice: 2_500_000n });
      const sig = await f.sign(order, seller);
      const hash = await settlement.hashOrder(order);
      const head = await creditToken.custodyHead(batchId);
      const { price, fee, sellerProceeds } = splitPrice(100n, 2_500_000n, BigInt(FEE_BPS));
      const tx = settlement.connect(buyer).fill(order, 100n, sig);
      await expect(tx)
        .to.emit(settlement, "OrderFilled")
        .withArgs(hash, seller.address, buyer.address, batchId, 100n, price, fee);
      await expect(tx).to.changeTokenBalances(usd, [buyer, seller, feeRecipient], [-price, sellerProceeds, fee]);
      await expect(tx).to.emit(creditToken, "TransferSingle").withArgs(anyValue, seller.address, buyer.address, batchId, 100n);
      expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS + 100n);
      expect(await creditToken.balanceOf(seller.address, batchId)).to.equal(INITIAL_CREDITS - 100n);
      expect(await settlement.filledAmount(hash)).to.equal(0n); // closed in one fill: no partial state kept
      expect(await settlement.isNonceClosed(seller.address, order.salt)).to.equal(true);
      expect(await creditToken.custodyHead(batchId)).to.not.equal(head);
    });

    it("fills partially until exhausted, then refuses more", async function () {
      const { settlement, creditToken, seller, buyer, buyer2, batchId } = f;
      const order = await f.order({ amount: 10n });
      const sig = await f.sign(order, seller);
      const hash = await settlement.hashOrder(order);
      await settlement.connect(buyer).fill(order, 3n, sig);
      await settlement.connect(buyer2).fill(order, 3n, sig);
      expect(await settlement.filledAmount(hash)).to.equal(6n);
      expect(await settlement.isNonceClosed(seller.address, order.salt)).to.equal(false);
      await settlement.connect(buyer).fill(order, 4n, sig);
      expect(await settlement.isNonceClosed(seller.address, order.salt)).to.equal(true);
      expect(await settlement.filledAmount(hash)).to.equal(0n);
      expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS + 7n);
      expect(await creditToken.balanceOf(buyer2.address, batchId)).to.equal(INITIAL_CREDITS + 3n);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementOrderClosed")
        .withArgs(hash, seller.address, order.salt);
    });

    it("refuses an overfill and a zero fill", async function () {
      const { settlement, seller, buyer } = f;
      const order = await f.order({ amount: 10n });
      const sig = await f.sign(order, seller);
      const hash = await settlement.hashOrder(order);
      await settlement.connect(buyer).fill(order, 6n, sig);
      await expect(settlement.connect(buyer).fill(order, 5n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementOverfill")
        .withArgs(hash, 6n, 5n, 10n);
      await expect(settlement.connect(buyer).fill(order, 0n, sig)).to.be.revertedWithCustomError(
        settlement,
        "SettlementZeroAmount",
      );
    });

    it("enforces the minimum fill except for the remainder", async function () {
      const { settlement, seller, buyer } = f;
      const order = await f.order({ amount: 10n, minFill: 4n });
      const sig = await f.sign(order, seller);
      const hash = await settlement.hashOrder(order);
      await expect(settlement.connect(buyer).fill(order, 3n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementFillBelowMinimum")
        .withArgs(hash, 3n, 4n, 10n);
      await settlement.connect(buyer).fill(order, 7n, sig);
      await settlement.connect(buyer).fill(order, 3n, sig); // the remainder, below minFill
      expect(await settlement.isNonceClosed(seller.address, order.salt)).to.equal(true);
    });

    it("refuses an expired order (expiry is exclusive)", async function () {
      const { settlement, seller, buyer } = f;
      const expiry = BigInt(await time.latest()) + 100n;
      const order = await f.order({ expiry });
      const sig = await f.sign(order, seller);
      await time.setNextBlockTimestamp(expiry);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementOrderExpired")
        .withArgs(await settlement.hashOrder(order), expiry, expiry);
    });

    it("refuses a cancelled order; only the maker cancels", async function () {
      const { settlement, seller, buyer } = f;
      const order = await f.order();
      const sig = await f.sign(order, seller);
      const hash = await settlement.hashOrder(order);
      await expect(settlement.connect(buyer).cancel(order))
        .to.be.revertedWithCustomError(settlement, "SettlementUnauthorized")
        .withArgs(buyer.address);
      await settlement.connect(buyer).fill(order, 1n, sig);
      await expect(settlement.connect(seller).cancel(order))
        .to.emit(settlement, "OrderCancelled")
        .withArgs(hash, seller.address, order.salt);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementOrderClosed")
        .withArgs(hash, seller.address, order.salt);
    });

    it("cancels every open order of a signer at once with incrementCounter", async function () {
      const { settlement, seller, buyer } = f;
      const a = await f.order({ salt: 1n });
      const b = await f.order({ salt: 2n });
      const sigA = await f.sign(a, seller);
      const sigB = await f.sign(b, seller);
      await expect(settlement.connect(seller).incrementCounter())
        .to.emit(settlement, "CounterIncremented")
        .withArgs(seller.address, 1n);
      for (const [o, s] of [
        [a, sigA],
        [b, sigB],
      ] as const) {
        await expect(settlement.connect(buyer).fill(o, 1n, s))
          .to.be.revertedWithCustomError(settlement, "SettlementStaleCounter")
          .withArgs(seller.address, 0n, 1n);
      }
      const fresh = await f.order({ counter: 1n });
      await settlement.connect(buyer).fill(fresh, 1n, await f.sign(fresh, seller));
    });

    it("refuses a signature by someone other than the maker", async function () {
      const { settlement, buyer, buyer2 } = f;
      const order = await f.order();
      const sig = await f.sign(order, buyer2);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementInvalidSignature")
        .withArgs(order.maker, await settlement.hashOrder(order));
    });

    it("refuses a signature made for another chain or another Settlement", async function () {
      const { settlement, seller, buyer } = f;
      const order = await f.order();
      const otherChain = await seller.signTypedData({ ...f.settlementDomain, chainId: 1 }, f.orderTypes, order);
      await expect(settlement.connect(buyer).fill(order, 1n, otherChain)).to.be.revertedWithCustomError(
        settlement,
        "SettlementInvalidSignature",
      );
      const other = await f.deployOtherSettlement();
      const otherContract = await seller.signTypedData(
        { ...f.settlementDomain, verifyingContract: await other.getAddress() },
        f.orderTypes,
        order,
      );
      await expect(settlement.connect(buyer).fill(order, 1n, otherContract)).to.be.revertedWithCustomError(
        settlement,
        "SettlementInvalidSignature",
      );
    });

    it("cannot replay a filled order, alone or twice in one batch", async function () {
      const { settlement, seller, buyer } = f;
      const order = await f.order({ amount: 5n });
      const sig = await f.sign(order, seller);
      await settlement.connect(buyer).fill(order, 5n, sig);
      await expect(settlement.connect(buyer).fill(order, 5n, sig)).to.be.revertedWithCustomError(
        settlement,
        "SettlementOrderClosed",
      );
      // another order reusing the salt (nonce) of a closed one cannot fill either
      const sameNonce = await f.order({ amount: 7n, salt: order.salt });
      await expect(settlement.connect(buyer).fill(sameNonce, 1n, await f.sign(sameNonce, seller))).to.be.revertedWithCustomError(
        settlement,
        "SettlementOrderClosed",
      );
      const again = await f.order({ amount: 5n });
      const sig2 = await f.sign(again, seller);
      await expect(
        settlement.connect(buyer).fillBatch([
          { order: again, amount: 5n, signature: sig2 },
          { order: again, amount: 5n, signature: sig2 },
        ]),
      ).to.be.revertedWithCustomError(settlement, "SettlementOrderClosed");
    });

    it("honours the taker restriction", async function () {
      const { settlement, seller, buyer, buyer2 } = f;
      const order = await f.order({ taker: buyer.address });
      const sig = await f.sign(order, seller);
      await expect(settlement.connect(buyer2).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementUnauthorizedTaker")
        .withArgs(await settlement.hashOrder(order), buyer.address, buyer2.address);
      await settlement.connect(buyer).fill(order, 1n, sig);
    });

    it("fills a bid: the maker buys, the taker delivers", async function () {
      const { settlement, creditToken, usd, seller, buyer, feeRecipient, batchId } = f;
      const bid = await f.order({ side: SIDE_BUY, maker: buyer.address, amount: 4n, unitPrice: 1_000_000n });
      const sig = await f.sign(bid, buyer);
      const { price, fee, sellerProceeds } = splitPrice(4n, 1_000_000n, BigInt(FEE_BPS));
      const tx = settlement.connect(seller).fill(bid, 4n, sig);
      await expect(tx)
        .to.emit(settlement, "OrderFilled")
        .withArgs(await settlement.hashOrder(bid), seller.address, buyer.address, batchId, 4n, price, fee);
      await expect(tx).to.changeTokenBalances(usd, [buyer, seller, feeRecipient], [-price, sellerProceeds, fee]);
      expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS + 4n);
    });

    it("refuses an unknown side", async function () {
      const { settlement, seller, buyer } = f;
      const order = await f.order({ side: 2 });
      await expect(settlement.connect(buyer).fill(order, 1n, await f.sign(order, seller)))
        .to.be.revertedWithCustomError(settlement, "SettlementInvalidSide")
        .withArgs(2);
    });
  });

  describe("permissions, freezes and pauses (enforced by CreditToken on the credit leg)", function () {
    it("refuses an unverified buyer and leaves every balance unchanged", async function () {
      const { settlement, identityRegistry, seller, outsider } = f;
      const order = await f.order();
      const sig = await f.sign(order, seller);
      await f.usd.mint(outsider.address, 10n ** 12n);
      await f.usd.connect(outsider).approve(await settlement.getAddress(), ethers.MaxUint256);
      const before = await f.snapshot([seller.address, outsider.address]);
      await expect(settlement.connect(outsider).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(outsider.address);
      expect(await f.snapshot([seller.address, outsider.address])).to.deep.equal(before);
    });

    it("refuses a seller whose verification was revoked", async function () {
      const { settlement, identityRegistry, kycAgent, seller, buyer } = f;
      const order = await f.order();
      const sig = await f.sign(order, seller);
      await identityRegistry.connect(kycAgent).removeIdentity(seller.address);
      const before = await f.snapshot([seller.address, buyer.address]);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryNotVerified")
        .withArgs(seller.address);
      expect(await f.snapshot([seller.address, buyer.address])).to.deep.equal(before);
    });

    it("refuses a frozen buyer and a frozen seller", async function () {
      const { settlement, identityRegistry, creditToken, agent, seller, buyer } = f;
      const order = await f.order();
      const sig = await f.sign(order, seller);
      await creditToken.connect(agent).freezeWallet(buyer.address, 1);
      const before = await f.snapshot([seller.address, buyer.address]);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(buyer.address);
      expect(await f.snapshot([seller.address, buyer.address])).to.deep.equal(before);
      await creditToken.connect(agent).unfreezeWallet(buyer.address, 1);
      await creditToken.connect(agent).freezeWallet(seller.address, 1);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(identityRegistry, "IdentityRegistryFrozen")
        .withArgs(seller.address);
    });

    it("refuses a fill on a frozen batch", async function () {
      const { settlement, creditToken, agent, seller, buyer, batchId } = f;
      const order = await f.order();
      const sig = await f.sign(order, seller);
      await creditToken.connect(agent).freezeBatch(batchId, 7);
      await expect(settlement.connect(buyer).fill(order, 1n, sig))
        .to.be.revertedWithCustomError(creditToken, "CreditTokenBatchFrozen")
        .withArgs(batchId);
    });

    it("keeps instant DvP open while the batch's registry is paused on the bridge", async function () {
      const { settlement, registryBridge, guardian, seller, buyer, registryId } = f;
      await registryBridge.connect(guardian).pauseRegistry(registryId);
      const order = await f.order();
      await expect(settlement.connect(buyer).fill(order, 1n, await f.sign(order, seller))).to.emit(settlement, "OrderFilled");
    });
  });

  describe("fee arithmetic", function () {
    it("rounds the fee down and gives the seller the rest", async function () {
      const { settlement, usd, admin, seller, buyer, feeRecipient } = f;
      await settlement.connect(admin).setFee(feeRecipient.address, 30); // 0.30 %
      const order = await f.order({ amount: 1n, unitPrice: 999n }); // 999 * 30 / 10_000 = 2.997 -> 2
      const tx = settlement.connect(buyer).fill(order, 1n, await f.sign(order, seller));
      await expect(tx).to.changeTokenBalances(usd, [buyer, seller, feeRecipient], [-999n, 997n, 2n]);
      const tiny = await f.order({ amount: 1n, unitPrice: 333n }); // 333 * 30 / 10_000 = 0.999 -> 0
      const tx2 = settlement.connect(buyer).fill(tiny, 1n, await f.sign(tiny, seller));
      await expect(tx2).to.changeTokenBalances(usd, [buyer, seller, feeRecipient], [-333n, 333n, 0n]);
      expect(splitPrice(1n, 999n, 30n)).to.deep.equal({ price: 999n, fee: 2n, sellerProceeds: 997n });
    });

    it("charges nothing with a zero fee", async function () {
      const { settlement, usd, admin, seller, buyer, feeRecipient } = f;
      await expect(settlement.connect(admin).setFee(ethers.ZeroAddress, 0))
        .to.emit(settlement, "FeeSet")
        .withArgs(ethers.ZeroAddress, 0);
      const order = await f.order({ amount: 2n, unitPrice: 500n });
      const tx = settlement.connect(buyer).fill(order, 2n, await f.sign(order, seller));
      await expect(tx).to.changeTokenBalances(usd, [buyer, seller, feeRecipient], [-1000n, 1000n, 0n]);
    });
  });

  describe("the fee cap the maker signed (Order.maxFeeBps)", function () {
    it("refuses a fill once the platform fee is raised above the signed cap; fills at or below it", async function () {
      const { settlement, usd, admin, seller, buyer, buyer2, feeRecipient } = f;
      const order = await f.order({ amount: 10n, unitPrice: 1_000n, maxFeeBps: FEE_BPS });
      const sig = await f.sign(order, seller);
      const hash = await settlement.hashOrder(order);
      await settlement.connect(admin).setFee(feeRecipient.address, FEE_BPS + 1);
      await expect(settlement.connect(buyer).fill(order, 5n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementFeeAboveOrderCap")
        .withArgs(hash, FEE_BPS + 1, FEE_BPS);
      await expect(settlement.connect(buyer).fillBatch([{ order, amount: 5n, signature: sig }]))
        .to.be.revertedWithCustomError(settlement, "SettlementFeeAboveOrderCap")
        .withArgs(hash, FEE_BPS + 1, FEE_BPS);
      await settlement.connect(admin).setFee(feeRecipient.address, FEE_BPS);
      const { fee, sellerProceeds } = splitPrice(5n, 1_000n, BigInt(FEE_BPS));
      const tx = settlement.connect(buyer).fill(order, 5n, sig);
      await expect(tx).to.changeTokenBalances(usd, [buyer, seller, feeRecipient], [-5_000n, sellerProceeds, fee]);
      await settlement.connect(admin).setFee(feeRecipient.address, 0);
      await expect(settlement.connect(buyer2).fill(order, 5n, sig)).to.changeTokenBalances(usd, [seller], [5_000n]);
    });

    it("is part of the signed digest: a taker cannot raise it", async function () {
      const { settlement, admin, seller, buyer, feeRecipient } = f;
      const order = await f.order({ maxFeeBps: 0 });
      const sig = await f.sign(order, seller);
      await settlement.connect(admin).setFee(feeRecipient.address, 50);
      const raised = { ...order, maxFeeBps: 1_000 };
      await expect(settlement.connect(buyer).fill(raised, 1n, sig))
        .to.be.revertedWithCustomError(settlement, "SettlementInvalidSignature")
        .withArgs(seller.address, await settlement.hashOrder(raised));
    });
  });

  describe("insufficient allowance or balance: nothing moves", function () {
    it("payment allowance too low", async function () {
      const { settlement, usd, seller, buyer } = f;
      await usd.connect(buyer).approve(await settlement.getAddress(), 1n);
      const order = await f.order();
      const sig = await f.sign(order, seller);
      const before = await f.snapshot([seller.address, buyer.address]);
      await expect(settlement.connect(buyer).fill(order, 1n, sig)).to.be.revertedWithCustomError(
        usd,
        "ERC20InsufficientAllowance",
      );
      expect(await f.snapshot([seller.address, buyer.address])).to.deep.equal(before);
      expect(await settlement.isNonceClosed(seller.address, order.salt)).to.equal(false);
    });

    it("payment balance too low", async function () {
      const { settlement, usd, seller, buyer, buyer2 } = f;
      await usd.connect(buyer).transfer(buyer2.address, await usd.balanceOf(buyer.address));
      const order = await f.order();
      const before = await f.snapshot([seller.address, buyer.address]);
      await expect(settlement.connect(buyer).fill(order, 1n, await f.sign(order, seller))).to.be.revertedWithCustomError(
        usd,
        "ERC20InsufficientBalance",
      );
      expect(await f.snapshot([seller.address, buyer.address])).to.deep.equal(before);
    });

    it("credit balance too low", async function () {
      const { settlement, creditToken, seller, buyer } = f;
      const order = await f.order({ amount: INITIAL_CREDITS + 1n });
      const before = await f.snapshot([seller.address, buyer.address]);
      await expect(
        settlement.connect(buyer).fill(order, INITIAL_CREDITS + 1n, await f.sign(order, seller)),
      ).to.be.revertedWithCustomError(creditToken, "ERC1155InsufficientBalance");
      expect(await f.snapshot([seller.address, buyer.address])).to.deep.equal(before);
    });

    it("seller did not approve Settlement as operator", async function () {
      const { settlement, creditToken, seller, buyer } = f;
      await creditToken.connect(seller).setApprovalForAll(await settlement.getAddress(), false);
      const order = await f.order();
      const before = await f.snapshot([seller.address, buyer.address]);
      await expect(settlement.connect(buyer).fill(order, 1n, await f.sign(order, seller))).to.be.revertedWithCustomError(
        creditToken,
        "ERC1155MissingApprovalForAll",
      );
      expect(await f.snapshot([seller.address, buyer.address])).to.deep.equal(before);
    });

    it("a failing fill reverts the whole batch", async function () {
      const { settlement, seller, buyer } = f;
      const a = await f.order({ amount: 2n });
      const b = await f.order({ amount: 2n, expiry: 1n });
      const before = await f.snapshot([seller.address, buyer.address]);
      await expect(
        settlement.connect(buyer).fillBatch([
          { order: a, amount: 2n, signature: await f.sign(a, seller) },
          { order: b, amount: 2n, signature: await f.sign(b, seller) },
        ]),
      ).to.be.revertedWithCustomError(settlement, "SettlementOrderExpired");
      expect(await f.snapshot([seller.address, buyer.address])).to.deep.equal(before);
    });
  });

  describe("fillBatch", function () {
    it("settles many orders from several sellers in one transaction", async function () {
      const { settlement, creditToken, seller, seller2, buyer, batchId } = f;
      const a = await f.order({ amount: 3n });
      const b = await f.order({ amount: 4n, maker: seller2.address });
      const tx = settlement.connect(buyer).fillBatch([
        { order: a, amount: 3n, signature: await f.sign(a, seller) },
        { order: b, amount: 2n, signature: await f.sign(b, seller2) },
      ]);
      await expect(tx)
        .to.emit(settlement, "OrderFilled")
        .withArgs(await settlement.hashOrder(a), anyValue, anyValue, anyValue, 3n, anyValue, anyValue);
      await expect(tx)
        .to.emit(settlement, "OrderFilled")
        .withArgs(await settlement.hashOrder(b), anyValue, anyValue, anyValue, 2n, anyValue, anyValue);
      expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS + 5n);
    });
  });

  describe("fees in batches and contract signers", function () {
    it("collects the fees of one buyer's batch in one transfer; each fill still reports its own fee", async function () {
      const { settlement, usd, seller, seller2, buyer, feeRecipient } = f;
      const a = await f.order({ amount: 3n, unitPrice: 1_001n });
      const b = await f.order({ amount: 4n, unitPrice: 2_999n, maker: seller2.address });
      const bid = await f.order({ side: SIDE_BUY, maker: f.buyer2.address, amount: 2n, unitPrice: 5_000n });
      const feeA = splitPrice(3n, 1_001n, BigInt(FEE_BPS)).fee;
      const feeB = splitPrice(4n, 2_999n, BigInt(FEE_BPS)).fee;
      const feeBid = splitPrice(2n, 5_000n, BigInt(FEE_BPS)).fee;
      const tx = settlement.connect(buyer).fillBatch([
        { order: a, amount: 3n, signature: await f.sign(a, seller) },
        { order: b, amount: 4n, signature: await f.sign(b, seller2) },
      ]);
      await expect(tx).to.changeTokenBalances(usd, [feeRecipient, buyer], [feeA + feeB, -(3n * 1_001n + 4n * 2_999n)]);
      const receipt = await (await tx).wait();
      const feeTransfers = receipt!.logs
        .map((l) => (l.address === (usd.target as string) ? usd.interface.parseLog(l) : null))
        .filter((e) => e !== null && e.name === "Transfer" && e.args[1] === feeRecipient.address);
      expect(feeTransfers.length).to.equal(1);
      // a bid in the same batch has another payer: its fee is paid separately
      const c = await f.order({ amount: 1n, unitPrice: 10_000n });
      const mixed = settlement.connect(buyer).fillBatch([
        { order: c, amount: 1n, signature: await f.sign(c, seller) },
        { order: bid, amount: 2n, signature: await f.sign(bid, f.buyer2) },
      ]);
      await expect(mixed).to.changeTokenBalances(
        usd,
        [feeRecipient, f.buyer2],
        [splitPrice(1n, 10_000n, BigInt(FEE_BPS)).fee + feeBid, -10_000n],
      );
    });

    it("accepts an order signed by a smart-contract wallet (ERC-1271) and refuses a wrong owner", async function () {
      const { settlement, creditToken, identityRegistry, kycAgent, seller, buyer, buyer2, batchId } = f;
      const wallet = await (await ethers.getContractFactory("SettlementSmartWallet")).deploy(seller.address);
      const walletAddress = await wallet.getAddress();
      await identityRegistry.connect(kycAgent).registerIdentity(walletAddress, 826, 2n ** 63n);
      await creditToken.connect(seller).safeTransferFrom(seller.address, walletAddress, batchId, 20n, "0x");
      await wallet
        .connect(seller)
        .execute(
          await creditToken.getAddress(),
          creditToken.interface.encodeFunctionData("setApprovalForAll", [await settlement.getAddress(), true]),
        );
      const order = await f.order({ maker: walletAddress, amount: 5n });
      await expect(settlement.connect(buyer).fill(order, 5n, await f.sign(order, seller))).to.emit(settlement, "OrderFilled");
      expect(await creditToken.balanceOf(walletAddress, batchId)).to.equal(15n);
      const forged = await f.order({ maker: walletAddress, amount: 5n });
      await expect(settlement.connect(buyer).fill(forged, 5n, await f.sign(forged, buyer2)))
        .to.be.revertedWithCustomError(settlement, "SettlementInvalidSignature")
        .withArgs(walletAddress, await settlement.hashOrder(forged));
    });
  });

  describe("fill and retire", function () {
    it("creates the retirement request in the same transaction; the units never rest with the buyer", async function () {
      const { settlement, creditToken, registryBridge, seller, buyer, batchId } = f;
      const order = await f.order({ amount: 6n });
      const key = ethers.id("retire-1");
      const details = { beneficiary: "Acme Ltd", reason: "FY2026 scope 1" };
      const requestId = await registryBridge.requestIdOf(buyer.address, key);
      const hash = await settlement.hashOrder(order);
      const tx = settlement.connect(buyer).fillAndRetire(order, 6n, await f.sign(order, seller), key, details);
      await expect(tx).to.emit(settlement, "OrderFilled");
      await expect(tx).to.emit(settlement, "FillRetirementRequested").withArgs(hash, buyer.address, requestId);
      await expect(tx)
        .to.emit(registryBridge, "RetirementRequested")
        .withArgs(requestId, buyer.address, batchId, 6n, key, anyValue, anyValue);
      const receipt = await (await tx).wait();
      expect(receipt).to.not.equal(null);
      expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS);
      expect(await creditToken.balanceOf(await registryBridge.getAddress(), batchId)).to.equal(6n);
      const request = await registryBridge.requestOf(requestId);
      expect(request.status).to.equal(1n); // Pending
    });

    it("refuses bids and paused registries", async function () {
      const { settlement, registryBridge, guardian, seller, buyer, registryId } = f;
      const bid = await f.order({ side: SIDE_BUY, maker: buyer.address });
      const details = { beneficiary: "x", reason: "y" };
      await expect(settlement.connect(seller).fillAndRetire(bid, 1n, await f.sign(bid, buyer), ethers.id("k"), details))
        .to.be.revertedWithCustomError(settlement, "SettlementInvalidSide")
        .withArgs(SIDE_BUY);
      await registryBridge.connect(guardian).pauseRegistry(registryId);
      const order = await f.order();
      await expect(settlement.connect(buyer).fillAndRetire(order, 1n, await f.sign(order, seller), ethers.id("k"), details))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeRegistryPaused")
        .withArgs(registryId);
    });

    it("refuses the idempotency key of an earlier identical request: bought units are never left unlocked", async function () {
      const { settlement, creditToken, registryBridge, seller, buyer, batchId } = f;
      const key = ethers.id("retire-twice");
      const details = { beneficiary: "Acme Ltd", reason: "FY2026 scope 1" };
      const requestId = await registryBridge.requestIdOf(buyer.address, key);
      await registryBridge.connect(buyer).requestRetirement(batchId, 5n, key, details); // 5 of the buyer's own units
      const order = await f.order({ amount: 5n });
      await expect(settlement.connect(buyer).fillAndRetire(order, 5n, await f.sign(order, seller), key, details))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeIdempotencyKeyUsed")
        .withArgs(requestId);
      // nothing moved: the first request's lock is all the bridge holds, the order is still open
      expect(await creditToken.balanceOf(buyer.address, batchId)).to.equal(INITIAL_CREDITS - 5n);
      expect(await creditToken.balanceOf(await registryBridge.getAddress(), batchId)).to.equal(5n);
      expect(await settlement.isNonceClosed(seller.address, order.salt)).to.equal(false);
    });

    it("a paused registry stops it always, also with the key of an earlier request", async function () {
      const { settlement, registryBridge, guardian, seller, buyer, batchId, registryId } = f;
      const key = ethers.id("retire-then-pause");
      const details = { beneficiary: "Acme Ltd", reason: "FY2026 scope 1" };
      await registryBridge.connect(buyer).requestRetirement(batchId, 5n, key, details);
      await registryBridge.connect(guardian).pauseRegistry(registryId);
      const order = await f.order({ amount: 5n });
      await expect(settlement.connect(buyer).fillAndRetire(order, 5n, await f.sign(order, seller), key, details))
        .to.be.revertedWithCustomError(registryBridge, "RegistryBridgeRegistryPaused")
        .withArgs(registryId);
    });
  });

  describe("reentrancy", function () {
    it("a malicious ERC-1155 receiver cannot re-enter a fill", async function () {
      const { settlement, creditToken, seller, batchId } = f;
      const receiver = await f.deployReentrantReceiver();
      const receiverAddress = await receiver.getAddress();
      const order = await f.order({ amount: 10n });
      const sig = await f.sign(order, seller);
      const settlementAddress = await settlement.getAddress();
      const reenter = settlement.interface.encodeFunctionData("fill", [order, 5n, sig]);
      await receiver.arm(settlementAddress, reenter);
      const call = settlement.interface.encodeFunctionData("fill", [order, 5n, sig]);
      await receiver.execute(settlementAddress, call);
      expect(await receiver.callbackCount()).to.equal(1n);
      expect(await receiver.lastCallSucceeded()).to.equal(false);
      const data = await receiver.lastCallData();
      expect(data.slice(0, 10)).to.equal(settlement.interface.getError("ReentrancyGuardReentrantCall")!.selector);
      expect(await settlement.filledAmount(await settlement.hashOrder(order))).to.equal(5n);
      expect(await creditToken.balanceOf(receiverAddress, batchId)).to.equal(5n);
    });

    it("a malicious ERC-20 cannot re-enter a fill or a deal", async function () {
      const { settlement, seller, buyer } = f;
      const evil = await f.deployReentrantPaymentToken();
      const evilAddress = await evil.getAddress();
      const settlementAddress = await settlement.getAddress();
      const order = await f.order({ amount: 10n, paymentToken: evilAddress, unitPrice: 10n });
      const sig = await f.sign(order, seller);
      await evil.arm(settlementAddress, settlement.interface.encodeFunctionData("fill", [order, 5n, sig]));
      await settlement.connect(buyer).fill(order, 5n, sig);
      expect(await evil.callbackCount()).to.equal(1n);
      expect(await evil.lastCallSucceeded()).to.equal(false);
      expect((await evil.lastCallData()).slice(0, 10)).to.equal(
        settlement.interface.getError("ReentrancyGuardReentrantCall")!.selector,
      );
      expect(await settlement.filledAmount(await settlement.hashOrder(order))).to.equal(5n);
      expect(await evil.balanceOf(seller.address)).to.be.greaterThan(0n);
    });
  });
});
