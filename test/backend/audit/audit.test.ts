/**
 * The auditor (backend/src/audit) and its CLI against a real HTTP JSON-RPC node (Hardhat Network served in-process
 * on an ephemeral port): deposit by oracle attestation, transfers (single, batch with a repeated id, forced),
 * retirement requested and
 * confirmed by 2 of 3 oracles; then `verify-certificate`, `export` and `verify-export`, honest and tampered.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { type Address, type Hex, encodeAbiParameters, encodeFunctionData, keccak256, parseAbi, toHex } from "viem";
import { batchIdOf, sortSigners } from "../../../backend/src/chain/attestations";
import { AuditNotFoundError } from "../../../backend/src/audit/errors";
import { REQUEST_STATUS } from "../../../backend/src/chain/bridge";
import { type CustodyExport, buildExport } from "../../../backend/src/audit/exportHistory";
import { parseExport, verifyExport } from "../../../backend/src/audit/verifyExport";
import { createAuditClient } from "../../../backend/src/audit/history";
import { formatCertificateReport } from "../../../backend/src/audit/report";
import { runningHeads } from "../../../backend/src/audit/custodyHead";
import { findConfirmationCall, verifyCertificate } from "../../../backend/src/audit/verifyCertificate";
import { deployPlatformFixture } from "../../support/platformFixture";
import { testChain, useAutomine } from "../../support/chain";

const REPO = path.resolve(__dirname, "..", "..", "..");
const OTHER_PREFIX = "VCS-9999-2020";

type Server = { listen(): Promise<{ address: string; port: number }>; close(): Promise<void> };

/** The bridge's address in a scenario, as the auditor's client takes it. */
const bridgeOf = (s: { addresses: { registryBridge: string } }) => s.addresses.registryBridge as Address;

async function auditScenario() {
  const f = await deployPlatformFixture();
  const { creditToken, registryBridge, alice, bob, carol, agent, relayer } = f;
  const { batchId } = await f.deposit(alice.address, 100n);
  const other = await f.deposit(alice.address, 50n, { serialPrefix: OTHER_PREFIX });
  await creditToken.connect(alice).safeTransferFrom(alice.address, bob.address, batchId, 30n, "0x");
  // a TransferBatch mixing batches, with our batch twice
  await creditToken
    .connect(alice)
    .safeBatchTransferFrom(alice.address, bob.address, [other.batchId, batchId, batchId], [1n, 2n, 3n], "0x");
  await creditToken.connect(agent).forcedTransfer(bob.address, carol.address, batchId, 4n, 7);

  // single confirmation
  const single = await f.requestRetirement(alice, batchId, 40n);
  const singleConfirmation = f.retirementConfirmation(single, "single");
  await registryBridge
    .connect(relayer)
    .confirmRetirement(singleConfirmation, await f.quorum("RetirementConfirmed", singleConfirmation));

  // batched confirmation of two requests
  const b1 = await f.requestRetirement(bob, batchId, 5n);
  const b2 = await f.requestRetirement(carol, batchId, 2n);
  const items = [f.retirementConfirmation(b1, "b1"), f.retirementConfirmation(b2, "b2")];
  await registryBridge.connect(relayer).confirmRetirements(items, await f.quorum("RetirementConfirmedBatch", { items }));

  // still pending, and rejected
  const pending = await f.requestRetirement(bob, batchId, 1n);
  const rejected = await f.requestRetirement(bob, batchId, 1n);
  const rejection = f.retirementRejection(rejected);
  await registryBridge.connect(relayer).rejectRetirement(rejection, await f.quorum("RetirementRejected", rejection));
  const withdrawal = await f.requestWithdrawal(bob, batchId, 1n);

  // movement after the confirmations, so "latest" differs from the confirmation block
  await creditToken.connect(bob).safeTransferFrom(bob.address, carol.address, batchId, 1n, "0x");
  return { ...f, batchId, otherBatchId: other.batchId, single, singleConfirmation, b1, b2, items, pending, rejected, withdrawal };
}

/** The storage slot of `mapping(key => ...)` entry `key` whose value equals `expected` (searches slots 0..63). */
async function findMappingSlot(contract: string, key: Hex, expected?: Hex): Promise<Hex> {
  for (let s = 0n; s < 64n; s++) {
    const slot = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [key, s]));
    const value = (await ethers.provider.send("eth_getStorageAt", [contract, toHex(BigInt(slot)), "latest"])) as Hex;
    if (expected === undefined ? BigInt(value) !== 0n : BigInt(value) === BigInt(expected)) return slot;
  }
  throw new Error(`no mapping slot found for ${key} in ${contract}`);
}

async function setSlot(contract: string, slot: Hex, value: bigint): Promise<void> {
  await ethers.provider.send("hardhat_setStorageAt", [contract, toHex(BigInt(slot)), toHex(value, { size: 32 })]);
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // async child: the JSON-RPC server it talks to runs in this process
    const options = { cwd: REPO, timeout: 120_000, env: { ...process.env, ...env } };
    execFile(process.execPath, [path.join(REPO, "bin", "carbon.js"), ...args], options, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("audit CLI (verify-certificate, export, verify-export) over HTTP JSON-RPC", function () {
  let server: Server;
  let url: string;
  let tmp: string;

  before(async function () {
    this.timeout(120_000);
    // The backend suite's one Hardhat runtime (compiled, shared with every chain test): automine for the fixture.
    await testChain();
    await useAutomine();
    server = (await hre.run(TASK_NODE_CREATE_SERVER, {
      hostname: "127.0.0.1",
      port: 0,
      provider: hre.network.provider,
    })) as Server;
    const bound = await server.listen();
    url = `http://127.0.0.1:${bound.port}`;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "carbon-audit-"));
  });

  after(async () => {
    await server?.close();
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const client = () => createAuditClient(url);

  describe("verify-certificate", () => {
    it("verifies a retirement confirmed by 2 of 3 oracles: request, quorum, certificate and custody head", async () => {
      const s = await loadFixture(auditScenario);
      const report = await verifyCertificate({ client: client(), bridge: bridgeOf(s), requestId: s.single.requestId });
      const failed = report.checks.filter((c) => !c.ok);
      expect(failed, JSON.stringify(failed)).to.deep.equal([]);
      expect(report.verdict).to.equal("VERIFIED");
      expect(report.request.holder).to.equal(s.alice.address);
      expect(report.request.batchId).to.equal(s.batchId.toString());
      expect(report.request.amount).to.equal("40");
      expect(report.request.beneficiary).to.equal("Acme Ltd");
      expect(report.confirmation.registryReferenceHash).to.equal(s.singleConfirmation.retirementIdHash);
      expect(report.confirmation.serialRangeHash).to.equal(s.singleConfirmation.serialRangeHash);
      expect(report.confirmation.entryPoint).to.equal("confirmRetirement");
      expect(report.signers.map((x) => x.signer)).to.deep.equal(s.quorumSigners.map((o) => o.address));
      expect(report.signers.every((x) => x.ok)).to.equal(true);
      expect(report.oracleSet?.epoch).to.equal(1);
      expect(report.oracleSet?.threshold).to.equal(2);
      expect(report.custody.atConfirmation.ok).to.equal(true);
      expect(report.custody.atLatest.ok).to.equal(true);
      expect(report.custody.atLatest.onChain).to.equal(await s.creditToken.custodyHead(s.batchId));
      expect(report.custody.holdings?.supply).to.equal((await s.creditToken.totalSupply(s.batchId)).toString());
      expect(report.custody.holdings?.balances[s.addresses.registryBridge]).to.equal("2"); // pending + withdrawal
      expect(report.checks.map((c) => c.id)).to.include.members(["custody.supply", "custody.balances"]);
      expect(Number(report.custody.atLatest.blockNumber)).to.be.greaterThan(Number(report.custody.atConfirmation.blockNumber));
      // the confirmation-block head is the historical one, not today's
      expect(report.custody.atConfirmation.onChain).to.not.equal(report.custody.atLatest.onChain);
      const text = formatCertificateReport(report);
      if (process.env.AUDIT_PRINT_REPORT === "1") process.stdout.write(text);
      expect(text).to.contain("Verdict: VERIFIED");
      expect(text).to.contain(`✓ #0 ${s.quorumSigners[0]!.address}`);
    });

    it("verifies an item of a batched confirmRetirements under one quorum over RetirementConfirmedBatch", async () => {
      const s = await loadFixture(auditScenario);
      const report = await verifyCertificate({ client: client(), bridge: bridgeOf(s), requestId: s.b2.requestId });
      expect(report.checks.filter((c) => !c.ok)).to.deep.equal([]);
      expect(report.confirmation.entryPoint).to.equal("confirmRetirements");
      expect(report.confirmation.attestationKind).to.equal("RetirementConfirmedBatch");
      expect(report.confirmation.itemIndex).to.equal(1);
      expect(report.confirmation.itemCount).to.equal(2);
      expect(report.request.holder).to.equal(s.carol.address);
    });

    it("checks signers against the oracle set in force at the confirmation block, not today's", async () => {
      const s = await loadFixture(auditScenario);
      const [o0, o1, o2] = s.oracles;
      // replace the set: the signers of the earlier confirmations are no longer (all) oracles
      const signer0 = s.quorumSigners[0]!;
      const next = [...s.oracles.filter((o) => o.address !== signer0.address).map((o) => o.address), s.strangerOracle.address];
      await s.registryBridge.connect(s.admin).setOracles(next, 3);
      expect(await s.registryBridge.isOracle(signer0.address)).to.equal(false);
      const old = await verifyCertificate({ client: client(), bridge: bridgeOf(s), requestId: s.single.requestId });
      expect(old.verdict).to.equal("VERIFIED");
      expect(old.oracleSet?.epoch).to.equal(1);
      expect(old.oracleSet?.oracles).to.deep.equal([o0!.address, o1!.address, o2!.address]);

      // a confirmation under the new 3-of-3 set verifies against epoch 2
      const r = await s.requestRetirement(s.bob, s.batchId, 1n);
      const c = s.retirementConfirmation(r, "epoch2");
      const newSet = sortSigners([...s.oracles.filter((o) => o.address !== signer0.address), s.strangerOracle]);
      await s.registryBridge.connect(s.relayer).confirmRetirement(c, await s.quorum("RetirementConfirmed", c, newSet));
      const fresh = await verifyCertificate({ client: client(), bridge: bridgeOf(s), requestId: r.requestId });
      expect(fresh.checks.filter((x) => !x.ok)).to.deep.equal([]);
      expect(fresh.oracleSet?.epoch).to.equal(2);
      expect(fresh.signers.map((x) => x.signer)).to.deep.equal(newSet.map((o) => o.address));
    });

    it("scans from --from-block with the custody head and oracle set read as checkpoints", async () => {
      const s = await loadFixture(auditScenario);
      const confirmBlock = BigInt(
        (await verifyCertificate({ client: client(), bridge: bridgeOf(s), requestId: s.single.requestId }))
          .confirmation.blockNumber,
      );
      const report = await verifyCertificate({
        client: client(),
        bridge: s.addresses.registryBridge as Address,
        requestId: s.single.requestId,
        fromBlock: confirmBlock - 3n,
        chunk: 2n,
      });
      expect(report.checks.filter((c) => !c.ok)).to.deep.equal([]);
      expect(report.oracleSet?.installedAtBlock).to.equal(null);
      expect(report.custody.holdings).to.equal(null); // balances before the checkpoint are unknown
      expect(report.custody.startHead).to.not.equal(`0x${"00".repeat(32)}`);
    });

    it("finds a confirmRetirements call embedded in a relayer's calldata (multisig, forwarder)", async () => {
      const s = await loadFixture(auditScenario);
      const bridge = s.addresses.registryBridge as Address;
      const report = await verifyCertificate({ client: client(), bridge, requestId: s.b1.requestId });
      const tx = await client().getTransaction({ hash: report.confirmation.transactionHash });
      const direct = findConfirmationCall(tx.input, s.b1.requestId, true);
      expect(direct?.offset).to.equal(0);
      const relayed = encodeFunctionData({
        abi: parseAbi(["function execute(address target, uint256 value, bytes data, bytes32 salt)"]),
        args: [bridge, 0n, tx.input, keccak256(toHex("salt"))],
      });
      const embedded = findConfirmationCall(relayed, s.b1.requestId, false);
      expect(embedded?.functionName).to.equal("confirmRetirements");
      expect(embedded?.offset).to.be.greaterThan(0);
      expect(embedded?.itemIndex).to.equal(0);
      expect(embedded?.signatures).to.deep.equal(direct?.signatures);
      expect(findConfirmationCall(relayed, s.pending.requestId, false)).to.equal(undefined);
    });

    it("refuses unknown, pending, rejected and withdrawal request ids with a clear message", async () => {
      const s = await loadFixture(auditScenario);
      const bridge = s.addresses.registryBridge as Address;
      const attempt = async (requestId: Hex): Promise<string> => {
        try {
          await verifyCertificate({ client: client(), bridge, requestId });
        } catch (error) {
          expect(error).to.be.instanceOf(AuditNotFoundError);
          return (error as Error).message;
        }
        throw new Error("expected a refusal");
      };
      expect(await attempt(keccak256(toHex("no such request")))).to.match(/does not exist/);
      expect(await attempt(s.pending.requestId)).to.match(/not confirmed \(status Pending\)/);
      expect(await attempt(s.rejected.requestId)).to.match(/not confirmed \(status Rejected: the registry refused it\)/);
      expect(await attempt(s.withdrawal.requestId)).to.match(/is a withdrawal, not a retirement/);
    });

    it("fails when on-chain state disagrees with the logs (custody head or stored certificate tampered)", async () => {
      const s = await loadFixture(auditScenario);
      const bridge = s.addresses.registryBridge as Address;
      const token = s.addresses.creditToken;
      const head = (await s.creditToken.custodyHead(s.batchId)) as Hex;
      const headSlot = await findMappingSlot(token, toHex(s.batchId, { size: 32 }), head);
      await setSlot(token, headSlot, 1n);
      const r1 = await verifyCertificate({ client: client(), bridge, requestId: s.single.requestId });
      expect(r1.verdict).to.equal("FAILED");
      expect(r1.checks.filter((c) => !c.ok).map((c) => c.id)).to.deep.equal(["custody.atLatest"]);
      expect(r1.custody.atConfirmation.ok).to.equal(true);
      await setSlot(token, headSlot, BigInt(head));

      const requestSlot = await findMappingSlot(bridge, s.single.requestId);
      const slot = toHex(BigInt(requestSlot));
      const word = BigInt((await ethers.provider.send("eth_getStorageAt", [bridge, slot, "latest"])) as Hex);
      expect(Number(word & 3n)).to.equal(REQUEST_STATUS.Confirmed);
      await setSlot(bridge, requestSlot, word ^ (1n << 8n)); // flip one certificate bit
      const r2 = await verifyCertificate({ client: client(), bridge, requestId: s.single.requestId });
      expect(r2.verdict).to.equal("FAILED");
      expect(r2.checks.filter((c) => !c.ok).map((c) => c.id)).to.deep.equal(["state.certificate", "state.certificateOf"]);
    });
  });

  describe("export and verify-export", () => {
    it("exports every custody event of the batch with positions, args as strings and running heads", async () => {
      const s = await loadFixture(auditScenario);
      const exp = await buildExport({ client: client(), bridge: s.addresses.registryBridge as Address, batchId: s.batchId });
      if (process.env.AUDIT_PRINT_REPORT === "1") process.stdout.write(`${JSON.stringify(exp, null, 2)}\n`);
      expect(exp.chainId).to.equal(Number(s.chainId));
      expect(exp.contracts.creditToken).to.equal(s.addresses.creditToken);
      expect(exp.finalHead).to.equal(await s.creditToken.custodyHead(s.batchId));
      expect(exp.onChainHead).to.equal(exp.finalHead);
      const names = exp.events.map((e) => e.event);
      const kinds = ["BatchRegistered", "DepositConfirmed", "TransferSingle", "TransferBatch", "ForcedTransfer"];
      kinds.push("RetirementRequested", "RetirementConfirmed", "RetirementRejected", "WithdrawalRequested", "OracleSetUpdated");
      for (const n of kinds) {
        expect(names, n).to.include(n);
      }
      // the mixed TransferBatch yields two movements of this batch (indexes 1 and 2), none for the other batch
      const batchMoves = exp.events.filter((e) => e.event === "TransferBatch");
      expect(batchMoves.map((e) => e.indexInBatch)).to.deep.equal([1, 2]);
      expect(exp.events.some((e) => e.event === "BatchRegistered" && e.args.serialPrefix === OTHER_PREFIX)).to.equal(false);
      const first = exp.events.find((e) => e.event === "TransferSingle")!;
      expect(first.args.value).to.equal("100");
      expect(first.args.id).to.equal(batchIdOf(1, "VCS-1234-2021").toString());
      expect(first.blockHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(typeof first.logIndex).to.equal("number");
      expect(exp.movements).to.equal(exp.events.filter((e) => e.headAfter !== undefined).length);

      const ok = await verifyExport(parseExport(JSON.stringify(exp)), client());
      expect(ok.checks.filter((c) => !c.ok)).to.deep.equal([]);
      expect(ok.verdict).to.equal("VERIFIED");
      expect((await verifyExport(exp)).verdict).to.equal("VERIFIED");
    });

    it("names the first doctored entry: an amount changed, an event dropped, a consistent re-hash", async () => {
      const s = await loadFixture(auditScenario);
      const exp = await buildExport({ client: client(), bridge: s.addresses.registryBridge as Address, batchId: s.batchId });
      const clone = (): CustodyExport => JSON.parse(JSON.stringify(exp)) as CustodyExport;
      const moves = exp.events.filter((e) => e.headAfter !== undefined);
      const target = moves[1]!; // alice -> bob 30

      // one amount changed
      const amount = clone();
      amount.events[target.index]!.args.value = "31";
      const offA = await verifyExport(amount);
      expect(offA.verdict).to.equal("FAILED");
      expect(offA.firstMismatch).to.contain(`entry #${target.index} TransferSingle`);
      const onA = await verifyExport(amount, client());
      expect(onA.firstMismatch).to.contain(`entry #${target.index} TransferSingle`);
      expect(onA.firstMismatch).to.contain('args.value: file "31", chain "30"');

      // one event dropped (a movement)
      const dropped = clone();
      dropped.events.splice(target.index, 1);
      const offD = await verifyExport(dropped);
      expect(offD.verdict).to.equal("FAILED");
      expect(offD.firstMismatch).to.contain(`entry #${target.index} is missing`);
      const onD = await verifyExport(dropped, client());
      expect(onD.firstMismatch).to.contain(`lacks the chain's entry #${target.index} TransferSingle`);

      // dropped and renumbered, heads re-hashed consistently: the file agrees with itself, not with the chain
      const forged = clone();
      forged.events.splice(target.index, 1);
      forged.events.forEach((e, i) => {
        e.index = i;
      });
      const forgedMoves = forged.events.filter((e) => e.headAfter !== undefined);
      const heads = runningHeads(
        forgedMoves.map((e) => ({
          from: e.args.from as Address,
          to: e.args.to as Address,
          value: BigInt((e.event === "TransferSingle" ? e.args.value : (e.args.values as string[])[e.indexInBatch!]) as string),
        })),
        forged.startHead,
      );
      forgedMoves.forEach((e, i) => {
        e.headAfter = heads[i];
      });
      forged.movements = forgedMoves.length;
      forged.finalHead = heads.at(-1)!;
      forged.onChainHead = forged.finalHead;
      expect((await verifyExport(forged)).verdict).to.equal("VERIFIED");
      const onF = await verifyExport(forged, client());
      expect(onF.verdict).to.equal("FAILED");
      expect(onF.checks.find((c) => c.id === "online.head")?.ok).to.equal(false);
      expect(onF.firstMismatch).to.contain(`lacks the chain's entry #${target.index} TransferSingle`);
    });
  });

  describe("the real CLI (node bin/carbon.js)", () => {
    it("exits 0 on a verified certificate, 2 on an unknown request, 1 on a mismatch; export/verify-export", async function () {
      this.timeout(600_000); // each spawn starts ts-node
      const s = await loadFixture(auditScenario);
      const bridge = s.addresses.registryBridge;
      const ok = await runCli(["audit", "verify-certificate", s.single.requestId, "--rpc", url, "--bridge", bridge, "--json"]);
      expect(ok.code, ok.stderr).to.equal(0);
      const json = JSON.parse(ok.stdout) as { verdict: string; request: { amount: string } };
      expect(json.verdict).to.equal("VERIFIED");
      expect(json.request.amount).to.equal("40");

      const unknown = keccak256(toHex("nope"));
      const missing = await runCli(["audit", "verify-certificate", unknown, "--rpc", url, "--bridge", bridge, "--json"]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/does not exist/);
      expect((JSON.parse(missing.stdout) as { verdict: string }).verdict).to.equal("ERROR");

      const file = path.join(tmp, "export.json");
      const exp = await runCli(["audit", "export", s.batchId.toString(), "--rpc", url, "--bridge", bridge, "--out", file]);
      expect(exp.code, exp.stderr).to.equal(0);
      const doctored = JSON.parse(fs.readFileSync(file, "utf8")) as CustodyExport;
      const move = doctored.events.find((e) => e.event === "TransferSingle" && e.args.value === "30")!;
      move.args.value = "29";
      const bad = path.join(tmp, "doctored.json");
      fs.writeFileSync(bad, JSON.stringify(doctored));
      const [good, wrong, noArtifacts, usage] = await Promise.all([
        runCli(["audit", "verify-export", file, "--rpc", url]),
        runCli(["audit", "verify-export", bad, "--offline"]),
        runCli(["audit", "verify-certificate", s.single.requestId, "--rpc", url, "--bridge", bridge], {
          CARBON_ARTIFACTS_DIR: path.join(tmp, "no-artifacts"),
        }),
        runCli(["audit", "verify-certificate", s.single.requestId, "--rpc", url, "--bridge", "0xnot-an-address"]),
      ]);
      expect(usage.code).to.equal(2);
      expect(usage.stderr).to.contain("not an address");
      expect(noArtifacts.code).to.equal(2);
      expect(noArtifacts.stderr).to.contain("Run `npx hardhat compile`");
      expect(good.code, good.stdout + good.stderr).to.equal(0);
      expect(good.stdout).to.contain("Verdict: VERIFIED");
      expect(wrong.code).to.equal(1);
      expect(wrong.stdout).to.contain(`First mismatch: entry #${move.index} TransferSingle`);
    });
  });
});
