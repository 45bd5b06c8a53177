/**
 * Scenario 9 (ISSUE 7): a compromised oracle key (#1 of the 2-of-3 set) signs a false `RetirementConfirmed` for a
 * retirement the registry has not confirmed yet, and publishes it as a node would. Nothing burns: the aggregator
 * never relays a message one member signed, and the bridge refuses it directly (`RegistryBridgeQuorumNotMet`).
 * When the registry really confirms, the two honest nodes' quorum lands with the registry's true operation; the
 * conflicting messages about one request are alerted (error log and `carbon_oracle_disagreements_total`).
 */
import { expect } from "chai";
import { Pool } from "pg";
import type { Hex } from "viem";
import { hardhat } from "viem/chains";
import { detailsHashOf, registryRefHashOf, serialRangeHashOf } from "../../backend/src/chain/attestations";
import { digestOf, domainsOf, publishObservation, signMessage, toJson } from "../../backend/src/oracle";
import { DEV_ACCOUNT_INDEX, devAccount } from "../../backend/src/platform/devAccounts";
import { type PlatformProcess, getJson, privatePorts, startPlatformProcess, until } from "../backend/support/platformProcess";
import { AT_REST, checkInvariants, simulatorState } from "./support/invariants";
import {
  DEMO_SERIAL,
  batchIdOfSerial,
  chainRequestOf,
  combinedAbi,
  dbQuery,
  metricValue,
  publicClientOf,
  requestRetirement,
  requestWithChainStatus,
  revertNameOf,
  setVerraKnobs,
  totalSupplyOf,
  verraAdmin,
} from "./support/registry-faults";

const PENDING = 1;
const CONFIRMED = 2;

describe("scenario 9: a compromised oracle key signs a false retirement confirmation", function () {
  this.timeout(300_000);
  let platform: PlatformProcess;
  const seller = devAccount(DEV_ACCOUNT_INDEX.seller);
  const compromised = devAccount(1);
  const batchId = batchIdOfSerial(DEMO_SERIAL);
  const details = { beneficiary: "Honest Buyer plc", reason: "scenario 9" };
  const forgedReference = "VCS-RET-FORGED-0001";
  let requestId: Hex;
  let forgedDigest: Hex;
  let forgedSignature: Hex;
  let forgedMessage: {
    requestId: Hex;
    holder: Hex;
    batchId: bigint;
    amount: bigint;
    detailsHash: Hex;
    retirementIdHash: Hex;
    serialRangeHash: Hex;
  };

  before(async () => {
    platform = await startPlatformProcess({ BLOCK_TIME_MS: "500" }, privatePorts(process.pid + 303));
    await until("the demo batch", async () => (await getJson(`${platform.api}/batches/${batchId}`)).batchId, 60_000);
  });
  after(async () => {
    await platform?.stop();
  });

  it("the forged confirmation, published as a node would, burns nothing over many aggregator passes", async () => {
    // The registry answers slowly: the retirement is submitted and stays pending, so honest nodes have nothing to sign.
    await setVerraKnobs(platform, { confirmation: { mode: "manual" } });
    requestId = await requestRetirement(platform, seller, batchId, 300n, details);
    await until(
      "the registry retirement submitted and pending",
      async () => ((await simulatorState(platform)).operations.some((op) => op.memo === requestId && op.status === "PENDING") ? true : undefined),
      60_000,
    );

    const domains = domainsOf({ chainId: hardhat.id, registryBridge: platform.address("registryBridge"), settlement: platform.address("settlement") });
    forgedMessage = {
      requestId,
      holder: seller.address,
      batchId,
      amount: 300n,
      detailsHash: detailsHashOf(details),
      retirementIdHash: registryRefHashOf(forgedReference),
      serialRangeHash: serialRangeHashOf(DEMO_SERIAL),
    };
    forgedDigest = digestOf(domains, "RetirementConfirmed", forgedMessage);
    forgedSignature = await signMessage(compromised, domains, "RetirementConfirmed", forgedMessage);
    const pool = new Pool({ connectionString: platform.databaseUrl(), max: 1 });
    try {
      const published = await publishObservation(pool, {
        kind: "RetirementConfirmed",
        subject: requestId,
        digest: forgedDigest,
        message: toJson(forgedMessage),
        signer: compromised.address,
        signature: forgedSignature,
      });
      expect(published).to.equal(true);
    } finally {
      await pool.end();
    }

    // Eight blocks (4 s at 500 ms blocks) are some sixteen aggregator passes (250 ms each).
    const client = publicClientOf(platform);
    const from = await client.getBlockNumber();
    await until("eight more blocks", async () => ((await client.getBlockNumber()) >= from + 8n ? true : undefined), 60_000);
    expect((await chainRequestOf(platform, requestId)).status).to.equal(PENDING);
    expect(await totalSupplyOf(platform, batchId)).to.equal(10_000n);
    expect((await getJson(`${platform.api}/requests/${requestId}`)).chainStatus).to.equal("pending");
    expect(await dbQuery(platform, "SELECT digest FROM oracle_relays WHERE digest = $1", [forgedDigest.toLowerCase()])).to.deep.equal([]);
  });

  it("the bridge refuses the single signature sent directly: RegistryBridgeQuorumNotMet", async () => {
    const name = await revertNameOf(() =>
      publicClientOf(platform).simulateContract({
        account: devAccount(DEV_ACCOUNT_INDEX.relayer),
        address: platform.address("registryBridge"),
        abi: combinedAbi("RegistryBridge", "CreditToken"),
        functionName: "confirmRetirement",
        args: [forgedMessage, [forgedSignature]],
      }),
    );
    expect(name).to.equal("RegistryBridgeQuorumNotMet");
  });

  it("the registry's real confirmation lands through the honest quorum, with the registry's true operation", async () => {
    const { confirmed } = await verraAdmin(platform, "confirm");
    expect(confirmed).to.be.greaterThanOrEqual(1);
    const done = await requestWithChainStatus(platform, requestId, "confirmed");
    expect((await chainRequestOf(platform, requestId)).status).to.equal(CONFIRMED);
    expect(await totalSupplyOf(platform, batchId)).to.equal(9_700n);

    const books = await simulatorState(platform);
    const operation = books.operations.find((op) => op.memo === requestId && op.status === "CONFIRMED") as { id: string } | undefined;
    expect(operation, "the registry's retirement").to.not.equal(undefined);
    const retired = books.blocks.find((block) => block.status === "RETIRED" && block.retirement?.memo === requestId);
    expect(retired, "the retired block").to.not.equal(undefined);
    expect(done.registryReference).to.equal(operation!.id);

    const certificate = await getJson(`${platform.api}/certificates/${requestId}`);
    expect(certificate.registryReference).to.equal(operation!.id);
    expect(certificate.confirmation, "the RetirementConfirmed log").to.not.equal(null);
    const args = certificate.confirmation.args as { retirementIdHash: string; serialRangeHash: string };
    expect(args.retirementIdHash.toLowerCase()).to.equal(registryRefHashOf(operation!.id).toLowerCase());
    expect(args.retirementIdHash.toLowerCase()).to.not.equal(forgedMessage.retirementIdHash.toLowerCase());
    expect(args.serialRangeHash.toLowerCase()).to.equal(serialRangeHashOf(retired!.serial).toLowerCase());

    // The forged message never went out; the relayed confirmation is the one the two honest members signed.
    expect(await dbQuery(platform, "SELECT digest FROM oracle_relays WHERE digest = $1", [forgedDigest.toLowerCase()])).to.deep.equal([]);
    const honest = await dbQuery<{ digest: string; signer: string }>(
      platform,
      "SELECT o.digest, o.signer FROM oracle_observations o WHERE o.subject = $1 AND o.digest <> $2 ORDER BY o.signer",
      [requestId, forgedDigest.toLowerCase()],
    );
    expect(new Set(honest.map((row) => row.digest)).size, "one honest message").to.equal(1);
    expect(honest.map((row) => row.signer)).to.include.members([devAccount(2).address, devAccount(3).address].map((a) => a.toLowerCase()));
    const relayed = await dbQuery<{ digest: string; status: string }>(platform, "SELECT digest, status FROM oracle_relays WHERE subject = $1", [requestId]);
    expect(relayed).to.deep.equal([{ digest: honest[0]!.digest, status: "relayed" }]);
  });

  it("the disagreement about the request is alerted: an error log naming both messages and carbon_oracle_disagreements_total", async () => {
    await until(
      "the disagreement metric",
      async () => ((await metricValue(platform, "carbon_oracle_disagreements_total", { kind: "RetirementConfirmed" })) >= 1 ? true : undefined),
      30_000,
    );
    const line = platform
      .output()
      .split("\n")
      .find((text) => text.includes("oracle disagreement") && text.includes(requestId));
    expect(line, "the aggregator's error line").to.not.equal(undefined);
    const logged = JSON.parse(line!) as { level: number | string; messages: Array<{ digest: string; signers: string[] }> };
    expect([50, "error"]).to.include(logged.level);
    const forged = logged.messages.find((m) => m.digest.toLowerCase() === forgedDigest.toLowerCase());
    expect(forged?.signers.map((s) => s.toLowerCase())).to.deep.equal([compromised.address.toLowerCase()]);
    expect(logged.messages).to.have.length(2);

    expect(await checkInvariants(platform)).to.deep.equal(AT_REST);
  });
});
