/**
 * Trading scenarios of ISSUE 7 on the platform exactly as `npm start` runs it: orders posted through the API,
 * fills and retirement requests as wallet transactions racing on the real chain, the Verra simulator confirming
 * when it chooses, and at the end the registry's books, the chain and the database agreeing (`checkInvariants`).
 */
import { expect } from "chai";
import { type Hex, type LocalAccount, keccak256, parseAbiItem, toHex } from "viem";
import { loadAbi } from "../../backend/src/chain/artifacts";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { demoBatch } from "../backend/support/platformFlows";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until, verifyCertificate } from "../backend/support/platformProcess";
import { AT_REST, checkInvariants, simulatorState } from "./support/invariants";
import { type Outcome, attempt, depositSellerBlock, fundedBuyers, must, postSellOrder, publicClientOf } from "./support/trading";

const RETIREMENT = { beneficiary: "Acme Ltd", reason: "FY2026 scope 3" };

async function setVerraKnobs(platform: PlatformProcess, knobs: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${platform.simulatorUrl("VERRA")}/_admin/knobs`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(knobs),
  });
  if (!response.ok) throw new Error(`knobs: ${response.status} ${await response.text()}`);
}

describe("scenarios: trading against registry confirmation (ISSUE 7)", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  let api: string;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const buyer = devAccount(DEV_ACCOUNT_INDEX.buyer);
  const secondBuyer = devAccount(DEV_ACCOUNT_INDEX.secondBuyer);
  const token = () => ({ address: platform.address("creditToken"), abi: loadAbi("CreditToken") });
  const balanceOf = async (holder: Hex, batchId: bigint) =>
    (await publicClientOf(platform).readContract({ ...token(), functionName: "balanceOf", args: [holder, batchId] })) as bigint;
  const supplyOf = async (batchId: bigint) => (await publicClientOf(platform).readContract({ ...token(), functionName: "totalSupply", args: [batchId] })) as bigint;

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500" }, privatePorts(process.pid + 101));
    api = platform.api;
  });
  after(async () => {
    await platform?.stop();
  });
  // Scenario 1 holds Verra's confirmations for a manual batch run; whatever happens to it, the next scenario needs
  // them immediate again.
  afterEach(async () => {
    await setVerraKnobs(platform, { confirmation: { mode: "immediate" } });
  });

  it("a buyer buys and retires 10,000 t while the registry confirms in its own batch; a second buyer is refused the same units meanwhile; then the burn, a verified certificate and agreeing books", async () => {
    const batch = await demoBatch(platform);
    const batchId = BigInt(batch.batchId);
    expect(batch.custody.available).to.equal("10000");
    // The registry holds every operation for its next batch run, which the test triggers below.
    await setVerraKnobs(platform, { confirmation: { mode: "manual" } });

    const { order, signature, orderHash } = await postSellOrder(platform, seller, { batchId, amount: 10_000n, unitPrice: 12_500_000n, salt: 1n });
    const book = await getJson(`${api}/batches/${batchId}/orders`);
    expect(book.items.map((o: { orderHash: string; remaining: string }) => [o.orderHash, o.remaining])).to.deep.equal([[orderHash, "10000"]]);

    const settlement = { address: platform.address("settlement"), abi: loadAbi("Settlement") };
    const idempotencyKey = keccak256(toHex(`trading-retire-all-${Date.now()}`));
    await must(platform, buyer, { ...settlement, functionName: "fillAndRetire", args: [order, 10_000n, signature, idempotencyKey, RETIREMENT] });
    const request = await until("the indexed retirement request", async () => (await getJson(`${api}/requests?holder=${buyer.address}`)).items[0], 30_000);
    const requestId = request.requestId as string;
    expect(request).to.include({ kind: "retirement", amount: "10000", chainStatus: "pending" });

    // The worker has submitted the retirement; the registry has accepted it but not confirmed it.
    const pending = await until(
      "the registry's pending retirement",
      async () => (await simulatorState(platform)).operations.find((op) => op.memo === requestId && op.status === "PENDING"),
      60_000,
    );
    expect(pending).to.include({ kind: "RETIRE", quantity: "10000" });

    // During the wait the second buyer cannot get the units: the order is closed, and the units are with the bridge.
    const refill = await attempt(platform, secondBuyer, { ...settlement, functionName: "fill", args: [order, 10_000n, signature] });
    expect(refill).to.include({ status: "reverted", error: "SettlementOrderClosed" });
    const partial = await attempt(platform, secondBuyer, { ...settlement, functionName: "fill", args: [order, 1n, signature] });
    expect(partial).to.include({ status: "reverted", error: "SettlementOrderClosed" });
    await must(platform, buyer, { ...token(), functionName: "setApprovalForAll", args: [settlement.address, true] });
    const resale = await postSellOrder(platform, buyer, { batchId, amount: 10_000n, unitPrice: 13_000_000n, salt: 2n });
    const resold = await attempt(platform, secondBuyer, { ...settlement, functionName: "fill", args: [resale.order, 10_000n, resale.signature] });
    expect(resold).to.include({ status: "reverted", error: "ERC1155InsufficientBalance" });
    const handedOver = await attempt(platform, buyer, { ...token(), functionName: "safeTransferFrom", args: [buyer.address, secondBuyer.address, batchId, 1n, "0x"] });
    expect(handedOver).to.include({ status: "reverted", error: "ERC1155InsufficientBalance" });
    expect(await balanceOf(secondBuyer.address, batchId)).to.equal(0n);
    expect(await balanceOf(platform.address("registryBridge"), batchId)).to.equal(10_000n);
    expect(await supplyOf(batchId)).to.equal(10_000n);

    const waiting = await until(
      "the API's pending retirement",
      async () => {
        const view = await getJson(`${api}/batches/${batchId}`);
        return view.custody.pendingRetirement === "10000" ? view : undefined;
      },
      30_000,
    );
    expect(waiting.custody).to.include({ totalSupply: "10000", available: "0", pendingRetirement: "10000", retired: "0" });
    const inventory = (await getJson(`${api}/holders/${buyer.address}/inventory`)).items.find((item: { batchId: string }) => item.batchId === batch.batchId);
    expect(inventory).to.include({ available: "0", pendingRetirement: "10000", retired: "0" });
    expect((await getJson(`${api}/batches/${batchId}/orders`)).items.filter((o: { orderHash: string }) => o.orderHash === orderHash)).to.deep.equal([]);
    expect((await getJson(`${api}/requests/${requestId}`)).chainStatus).to.equal("pending");

    // The registry's batch run confirms; the platform sees it, the oracles attest and the bridge burns.
    const confirmed = await (await fetch(`${platform.simulatorUrl("VERRA")}/_admin/confirm`, { method: "POST" })).json();
    expect((confirmed as { confirmed: number }).confirmed).to.be.at.least(1);
    const done = await until(
      "the burn",
      async () => {
        const current = await getJson(`${api}/requests/${requestId}`);
        return current.chainStatus === "confirmed" ? current : undefined;
      },
      90_000,
    );
    expect(done).to.include({ status: "confirmed", registryStatus: "CONFIRMED" });
    expect(await supplyOf(batchId)).to.equal(0n);
    expect(await balanceOf(platform.address("registryBridge"), batchId)).to.equal(0n);

    const report = await verifyCertificate(platform, requestId);
    expect(report.checks.filter((check) => !check.ok)).to.deep.equal([]);
    expect(report.verdict).to.equal("VERIFIED");

    const registry = await simulatorState(platform);
    const retirements = registry.operations.filter((op) => op.kind === "RETIRE");
    expect(retirements.map((op) => ({ memo: op.memo, status: op.status, quantity: op.quantity }))).to.deep.equal([{ memo: requestId, status: "CONFIRMED", quantity: "10000" }]);
    const after = await until(
      "the indexed burn",
      async () => {
        const view = await getJson(`${api}/batches/${batchId}`);
        return view.custody.retired === "10000" ? view : undefined;
      },
      30_000,
    );
    expect(after.custody).to.include({ totalSupply: "0", available: "0", pendingRetirement: "0", retired: "10000" });
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });

  it("50 concurrent clients race for the same units (fills and retirement requests): what is sold or retired never exceeds what was there", async () => {
    const serial = "20002-2000010001-2000015000-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
    const [batchId, buyers] = await Promise.all([
      depositSellerBlock(platform, seller, serial),
      fundedBuyers(platform, `trading-race-${process.pid}`, 40, 1_000_000n * 10n ** 6n),
    ]);
    const available = 5_000n;
    expect(await balanceOf(seller.address, batchId)).to.equal(available);

    // Two orders for 3,000 each against 5,000 held; 40 fills of 250 (10,000) and 10 retirements of 300 (3,000).
    const orders = [
      await postSellOrder(platform, seller, { batchId, amount: 3_000n, unitPrice: 10_000_000n, salt: 11n }),
      await postSellOrder(platform, seller, { batchId, amount: 3_000n, unitPrice: 10_500_000n, salt: 12n }),
    ];
    const settlement = { address: platform.address("settlement"), abi: loadAbi("Settlement") };
    const bridge = { address: platform.address("registryBridge"), abi: loadAbi("RegistryBridge") };
    const client = publicClientOf(platform);
    const fromBlock = await client.getBlockNumber();
    const sellerNonce = await client.getTransactionCount({ address: seller.address, blockTag: "pending" });
    const FILL = 250n;
    const RETIRE = 300n;
    type Client = { kind: "fill"; buyer: LocalAccount; order: number } | { kind: "retire"; index: number };
    const clients: Client[] = [];
    for (let i = 0; i < 40; i++) {
      clients.push({ kind: "fill", buyer: buyers[i]!, order: i % 2 });
      if (i % 4 === 3) clients.push({ kind: "retire", index: (i - 3) / 4 });
    }
    expect(clients).to.have.length(50);
    const outcomes = await Promise.all(
      clients.map(async (c): Promise<Outcome & { client: Client }> => {
        if (c.kind === "fill") {
          const { order, signature } = orders[c.order]!;
          return { client: c, ...(await attempt(platform, c.buyer, { ...settlement, functionName: "fill", args: [order, FILL, signature] })) };
        }
        const key = keccak256(toHex(`trading-race-retire-${c.index}`));
        return { client: c, ...(await attempt(platform, seller, { ...bridge, functionName: "requestRetirement", args: [batchId, RETIRE, key, RETIREMENT], nonce: sellerNonce + c.index })) };
      }),
    );

    // Every loser lost with a named error that says why; no attempt vanished.
    const fills = outcomes.filter((o) => o.client.kind === "fill");
    const retirements = outcomes.filter((o) => o.client.kind === "retire");
    const failedFills = fills.filter((o) => o.status === "reverted");
    const failedRetirements = retirements.filter((o) => o.status === "reverted");
    for (const o of failedFills) expect(["SettlementOrderClosed", "SettlementOverfill", "ERC1155InsufficientBalance"], `${o.hash}`).to.include(o.error);
    for (const o of failedRetirements) expect(["ERC1155InsufficientBalance"], `${o.hash}`).to.include(o.error);
    expect(failedFills.length, "10,000 units of fills against 6,000 on offer").to.be.at.least(16);

    // The chain's own record: OrderFilled and RetirementRequested logs, the balances.
    const toBlock = await client.getBlockNumber();
    const filledLogs = await client.getLogs({
      address: settlement.address,
      event: parseAbiItem("event OrderFilled(bytes32 indexed orderHash, address indexed seller, address indexed buyer, uint256 batchId, uint256 amount, uint256 price, uint256 fee)"),
      fromBlock,
      toBlock,
    });
    const sold = filledLogs.reduce((sum, log) => sum + (log.args.amount ?? 0n), 0n);
    const requested = await client.getContractEvents({ ...bridge, eventName: "RetirementRequested", fromBlock, toBlock });
    const retired = requested.filter((log) => BigInt((log as { args: { batchId: bigint } }).args.batchId) === batchId).reduce((sum, log) => sum + BigInt((log as { args: { amount: bigint } }).args.amount), 0n);
    const successfulFills = fills.length - failedFills.length;
    const successfulRetirements = retirements.length - failedRetirements.length;
    expect(filledLogs).to.have.length(successfulFills);
    expect(sold).to.equal(BigInt(successfulFills) * FILL);
    expect(retired).to.equal(BigInt(successfulRetirements) * RETIRE);
    expect(sold + retired <= available, `units sold ${sold} + retired ${retired} <= ${available}`).to.equal(true);
    for (const { orderHash } of orders) {
      const perOrder = filledLogs.filter((log) => log.args.orderHash === orderHash).reduce((sum, log) => sum + (log.args.amount ?? 0n), 0n);
      expect(perOrder <= 3_000n, `${orderHash} filled ${perOrder}`).to.equal(true);
    }
    expect(await balanceOf(seller.address, batchId)).to.equal(available - sold - retired);
    const buyerBalances = await Promise.all(fills.map((o) => balanceOf((o.client as { buyer: LocalAccount }).buyer.address, batchId)));
    fills.forEach((o, i) => expect(buyerBalances[i], o.hash).to.equal(o.status === "success" ? FILL : 0n));

    // The registry answers every accepted retirement; the bridge burns exactly those units.
    const requestIds = requested.map((log) => (log as { args: { requestId: string } }).args.requestId);
    await until(
      "every retirement answered",
      async () => {
        const page = await getJson(`${api}/requests?batchId=${batchId}&kind=retirement&limit=200`);
        const confirmed = page.items.filter((r: { chainStatus: string }) => r.chainStatus === "confirmed");
        return confirmed.length === requestIds.length ? true : undefined;
      },
      120_000,
      500,
    );
    expect(await supplyOf(batchId)).to.equal(available - retired);
    const registry = await simulatorState(platform);
    const registryRetirements = registry.operations.filter((op) => op.kind === "RETIRE" && requestIds.includes(op.memo));
    expect(registryRetirements.map((op) => [op.status, op.quantity])).to.deep.equal(requestIds.map(() => ["CONFIRMED", String(RETIRE)]));

    // The API's numbers are the chain's. The wait includes the trades: custody totals do not move with fills, and
    // when the fills win every unit no retirement exists to wait for (CI once read the trades a block too early).
    const { view, trades } = await until(
      "the indexed race",
      async () => {
        const current = await getJson(`${api}/batches/${batchId}`);
        const listed = (await getJson(`${api}/trades?batchId=${batchId}&limit=200`)).items as Array<{ amount: string; txHash: string }>;
        const indexed = current.custody.retired === retired.toString() && current.custody.available === (available - retired).toString();
        return indexed && listed.length === successfulFills ? { view: current, trades: listed } : undefined;
      },
      30_000,
    );
    expect(view.custody).to.include({ totalSupply: (available - retired).toString(), pendingRetirement: "0", retired: retired.toString() });
    expect(trades.reduce((sum, trade) => sum + BigInt(trade.amount), 0n)).to.equal(sold);
    expect(trades.map((trade) => trade.txHash).sort()).to.deep.equal(fills.filter((o) => o.status === "success").map((o) => o.hash).sort());
    const held = (await getJson(`${api}/holders/${seller.address}/inventory`)).items as Array<{ batchId: string }>;
    // A holder left with nothing of the batch (all sold, no request) has no line for it.
    const inventory = held.find((item) => item.batchId === batchId.toString()) ?? { available: "0", pendingRetirement: "0", retired: "0" };
    expect(inventory, JSON.stringify(held)).to.include({ available: (available - sold - retired).toString(), pendingRetirement: "0", retired: retired.toString() });
    const book = (await getJson(`${api}/batches/${batchId}/orders`)).items as Array<{ orderHash: string; remaining: string }>;
    for (const { orderHash } of orders) {
      const filled = filledLogs.filter((log) => log.args.orderHash === orderHash).reduce((sum, log) => sum + (log.args.amount ?? 0n), 0n);
      const listed = book.find((o) => o.orderHash === orderHash);
      expect(listed?.remaining ?? "0", orderHash).to.equal((3_000n - filled).toString());
    }

    console.log(
      `      race: ${successfulFills}/40 fills (${sold} t), ${successfulRetirements}/10 retirements (${retired} t) of ${available} t; ` +
        `failures: ${JSON.stringify(Object.fromEntries([...new Set(outcomes.filter((o) => o.error).map((o) => o.error!))].map((e) => [e, outcomes.filter((o) => o.error === e).length])))}`,
    );
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
