import { expect } from "chai";
import jsQR from "jsqr";
import { PDFParse } from "pdf-parse";
import { keccak256, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { domainApp, insertEvent, insertRequest } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

// pngjs (a dependency of qrcode) ships no types, so it is required and typed by the cast.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- no type declarations to import
const { PNG } = require("pngjs") as { PNG: { sync: { read(data: Buffer): { width: number; height: number; data: Buffer } } } };

const holder = privateKeyToAccount(generatePrivateKey()).address;
const BRIDGE = "0xb41d9e0000000000000000000000000000000002";
const PREFIX = "VCS-VCU-500-VER-US-3352-01012024-31122024-0";
const DEPOSITED = "20001-2000000001-2000010000-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
const RETIRED = "20001-2000000001-2000000012-VCS-VCU-500-VER-US-3352-01012024-31122024-0";
const REFERENCE = "VCS-RET-77";

/** A confirmed retirement as the indexer, the workers and the watchers leave it in the database. */
async function confirmedRetirement(h: Harness): Promise<string> {
  const pool = h.db.pool;
  await pool.query("INSERT INTO registries (id, name) VALUES ('VERRA', 'VERRA') ON CONFLICT DO NOTHING");
  // The indexer's batch row holds what the chain stores: a hashed project id and the unit type's code.
  await pool.query(
    `INSERT INTO batches (batch_id, registry_id, serial_prefix, project_id, vintage_start, unit_type)
     VALUES ('9', 'VERRA', $1, $2, '2024-01-01', '1')`,
    [PREFIX, keccak256(toHex("VERRA:3352"))],
  );
  const id = await insertRequest(pool, { holder, batchId: "9", amount: "12", status: "confirmed", registryReference: REFERENCE });
  await pool.query("UPDATE requests SET registry_status = 'CONFIRMED', requested_tx_hash = $2 WHERE request_id = $1", [
    id,
    `0x${"ab".repeat(32)}`,
  ]);
  await insertEvent(
    pool,
    "RetirementRequested",
    { requestId: id, holder: holder.toLowerCase(), batchId: "9", amount: "12" },
    ["9"],
    BRIDGE,
  );
  await insertEvent(
    pool,
    "RetirementConfirmed",
    {
      requestId: id,
      holder: holder.toLowerCase(),
      batchId: "9",
      amount: "12",
      retirementIdHash: keccak256(toHex(REFERENCE)),
      serialRangeHash: keccak256(toHex(RETIRED)),
    },
    ["9"],
    BRIDGE,
  );
  await insertEvent(pool, "OracleSetUpdated", { epoch: "1", oracles: ["0x01", "0x02", "0x03"], threshold: "2" }, [], BRIDGE);
  // The watchers' custody mirror: the deposited block's holding row (the project's name) and the retired child.
  const mirror = (
    nativeId: string,
    serial: string,
    start: string,
    end: string,
    status: string,
    memo: string | null,
    payload: object,
  ) =>
    pool.query(
      `INSERT INTO custody_blocks
         (registry_id, account, native_id, serial, serial_prefix, block_start, block_end, quantity, status, memo, payload)
       VALUES ('VERRA', 'PLATFORM-CUSTODY', $1, $2, $3, $4, $5, $6, $7::block_status, $8, $9)`,
      [nativeId, serial, PREFIX, start, end, String(BigInt(end) - BigInt(start) + 1n), status, memo, JSON.stringify(payload)],
    );
  await mirror("1", DEPOSITED, "2000000013", "2000010000", "IMMOBILIZED", null, {
    projectName: "Demo landfill gas project",
    methodologies: ["ACM0001"],
    sectoralScope: "13",
  });
  await mirror("2", RETIRED, "2000000001", "2000000012", "RETIRED", id, {
    serialNo: RETIRED,
    retiredDate: "2026-03-01T10:00:00.000Z",
    beneficialOwner: "Acme",
  });
  for (const signer of ["0x01", "0x02"]) {
    await pool.query(
      `INSERT INTO oracle_observations (kind, subject, digest, message, signer, signature)
       VALUES ('RetirementConfirmed', $1, $2, '{}', $3, $4)`,
      [id, `0x${"cd".repeat(32)}`, `0x${signer.slice(2).padStart(40, "0")}`, `0x${"11".repeat(65)}`],
    );
  }
  return id;
}

describe("api routes: a certificate states everything in words (issue 12 §4.6)", () => {
  let h: Harness;
  let id: string;

  before(async () => {
    h = await domainApp({ certificates: { registryBridge: BRIDGE, publicUrl: "https://carbon.test" } });
    id = await confirmedRetirement(h);
  });
  after(async () => {
    await h?.close();
  });

  it("names the registry, the project (id and name), vintage, serial range, quantity, unit type and the registry's " +
    "reference", async () => {
    const response = await h.app.inject({ method: "GET", url: `/certificates/${id}` });
    expect(response.statusCode, response.body).to.equal(200);
    const c = response.json();
    expect(c.registry).to.deep.equal({ id: "VERRA", name: "Verra (Verified Carbon Standard)" });
    expect(c.project).to.include({
      registryProjectId: "3352",
      name: "Demo landfill gas project",
      methodology: "ACM0001",
      country: "US",
    });
    expect(c.vintage).to.deep.equal({ start: "2024-01-01", end: "2024-12-31" });
    expect(c.serialRange).to.deep.equal({ serial: RETIRED, first: "2000000001", last: "2000000012", matchesOnChainHash: true });
    expect(c.unit).to.deep.equal({ type: "VCU", name: "Verified Carbon Unit (VCU)", metric: "tCO2e" });
    expect(c).to.include({ quantity: "12", beneficiary: "Acme", reason: "2026 offset", registryStatus: "RETIRED" });
    expect(c.registryRetirementReference).to.deep.equal({ reference: REFERENCE, matchesOnChainHash: true });
    expect(c.dates.retiredAtRegistry).to.equal("2026-03-01T10:00:00.000Z");
    expect(c.onChainProof.attestedBy).to.deep.equal({
      signers: [`0x${"01".padStart(40, "0")}`, `0x${"02".padStart(40, "0")}`],
      threshold: 2,
      oracleSetSize: 3,
    });
    expect(c.statement)
      .to.contain("12 VCU (12 tCO2e) of Verra")
      .and.contain('project 3352 "Demo landfill gas project"')
      .and.contain("on behalf of Acme");
    // Never the hashes and codes the chain stores in place of words.
    expect(JSON.stringify({ ...c.project, ...c.unit })).not.to.match(/0x[0-9a-f]{64}|"1"/);
    expect(c.onChainRecordSha256).to.match(/^[0-9a-f]{64}$/);
    expect(c.verificationUrl).to.equal(`https://carbon.test/verify/${id}?record=${c.onChainRecordSha256}`);
  });

  it("says when the registry's serial text does not hash to what the oracles attested", async () => {
    await h.db.pool.query("UPDATE custody_blocks SET serial = $2 WHERE lower(memo) = $1", [
      id,
      RETIRED.replace("0012-", "0013-"),
    ]);
    const c = (await h.app.inject({ method: "GET", url: `/certificates/${id}` })).json();
    expect(c.serialRange.matchesOnChainHash).to.equal(false);
    await h.db.pool.query("UPDATE custody_blocks SET serial = $2 WHERE lower(memo) = $1", [id, RETIRED]);
  });

  it("renders the same statements into a deterministic PDF whose QR code opens the verification page", async () => {
    const json = (await h.app.inject({ method: "GET", url: `/certificates/${id}` })).json();
    const first = await h.app.inject({ method: "GET", url: `/certificates/${id}/pdf` });
    expect(first.statusCode).to.equal(200);
    expect(first.headers["content-type"]).to.equal("application/pdf");
    expect(first.headers["x-content-sha256"]).to.equal(json.pdfSha256);
    const again = await h.app.inject({ method: "GET", url: `/certificates/${id}/pdf` });
    expect(again.rawPayload.equals(first.rawPayload), "same bytes every time").to.equal(true);
    const parser = new PDFParse({ data: new Uint8Array(first.rawPayload) });
    // Long values wrap across lines: compare without white space.
    const text = (await parser.getText()).text.replace(/\s+/g, "");
    for (const words of [
      "Verra (Verified Carbon Standard)",
      "3352 - Demo landfill gas project",
      RETIRED,
      "Acme",
      "2026 offset",
      REFERENCE,
      "Verified Carbon Unit",
      json.onChainRecordSha256,
    ]) {
      expect(text, words).to.contain(words.replace(/\s+/g, ""));
    }
    const shot = await parser.getScreenshot({ scale: 3, partial: [1] });
    await parser.destroy();
    const png = PNG.sync.read(Buffer.from(shot.pages[0]!.data));
    const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(qr?.data).to.equal(json.verificationUrl);
  });

  it("finds the certificate by its PDF's SHA-256, and a tampered id or hash is not found", async () => {
    const pdf = await h.app.inject({ method: "GET", url: `/certificates/${id}/pdf` });
    const sha = String(pdf.headers["x-content-sha256"]);
    const byHash = await h.app.inject({ method: "GET", url: `/certificate-documents/${sha}/verification` });
    expect(byHash.statusCode, byHash.body).to.equal(200);
    const checks = byHash.json().checks as Array<{ id: string; ok: boolean }>;
    expect(checks.find((c) => c.id === "pdf.known")?.ok).to.equal(true);
    expect(checks.find((c) => c.id === "registry.retired")?.ok).to.equal(true);
    // No chain node here: the chain checks fail, so the verdict is FAILED, never VERIFIED on the database's word alone.
    expect(byHash.json().verdict).to.equal("FAILED");
    const tampered = `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
    expect((await h.app.inject({ method: "GET", url: `/certificates/${tampered}/verification` })).statusCode).to.equal(404);
    expect(
      (await h.app.inject({ method: "GET", url: `/certificate-documents/${"0".repeat(64)}/verification` })).statusCode,
    ).to.equal(404);
  });

  it("follows the request through its stages with times", async () => {
    const timeline = (await h.app.inject({ method: "GET", url: `/requests/${id}/timeline` })).json();
    expect(timeline.stages.map((s: { key: string; state: string }) => `${s.key}:${s.state}`)).to.deep.equal([
      "locked:done",
      "sent:done",
      "registry:done",
      "attested:done",
      "burned:done",
    ]);
    expect(timeline.stages[3].label).to.equal("Attested by 2 of 3 oracles");
  });
});
