/**
 * ISSUE 12 §2 on the platform exactly as `npm start` runs it: a buyer retires with a beneficiary that holds a NUL and
 * other control characters (valid on chain, not storable as PostgreSQL text), and a normal trade follows. The
 * indexer must project both, the retirement must run its whole course (registry, quorum, burn, certificate), and
 * the indexer must stay live and caught up: one hostile string never stops the projection for anyone else.
 */
import { expect } from "chai";
import { keccak256, toHex } from "viem";
import { settlementAbi } from "../../backend/src/chain/abi";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { demoBatch } from "../support/platformFlows";
import {
  type PlatformProcess,
  getJson,
  privatePorts,
  startPlatformProcess,
  until,
  verifyCertificate,
} from "../support/platformProcess";
import { AT_REST, checkInvariants } from "./support/invariants";
import { must, postSellOrder, publicClientOf } from "./support/trading";

const POISONED = { beneficiary: "Acme\u0000Ltd\u0007\u001b[31m", reason: "FY2026\u0000scope 3" };

describe("scenarios: a poisoned beneficiary, then a normal trade (ISSUE 12 §2)", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const buyer = devAccount(DEV_ACCOUNT_INDEX.buyer);
  const secondBuyer = devAccount(DEV_ACCOUNT_INDEX.secondBuyer);

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500" }, privatePorts(process.pid + 131));
  });
  after(async () => {
    await platform?.stop();
  });

  it("indexes the poisoned retirement and the trade after it, confirms the retirement, and the indexer keeps up", async () => {
    const { api } = platform;
    const batchId = BigInt((await demoBatch(platform)).batchId);
    const { order, signature } = await postSellOrder(platform, seller, {
      batchId,
      amount: 100n,
      unitPrice: 12_000_000n,
      salt: 131n,
    });
    const settlement = { address: platform.address("settlement"), abi: settlementAbi };
    await must(platform, buyer, {
      ...settlement,
      functionName: "fillAndRetire",
      args: [order, 10n, signature, keccak256(toHex(`poisoned-${Date.now()}`)), POISONED],
    });
    const trade = await must(platform, secondBuyer, { ...settlement, functionName: "fill", args: [order, 5n, signature] });

    // The trade after the poisoned event is indexed: the projection did not stop at the NUL.
    const trades = await until(
      "the trade after the poisoned retirement",
      async () => {
        const listed = (await getJson(`${api}/trades?batchId=${batchId}&limit=50`)).items as Array<{ txHash: string }>;
        return listed.some((t) => t.txHash === trade.hash) ? listed : undefined;
      },
      30_000,
    );
    expect(trades).to.have.length(2);

    // The retirement is listed with its beneficiary stored in the reversible escaped form, and runs its course.
    const done = await until(
      "the poisoned retirement confirmed and burnt",
      async () => {
        const request = (await getJson(`${api}/requests?holder=${buyer.address}`)).items[0];
        return request?.chainStatus === "confirmed" ? request : undefined;
      },
      120_000,
    );
    expect(done).to.include({ kind: "retirement", amount: "10", status: "confirmed" });
    expect(JSON.stringify(done)).to.not.include("\u0000");
    const report = await verifyCertificate(platform, done.requestId as string);
    expect(report.checks.filter((check) => !check.ok)).to.deep.equal([]);
    expect(report.verdict).to.equal("VERIFIED");

    // Nothing poisoned was recorded as skipped, the indexer is ready and caught up with the head.
    const health = await getJson(`${api}/health/ready`);
    expect(health.status, JSON.stringify(health)).to.equal("ready");
    const metrics = await (await fetch(`${api}/metrics`)).text();
    const lag = Number(/^carbon_indexer_lag_blocks (\d+)/m.exec(metrics)?.[1] ?? "NaN");
    expect(lag, metrics.slice(0, 400)).to.be.at.most(3);
    expect(metrics).to.not.match(/^carbon_indexer_poison_events_total\{[^}]*\} [1-9]/m);
    const head = await publicClientOf(platform).getBlockNumber();
    expect(head > 0n).to.equal(true);
    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
