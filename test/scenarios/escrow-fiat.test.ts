/**
 * Scenario 7 of ISSUE 7 on the platform exactly as `npm start` runs it: an escrow deal with a fiat payment leg and
 * delivery into the buyer's registry account. The buyer pays by bank transfer into the platform's collection
 * account with the deal id as reference (booked at the bank simulator); each oracle node reads the bank statement
 * itself and the quorum attests FIAT_PAYMENT_RECEIVED; the delivery goes through the registry (withdrawal request,
 * worker, Verra transfer, oracle confirmation) and the quorum attests REGISTRY_DELIVERY; the deal settles in one
 * transaction. After the bank transfer no party acts: the platform's deal keeper starts the delivery and settles.
 * A deal never paid expires: the seller takes the credits back, the fiat leg has nothing escrowed on-chain to take
 * back, and a late payment settles nothing. Each ends with the books agreeing (`checkInvariants`).
 */
import { expect } from "chai";
import { type Hex, parseEventLogs } from "viem";
import { loadAbi } from "../../backend/src/chain/artifacts";
import { CONDITION_FIAT_PAYMENT_RECEIVED, CONDITION_REGISTRY_DELIVERY } from "../../backend/src/chain/orders";
import { paymentEvidenceOf } from "../../backend/src/payments";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { demoBatch } from "../backend/support/platformFlows";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until } from "../backend/support/platformProcess";
import { DEAL_STATUS, bookCredit, chainNow, dealOf, observationsOf, settlementOf, signFiatDeliveryDeal, sleep } from "./support/escrow";
import { AT_REST, checkInvariants, simulatorState } from "./support/invariants";
import { attempt, must, publicClientOf } from "./support/trading";

const BUYER_REGISTRY_ACCOUNT = "BUYER-REG-001";
/** $12.50 per tonne: fiat unit prices are in minor units (cents) of FIAT_CURRENCY (USD). */
const UNIT_PRICE_CENTS = 1_250n;
/** Oracle nodes pass every second; this is several passes. */
const SEVERAL_PASSES_MS = 5_000;

describe("scenarios: escrow deal with a fiat leg and registry delivery (ISSUE 7, scenario 7)", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  let batchId: bigint;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const buyer = devAccount(DEV_ACCOUNT_INDEX.buyer);
  const token = () => ({ address: platform.address("creditToken"), abi: loadAbi("CreditToken") });
  const balanceOf = async (holder: Hex) => (await publicClientOf(platform).readContract({ ...token(), functionName: "balanceOf", args: [holder, batchId] })) as bigint;
  const supply = async () => (await publicClientOf(platform).readContract({ ...token(), functionName: "totalSupply", args: [batchId] })) as bigint;
  const receiptOf = (hash: Hex) => publicClientOf(platform).getTransactionReceipt({ hash });
  const settlementEvents = async (hash: Hex) => parseEventLogs({ abi: loadAbi("Settlement"), logs: (await receiptOf(hash)).logs }) as unknown as Array<{ eventName: string; args: Record<string, unknown> }>;

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500" }, privatePorts(process.pid + 304));
    const batch = await demoBatch(platform);
    batchId = BigInt(batch.batchId);
    const opened = await fetch(`${platform.simulatorUrl("VERRA")}/_admin/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: BUYER_REGISTRY_ACCOUNT, name: "Demo buyer's own Verra account" }),
    });
    expect(opened.status).to.equal(200);
  });
  after(async () => {
    await platform?.stop();
  });

  /** The API's view of the deal once the index shows it with `status` (the index follows the chain a block or two later). */
  const dealInApi = (dealId: Hex, status: string) =>
    until(`the deal ${status} in the API`, async () => {
      const current = await getJson(`${platform.api}/deals/${dealId}`);
      return current.status === status ? current : undefined;
    }, 30_000);

  /**
   * A fiat-leg deal delivering `amount` into the buyer's registry account, signed by both and opened by the seller
   * (its credits go into escrow; a fiat leg escrows nothing), once the API has indexed it.
   */
  async function openFiatDeal(amount: bigint, deadlineInSeconds: bigint, salt: bigint) {
    const sellerBefore = await balanceOf(seller.address);
    const signed = await signFiatDeliveryDeal(platform, { seller, buyer }, {
      batchId,
      amount,
      unitPriceMinor: UNIT_PRICE_CENTS,
      buyerRegistryAccount: BUYER_REGISTRY_ACCOUNT,
      deadline: (await chainNow(platform)) + deadlineInSeconds,
      salt,
    });
    const { dealId } = signed;
    const opened = await must(platform, seller, { ...settlementOf(platform), functionName: "openDeal", args: [signed.deal, signed.sellerSignature, signed.buyerSignature] });
    expect(await balanceOf(seller.address)).to.equal(sellerBefore - amount);
    await dealInApi(dealId, "open");
    return { dealId, opened, deadline: signed.deal.deadline };
  }

  it("paid in full (after a partial payment that is not enough) and delivered at the registry: the quorum attests both, and the platform's deal keeper starts the delivery and settles the deal in one transaction", async () => {
    const amount = 1_000n;
    const price = amount * UNIT_PRICE_CENTS;
    const settlement = settlementOf(platform);
    const sellerBefore = await balanceOf(seller.address);
    const supplyBefore = await supply();
    const { dealId, opened } = await openFiatDeal(amount, 3_600n, 1n);
    const openedEvent = (await settlementEvents(opened.hash)).find((e) => e.eventName === "DealOpened");
    expect(openedEvent?.args).to.include({ dealId, price, conditions: CONDITION_FIAT_PAYMENT_RECEIVED | CONDITION_REGISTRY_DELIVERY });
    expect(await balanceOf(settlement.address)).to.equal(amount);

    // A partial transfer arrives: the oracles read it and sign nothing.
    const first = await bookCredit(platform, { reference: dealId, amountMinor: 600_000n });
    await sleep(SEVERAL_PASSES_MS);
    expect(await observationsOf(platform, `${dealId}:${CONDITION_FIAT_PAYMENT_RECEIVED}`)).to.deep.equal([]);
    expect((await dealOf(platform, dealId)).satisfied).to.equal(0);

    // The rest arrives: the quorum attests the payment with the hash of both bank transactions as evidence.
    const second = await bookCredit(platform, { reference: dealId, amountMinor: price - 600_000n });
    await until("FIAT_PAYMENT_RECEIVED on chain", async () => ((await dealOf(platform, dealId)).satisfied & CONDITION_FIAT_PAYMENT_RECEIVED) !== 0 || undefined, 60_000, 200);
    const evidence = paymentEvidenceOf([first.transactionId, second.transactionId]);
    const client = publicClientOf(platform);
    const confirmedFiat = await client.getContractEvents({ ...settlement, eventName: "DealConditionConfirmed", args: { dealId, condition: CONDITION_FIAT_PAYMENT_RECEIVED }, fromBlock: opened.blockNumber });
    expect(confirmedFiat).to.have.length(1);
    expect((confirmedFiat[0] as unknown as { args: { evidence: Hex } }).args.evidence).to.equal(evidence);
    const fiatObservations = await observationsOf(platform, `${dealId}:${CONDITION_FIAT_PAYMENT_RECEIVED}`);
    expect(new Set(fiatObservations.map((o) => o.signer)).size, "distinct oracle nodes, each from its own read of the bank").to.be.at.least(2);
    expect(new Set(fiatObservations.map((o) => o.digest)).size, "honest nodes sign the same message").to.equal(1);

    // Delivery: nobody but the platform's deal keeper acts from here on. It starts the delivery once the payment is
    // indexed; the credits go to the bridge under a withdrawal request held by Settlement.
    const keeper = devAccount(DEV_ACCOUNT_INDEX.keeper).address.toLowerCase();
    await until("the keeper's startDelivery", async () => (await dealOf(platform, dealId)).status !== DEAL_STATUS.Open || undefined, 60_000, 200);
    const started = await client.getContractEvents({ ...settlement, eventName: "DealDeliveryStarted", args: { dealId }, fromBlock: opened.blockNumber });
    expect(started).to.have.length(1);
    const { requestId } = (started[0] as unknown as { args: { requestId: Hex } }).args;
    expect(requestId).to.match(/^0x[0-9a-f]{64}$/);
    expect((await dealOf(platform, dealId)).deliveryRequestId).to.equal(requestId);
    expect((await client.getTransaction({ hash: started[0]!.transactionHash })).from.toLowerCase(), "startDelivery sent by the keeper").to.equal(keeper);

    // Worker -> Verra transfer to the buyer's account -> oracles confirm the withdrawal (burn) -> REGISTRY_DELIVERY.
    await until("REGISTRY_DELIVERY on chain", async () => ((await dealOf(platform, dealId)).satisfied & CONDITION_REGISTRY_DELIVERY) !== 0 || undefined, 120_000, 250);
    expect(await supply()).to.equal(supplyBefore - amount);
    // The API follows the chain a block or two later (the indexer's confirmations).
    await until("the indexed withdrawal confirmation", async () => (await getJson(`${platform.api}/requests/${requestId}`)).chainStatus === "confirmed" || undefined, 30_000, 250);

    // Anyone may settle once both hold: the keeper does, in one transaction.
    await until("the keeper's settleDeal", async () => (await dealOf(platform, dealId)).status === DEAL_STATUS.Settled || undefined, 60_000, 200);
    const settledLogs = await client.getContractEvents({ ...settlement, eventName: "DealSettled", args: { dealId }, fromBlock: opened.blockNumber });
    expect(settledLogs).to.have.length(1);
    const settledTx = await client.getTransaction({ hash: settledLogs[0]!.transactionHash });
    expect(settledTx.from.toLowerCase(), "settleDeal sent by the keeper").to.equal(keeper);
    const events = await settlementEvents(settledTx.hash);
    expect(events.map((e) => e.eventName)).to.deep.equal(["DealSettled"]);
    expect(events[0]!.args).to.deep.equal({ dealId, sellerProceeds: 0n, fee: 0n }); // the money moved at the bank, not on-chain
    expect((await dealOf(platform, dealId)).status).to.equal(DEAL_STATUS.Settled);
    expect(await balanceOf(seller.address)).to.equal(sellerBefore - amount);
    expect(await balanceOf(settlement.address)).to.equal(0n);
    expect(await balanceOf(buyer.address)).to.equal(0n);

    // The registry shows the units in the buyer's own account, moved by exactly one transfer carrying the request id.
    const registry = await simulatorState(platform);
    const transfers = registry.operations.filter((op) => op.kind === "TRANSFER");
    expect(transfers.map((op) => ({ memo: op.memo, status: op.status, quantity: op.quantity }))).to.deep.equal([{ memo: requestId, status: "CONFIRMED", quantity: "1000" }]);
    const delivered = registry.blocks.filter((b) => b.account === BUYER_REGISTRY_ACCOUNT);
    expect(delivered.reduce((sum, b) => sum + BigInt(b.blockEnd) - BigInt(b.blockStart) + 1n, 0n)).to.equal(amount);
    expect(delivered.map((b) => b.status)).to.deep.equal(["ACTIVE"]);

    const view = await dealInApi(dealId, "settled");
    expect(view).to.include({ dealId, paymentToken: null, paymentAmount: price.toString(), deliveryRequestId: requestId, sellerProceeds: "0", fee: "0" });
    expect(view.conditionsSatisfied).to.have.members(["FIAT_PAYMENT_RECEIVED", "REGISTRY_DELIVERY"]);
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });

  it("never paid: after the deadline the seller reclaims the credits, the fiat leg has nothing on-chain to reclaim, and a late payment settles nothing", async () => {
    const amount = 500n;
    const price = amount * UNIT_PRICE_CENTS;
    const settlement = settlementOf(platform);
    const sellerBefore = await balanceOf(seller.address);
    const { dealId, opened, deadline } = await openFiatDeal(amount, 40n, 2n);
    const early = await attempt(platform, seller, { ...settlement, functionName: "reclaimCredits", args: [dealId] });
    expect(early).to.include({ status: "reverted", error: "SettlementDealDeadline" });

    // The deadline passes on the chain's clock with no payment; then the buyer's transfer arrives, too late.
    await until("the deadline on chain", async () => (await chainNow(platform)) >= deadline || undefined, 120_000, 500);
    await bookCredit(platform, { reference: dealId, amountMinor: price });
    await sleep(SEVERAL_PASSES_MS);
    expect(await observationsOf(platform, `${dealId}:${CONDITION_FIAT_PAYMENT_RECEIVED}`)).to.deep.equal([]);
    expect((await dealOf(platform, dealId)).satisfied).to.equal(0);
    const undelivered = await attempt(platform, buyer, { ...settlement, functionName: "startDelivery", args: [dealId] });
    expect(undelivered).to.include({ status: "reverted", error: "SettlementConditionsMissing" });

    // Both legs reclaimed: the seller's credits come back; the buyer's leg is off-chain (nothing escrowed here).
    const reclaimed = await must(platform, seller, { ...settlement, functionName: "reclaimCredits", args: [dealId] });
    const events = await settlementEvents(reclaimed.hash);
    expect(events.map((e) => e.eventName)).to.deep.equal(["DealLegReclaimed"]);
    expect(events[0]!.args).to.deep.equal({ dealId, party: seller.address, credits: amount, payment: 0n });
    expect(await balanceOf(seller.address)).to.equal(sellerBefore);
    expect(await balanceOf(settlement.address)).to.equal(0n);
    const payment = await attempt(platform, buyer, { ...settlement, functionName: "reclaimPayment", args: [dealId] });
    expect(payment).to.include({ status: "reverted", error: "SettlementNothingToReclaim" });
    expect(payment.errorArgs).to.deep.equal([dealId, buyer.address]);
    const onChain = await dealOf(platform, dealId);
    expect(onChain).to.include({ status: DEAL_STATUS.Expired, satisfied: 0, creditsReclaimed: true, paymentReclaimed: false });

    // Another late transfer: still nothing is attested, and the deal cannot settle or deliver any more.
    await bookCredit(platform, { reference: dealId, amountMinor: price });
    await sleep(SEVERAL_PASSES_MS);
    expect(await observationsOf(platform, `${dealId}:${CONDITION_FIAT_PAYMENT_RECEIVED}`)).to.deep.equal([]);
    expect(await attempt(platform, seller, { ...settlement, functionName: "settleDeal", args: [dealId] })).to.include({ status: "reverted", error: "SettlementDealWrongStatus" });
    expect(await attempt(platform, buyer, { ...settlement, functionName: "startDelivery", args: [dealId] })).to.include({ status: "reverted", error: "SettlementDealWrongStatus" });
    const settledLogs = await publicClientOf(platform).getContractEvents({ ...settlement, eventName: "DealSettled", args: { dealId }, fromBlock: opened.blockNumber });
    expect(settledLogs).to.deep.equal([]);
    expect(await balanceOf(buyer.address)).to.equal(0n);
    expect((await simulatorState(platform)).operations.filter((op) => op.memo === dealId)).to.deep.equal([]);

    const view = await dealInApi(dealId, "reclaimed");
    expect(view.conditionsSatisfied).to.deep.equal([]);
    expect(view.deliveryRequestId).to.equal(null);
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
