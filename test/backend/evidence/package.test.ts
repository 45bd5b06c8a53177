/**
 * The evidence package end to end, on a real retirement made on the embedded chain (deposit on a 2-of-3 quorum,
 * signed order filled on Settlement, retirement requested and confirmed on a 2-of-3 quorum), with the platform's
 * database and a local RFC 3161 TSA (`openssl ts`): built with the CLI, verified with the CLI and with the
 * package's own verify.mjs in an empty folder outside the repository, tampered with one byte in each kind of
 * file, built twice, and given bad input.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { keccak256, toHex } from "viem";
import { createAuditClient } from "../../../backend/src/audit/history";
import { buildEvidence } from "../../../backend/src/evidence/build";
import { verifierModules } from "../../../backend/src/evidence/verifier";
import { type LocalTsa, createTsaCredentials, startLocalTsa } from "../../../backend/src/simulators/tsa";
import { testChain, useAutomine } from "../../support/chain";
import { type TestDatabase, createTestDatabase, freePort, tempDir } from "../../support/database";
import { type RetirementScenario, retirementScenario } from "./scenario";
import { entriesOf, runCli, runNode, withFlippedByte } from "./support";

describe("evidence package of a real retirement", function () {
  this.timeout(240_000);
  let db: TestDatabase;
  let s: RetirementScenario;
  let tsa: LocalTsa;
  let rpc: string;
  let work: string;
  let packageFile: string;
  let zip: Buffer;
  const bridge = () => s.platform.deployment.registryBridge;

  before(async () => {
    await useAutomine();
    db = await createTestDatabase({ migrate: true });
    s = await retirementScenario(db);
    rpc = (await testChain()).url;
    work = tempDir("carbon-evidence-");
    tsa = await startLocalTsa(await createTsaCredentials(path.join(work, "tsa")));
    packageFile = path.join(work, "retirement.zip");
  });
  after(async () => {
    await tsa?.close();
    await db?.drop();
    if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A folder with nothing in it and no node_modules in any folder above it. */
  function cleanFolder(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-check-"));
    for (let d = dir; d !== path.dirname(d); d = path.dirname(d))
      expect(fs.existsSync(path.join(d, "node_modules")), `node_modules above ${dir}`).to.equal(false);
    return dir;
  }

  /** `node verify.mjs <zip>` in a clean folder, verify.mjs taken out of the package as a clerk would. */
  async function verifyInCleanFolder(bytes: Uint8Array, extra: string[] = []) {
    const dir = cleanFolder();
    try {
      fs.writeFileSync(path.join(dir, "package.zip"), bytes);
      fs.writeFileSync(path.join(dir, "verify.mjs"), entriesOf(zip).get("verify.mjs") as Uint8Array);
      return await runNode(["verify.mjs", "package.zip", ...extra], { cwd: dir, env: { PATH: process.env.PATH ?? "" } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("builds with `carbon audit evidence`, time-stamped, logged, and `carbon audit verify-evidence --rpc` says " +
    "VERIFIED", async () => {
    const built = await runCli([
      "audit",
      "evidence",
      "--retirement",
      s.requestId,
      "--rpc",
      rpc,
      "--bridge",
      bridge(),
      "--out",
      packageFile,
      "--tsa",
      tsa.url,
      "--database-url",
      db.url,
      "--requested-by",
      "court-clerk-test",
    ]);
    expect(built.code, built.stderr).to.equal(0);
    expect(built.stdout).to.match(/time-stamped .* by CN=Carbon Custody Test TSA; evidence log entry 1/);
    zip = fs.readFileSync(packageFile);
    const manifest = JSON.parse(Buffer.from(entriesOf(zip).get("manifest.json") as Uint8Array).toString("utf8"));
    expect(manifest.header.scope).to.deep.equal({ kind: "retirement", requestId: s.requestId });
    expect(manifest.header.sources.database).to.contain("orders");
    expect(manifest.header.system.oracleSet.threshold).to.equal("2");
    const names = [...entriesOf(zip).keys()];
    expect(names).to.include.members([
      "timestamp.tsr",
      "section63-partA.pdf",
      "section63-partA.txt",
      "section63-partB-template.pdf",
      "README.txt",
      "verify.mjs",
      "records/events.csv",
      "proofs/custody-heads.json",
    ]);
    const orders = JSON.parse(Buffer.from(entriesOf(zip).get("records/orders.json") as Uint8Array).toString("utf8")).orders;
    expect(orders.map((o: { orderHash: string; sources: string[] }) => [o.orderHash, o.sources])).to.deep.equal([
      [s.orderHash, ["chain", "database"]],
    ]);
    const partA = Buffer.from(entriesOf(zip).get("section63-partA.txt") as Uint8Array).toString("utf8");
    expect(partA).to.contain("SHA256").and.to.contain("IST (UTC+05:30)").and.to.contain(bridge());
    const log = await db.pool.query("SELECT seq, requested_by, manifest_root FROM evidence_log");
    expect(log.rows).to.deep.equal([{ seq: "1", requested_by: "court-clerk-test", manifest_root: manifest.merkle.root }]);

    const verified = await runCli(["audit", "verify-evidence", packageFile, "--rpc", rpc]);
    expect(verified.code, verified.stdout).to.equal(0);
    expect(verified.stdout).to.contain("Verdict: VERIFIED\n");
    expect(verified.stdout).to.contain("✓ RFC 3161 time stamp");
    expect(verified.stdout).to.contain("✓ custodyHead(batch) read from the node");
    if (process.env.EVIDENCE_PRINT === "1") {
      const listing = verifierModules()
        .unzip.readZip(zip)
        .map((e) => `${String(e.data.length).padStart(9)}  ${e.name}`);
      process.stdout.write(`${built.stdout}\n${listing.join("\n")}\n\n${verified.stdout}`);
    }
  });

  it("verify.mjs verifies it with Node alone in an empty folder outside the repository", async () => {
    const result = await verifyInCleanFolder(zip);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.contain("Verdict: VERIFIED\n");
    expect(result.stdout).to.not.contain("✗");
  });

  const tampered = [
    ["a record", "records/attestations.json"],
    ["a proof", "proofs/blocks.json"],
    ["the manifest", "manifest.json"],
    ["the time stamp", "timestamp.tsr"],
    // events.json is canonical JSON: `events` first, then the ABI `fragments` they are decoded with
    ["a chain event record", "records/events.json", 0.1],
    ["an event's ABI fragment", "records/events.json", 0.9],
    ["the custody head chain", "proofs/custody-heads.json"],
  ] as const;
  for (const [kind, file, at] of tampered) {
    it(`catches one flipped byte in ${kind} (${file}) and names the file`, async () => {
      const result = await verifyInCleanFolder(await withFlippedByte(zip, file, at));
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      expect(result.stdout).to.contain("Verdict: FAILED");
      expect(result.stdout).to.match(new RegExp(`✗ .*\\[${file.replace(/[./]/g, "\\$&")}\\]`));
    });
  }

  it("catches a byte flipped in the ZIP itself (not re-zipped) by the entry's CRC, naming the entry", async () => {
    const entries = verifierModules().unzip.readZip(zip);
    const raw = Buffer.from(zip);
    const target = raw.indexOf(Buffer.from("records/retirement.json")); // local header name, data follows
    raw[target + 200] = (raw[target + 200] ?? 0) ^ 0x01;
    const result = await verifyInCleanFolder(raw);
    expect(entries.length).to.be.greaterThan(20);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.contain("[records/retirement.json]");
  });

  it("is byte-identical when built twice from the same state (and, with a TSA, identical in every entry but the " +
    "token)", async () => {
    const client = createAuditClient(rpc);
    const build = (tsaUrl?: string) =>
      buildEvidence({
        scope: { kind: "retirement", requestId: s.requestId },
        client,
        rpcUrl: rpc,
        bridge: bridge(),
        database: db.pool,
        tsaUrl,
        fileName: "retirement.zip",
      });
    const [a, b] = [await build(), await build()];
    expect(a.zip.equals(b.zip)).to.equal(true);
    const [c, d] = [await build(tsa.url), await build(tsa.url)];
    const [ec, ed] = [entriesOf(c.zip), entriesOf(d.zip)];
    expect([...ec.keys()]).to.deep.equal([...ed.keys()]);
    for (const [name, data] of ec) {
      if (name !== "timestamp.tsr")
        expect(Buffer.from(data).equals(Buffer.from(ed.get(name) as Uint8Array)), name).to.equal(true);
    }
    expect(c.root).to.equal(a.root);
  });

  it("builds without a time stamp when the TSA is unreachable; verification says so (and fails with " +
    "--require-timestamp)", async () => {
    const file = path.join(work, "no-tsa.zip");
    const down = `http://127.0.0.1:${await freePort()}/`;
    const built = await runCli([
      "audit",
      "evidence",
      "--retirement",
      s.requestId,
      "--rpc",
      rpc,
      "--bridge",
      bridge(),
      "--out",
      file,
      "--tsa",
      down,
      "--unlogged",
    ]);
    expect(built.code, built.stderr).to.equal(0);
    expect(built.stdout).to.contain("NO TIME STAMP: the TSA at");
    const missing = JSON.parse(
      Buffer.from(entriesOf(fs.readFileSync(file)).get("timestamp-missing.json") as Uint8Array).toString("utf8"),
    );
    expect(missing.reason).to.contain("unreachable");
    const verified = await runCli(["audit", "verify-evidence", file]);
    expect(verified.code).to.equal(0);
    expect(verified.stdout).to.contain("! RFC 3161 time stamp over the root (MISSING: the TSA at");
    expect(verified.stdout).to.contain("Verdict: VERIFIED WITHOUT TIME STAMP");
    expect((await runCli(["audit", "verify-evidence", file, "--require-timestamp"])).code).to.equal(1);
  });

  it("packages a whole batch too, and that package verifies", async () => {
    const file = path.join(work, "batch.zip");
    const built = await runCli([
      "audit",
      "evidence",
      "--batch",
      s.batchId.toString(),
      "--rpc",
      rpc,
      "--bridge",
      bridge(),
      "--out",
      file,
      "--unlogged",
    ]);
    expect(built.code, built.stderr).to.equal(0);
    const result = await verifierModules().verify.verifyEvidence(fs.readFileSync(file), { rpc });
    expect(result.checks.filter((c) => !c.ok)).to.deep.equal([]);
    expect(
      JSON.parse(Buffer.from(entriesOf(fs.readFileSync(file)).get("records/batch.json") as Uint8Array).toString("utf8"))
        .movements,
    ).to.equal("4");
  });

  describe("bad input and faults: a clear error and no file left", () => {
    const attempt = async (args: string[]) => {
      const file = path.join(work, "bad", "out.zip");
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const result = await runCli(["audit", "evidence", ...args, "--out", file]);
      expect(fs.readdirSync(path.dirname(file)), "files left behind").to.deep.equal([]);
      expect(result.code).to.equal(2);
      return result.stderr;
    };
    it("an unknown retirement request", async () => {
      const unknown = keccak256(toHex("no such request"));
      expect(await attempt(["--retirement", unknown, "--rpc", rpc, "--bridge", bridge(), "--unlogged"])).to.contain(
        `request ${unknown} does not exist on this bridge`,
      );
    });
    it("a batch with no records", async () => {
      expect(await attempt(["--batch", "12345", "--rpc", rpc, "--bridge", bridge(), "--unlogged"])).to.contain(
        "--batch 12345: no custody records of this batch on chain",
      );
    });
    it("an unreachable node", async () => {
      const port = await freePort();
      expect(await attempt(["--batch", "1", "--rpc", `http://127.0.0.1:${port}`, "--bridge", bridge(), "--unlogged"])).to.contain(
        "cannot reach the JSON-RPC node",
      );
    });
    it("the CCTS and KYC scopes, which need modules that do not exist yet", async () => {
      expect(
        await attempt(["--entity", "E-1", "--year", "2025-26", "--rpc", rpc, "--bridge", bridge(), "--unlogged"]),
      ).to.contain("not available yet: it needs the CCTS module");
      expect(await attempt(["--case", "K-1", "--rpc", rpc, "--bridge", bridge(), "--unlogged"])).to.contain(
        "not available yet: it needs the onboarding (KYC) module",
      );
    });
    it("two scopes at once, and an export that would not be logged", async () => {
      expect(
        await attempt(["--batch", "1", "--retirement", s.requestId, "--rpc", rpc, "--bridge", bridge(), "--unlogged"]),
      ).to.contain("give exactly one scope");
      const env = { ...process.env, DATABASE_URL: "" };
      const file = path.join(work, "bad", "out.zip");
      const result = await runCli(
        ["audit", "evidence", "--batch", s.batchId.toString(), "--rpc", rpc, "--bridge", bridge(), "--out", file],
        env,
      );
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain("every export is recorded in the evidence log: give --database-url");
      expect(fs.existsSync(file)).to.equal(false);
    });
  });
});
