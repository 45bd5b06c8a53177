/**
 * The registry flows end to end on the platform exactly as `npm start` runs it (its own process: embedded chain,
 * PostgreSQL, simulators, workers, oracle nodes, aggregator, watchers, reconciliation): a holder's wallet and the
 * registry's own API are the only things the test drives.
 */
import { expect } from "chai";
import { createPublicClient, createWalletClient, http, keccak256, toHex } from "viem";
import { hardhat } from "viem/chains";
import { loadAbi } from "../../../backend/src/chain/artifacts";
import { PLATFORM_CUSTODY_ACCOUNT, SELLER_REGISTRY_ACCOUNT } from "../../../backend/src/platform/demo";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../../backend/src/platform/devAccounts";
import { createRegistryAdapters } from "../../../backend/src/registries/adapters";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { demoBatch, signIn } from "../support/platformFlows";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until, verifyCertificate } from "../support/platformProcess";

describe("e2e: registry flows on the running platform (workers, oracle nodes, aggregator, watchers)", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  let api: string;
  let verra: RegistryPort;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);

  before(async () => {
    const ports = privatePorts(process.pid + 13);
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500", RECONCILE_INTERVAL_MS: "2000" }, ports);
    api = platform.api;
    verra = createRegistryAdapters({ urls: { VERRA: `http://127.0.0.1:${ports.sim}` } }).VERRA as RegistryPort;
  });
  after(async () => {
    await platform?.stop();
  });

  it("retires through the registry: request on chain, one registry retirement with the request id as memo, burn on a 2-of-3 quorum, certificate served", async () => {
    const batch = await demoBatch(platform);
    const wallet = createWalletClient({ account: seller, chain: hardhat, transport: http(platform.rpc) });
    const client = createPublicClient({ chain: hardhat, transport: http(platform.rpc) });
    const idempotencyKey = keccak256(toHex(`e2e-retirement-${Date.now()}`));
    const hash = await wallet.writeContract({
      address: platform.address("registryBridge"),
      abi: loadAbi("RegistryBridge"),
      functionName: "requestRetirement",
      args: [BigInt(batch.batchId), 250n, idempotencyKey, { beneficiary: "Acme Ltd", reason: "FY2026 scope 3" }],
    });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 100 });
    expect(receipt.status).to.equal("success");
    const requested = await until("the indexed request", async () => (await getJson(`${api}/requests?holder=${seller.address}`)).items[0], 30_000);
    const requestId = requested.requestId as string;

    const done = await until(
      "the burn",
      async () => {
        const request = await getJson(`${api}/requests/${requestId}`);
        return request.chainStatus === "confirmed" ? request : undefined;
      },
      90_000,
    );
    expect(done).to.include({ status: "confirmed", registryStatus: "CONFIRMED" });
    const operation = await verra.findOperationByMemo(requestId);
    expect(operation).to.include({ kind: "RETIRE", status: "CONFIRMED", memo: requestId, quantity: 250n });
    expect(done.registryReference).to.equal(operation!.operationId);
    const certificate = await getJson(`${api}/certificates/${requestId}`);
    expect(certificate).to.include({ requestId, amount: "250", registryReference: operation!.operationId });
    // An auditor checks it from chain logs alone, trusting neither the API nor the database.
    const report = await verifyCertificate(platform, requestId);
    expect(report.checks.filter((check) => !check.ok)).to.deep.equal([]);
    expect(report.verdict).to.equal("VERIFIED");
    const after = await getJson(`${api}/batches/${batch.batchId}`);
    expect(after.custody.totalSupply).to.equal("9750");
    expect(after.custody.retired).to.equal("250");
  });

  it("tokenizes a deposit: intent through the API, transfer into custody with the intent id as memo, immobilized, attested and minted to the wallet", async () => {
    const token = await signIn(api, seller);
    const serial = "20002-2000010001-2000015000-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
    const created = await fetch(`${api}/deposits/intents`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ registry: "VERRA", serial }),
    });
    expect(created.status, await created.clone().text()).to.equal(201);
    const intent = (await created.json()) as { intentId: string; custodyAccount: string };
    expect(intent.custodyAccount).to.equal(PLATFORM_CUSTODY_ACCOUNT);

    // The holder's own step at the registry: move the block into the platform's custody account with the memo.
    const { blocks } = await verra.listHoldings({ account: SELLER_REGISTRY_ACCOUNT });
    const block = blocks.find((candidate) => candidate.serial === serial);
    expect(block, "the seller's block at the Verra simulator").to.not.equal(undefined);
    await verra.transfer({ fromAccount: SELLER_REGISTRY_ACCOUNT, toAccount: PLATFORM_CUSTODY_ACCOUNT, recordId: block!.registryRecordId, quantity: 5000n, memo: intent.intentId });

    const minted = await until(
      "the mint",
      async () => {
        const response = await fetch(`${api}/deposits/intents/${intent.intentId}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await response.json()) as { status: string };
        return body.status === "minted" ? body : undefined;
      },
      90_000,
    );
    expect(minted).to.include({ status: "minted" });
    const custody = await verra.getBlock(block!.registryRecordId);
    expect(custody).to.include({ status: "IMMOBILIZED", holderAccount: PLATFORM_CUSTODY_ACCOUNT });
    const inventory = await getJson(`${api}/holders/${seller.address}/inventory`);
    const batches = inventory.items.map((item: { batchId: string; available: string }) => item.available);
    expect(batches).to.include("5000");
  });

  it("reconciles the registry custody against the chain: every batch observed, nothing found", async () => {
    const key = platform.operatorKey();
    const run = await until(
      "a reconciliation run that saw both batches",
      async () => {
        const response = await fetch(`${api}/reconciliation/runs?limit=1`, { headers: { "x-api-key": key } });
        const latest = ((await response.json()) as { items: Array<{ status: string; summary: { batches: number; unobserved: number } }> }).items[0];
        return latest !== undefined && latest.summary.batches >= 2 && latest.summary.unobserved === 0 ? latest : undefined;
      },
      120_000,
      1_000,
    );
    expect(run.status).to.equal("clean");
  });
});
