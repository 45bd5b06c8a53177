import { expect } from "chai";
import { PDFParse } from "pdf-parse";
import { privateKeyToAccount } from "viem/accounts";
import { Secret } from "../../../backend/src/config/secret";
import { ClaimNotEligibleError, ClaimWordingRefusedError } from "../../../backend/src/claims/errors";
import { acknowledge } from "../../../backend/src/claims/rules/acknowledgement";
import { creditFacts, evaluateUse } from "../../../backend/src/claims/rules/engine";
import { type ClaimStatement, buildClaimStatement } from "../../../backend/src/claims/statement/build";
import type { ClaimStatementInput } from "../../../backend/src/claims/statement/model";
import { renderClaimStatementPdf } from "../../../backend/src/claims/statement/pdf";
import { signClaimStatement, verifyClaimStatement } from "../../../backend/src/claims/statement/sign";
import { ValidationError } from "../../../backend/src/errors";
import { OTHER_KEY, TEST_KEY, expectThrows, shipped } from "./helpers";

const WIND_BLOCK = {
  registry: "VERRA" as const,
  projectId: "3352",
  serial: "20002-2000010001-2000012000-VCS-VCU-500-VER-US-3352-01012024-31122024-0",
  serialPrefix: "20002-VCS-VCU-500-VER-US-3352-01012024-31122024-0",
  serialRange: { start: "2000010001", end: "2000012000" },
  vintageStart: "2024-01-01",
  vintageEnd: "2024-12-31",
  unitType: "VCU",
  quantity: "2000",
  retirementReference: "VERRA-RET-77001",
  retiredOn: "2026-06-10",
};

const STOVE_BLOCK = {
  registry: "GOLD_STANDARD" as const,
  projectId: "7495",
  serial: "GS1-1-KE-GS7495-16-2025-30645-608-1607",
  serialPrefix: "GS1-1-KE-GS7495-16-2025-30645",
  serialRange: { start: "608", end: "1607" },
  vintageStart: "2025-01-01",
  vintageEnd: "2025-12-31",
  unitType: "VER",
  quantity: "1000",
  retirementReference: "GS-RET-5521",
  retiredOn: "2026-06-10",
};

function contribution(overrides: Partial<ClaimStatementInput> = {}): ClaimStatementInput {
  return {
    statementId: "CS-2026-0001",
    issuedAt: "2026-06-12T09:00:00Z",
    claimant: { legalName: "Example Steel Ltd", identifier: "CIN L27100MH1990PLC000001", country: "IN" },
    registryBeneficiary: "Example Steel Ltd",
    purpose: "Voluntary contribution to climate action, FY 2025-26",
    claimType: "contribution",
    period: { start: "2025-04-01", end: "2026-03-31" },
    boundary: { kind: "organisation", description: "Example Steel Ltd, all Indian operations" },
    inventory: { reference: "GHG inventory FY 2025-26, v2 (assured)", totalEmissionsT: "1200000", remainingEmissionsT: "1100000" },
    audience: { jurisdictions: ["IN"], channel: "sustainability_report", subject: "organisation" },
    wording: "We financed and retired 2,000 tonnes of carbon credits as a contribution to climate action.",
    legallyRequiredReduction: false,
    assurance: { provider: "Example Assurance LLP", level: "limited", reference: "EA-2026-17" },
    claimantFacts: { claimsOffsetting: false },
    blocks: [WIND_BLOCK],
    evidence: [{ description: "Verra retirement page capture", sha256: "a".repeat(64) }],
    ...overrides,
  };
}

const key = new Secret(TEST_KEY);
const platform = privateKeyToAccount(TEST_KEY).address;

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: pdf });
  try {
    return (await parser.getText()).text.replace(/\s+/g, " ");
  } finally {
    await parser.destroy();
  }
}

describe("claims/statement", () => {
  it("writes the statement with the signals as of the retirement day, and its signed snapshot verifies", async () => {
    const statement = buildClaimStatement({ reference: shipped, input: contribution() });
    expect(statement.claim.standardWording).to.equal(
      "Example Steel Ltd contributed to climate action beyond its own emissions by financing and retiring 2000 tCO2e of carbon credits in 2025-04-01 to 2026-03-31. This is a contribution, not an offset of Example Steel Ltd's emissions.",
    );
    const block = statement.blocks[0]!;
    expect(block.methodology).to.deep.equal({ id: "ACM0002", version: "19.0" });
    expect(block.mitigation).to.equal("avoidance");
    expect(block.snapshot.asOf).to.equal("2026-06-10");
    expect(block.snapshot.ccp).to.include({ label: "no_ccp", status: "rejected" });
    expect(block.snapshot.signals.map((s) => s.kind).sort()).to.deep.equal(["article6", "registry_status"]);
    expect(block.verdict).to.include({ verdict: "eligible" });
    expect(block.snapshotSha256).to.match(/^[0-9a-f]{64}$/);
    expect(statement.statements.reductionTiming).to.contain("between 2024-01-01 and 2024-12-31");
    expect(statement.statements.noLegallyRequiredReduction).to.contain("not required by any law or regulation");
    expect(statement.totals).to.deep.equal({ quantity: "2000", avoidance: "2000", removal: "0", other: "0" });
    expect(statement.demoData).to.equal(true);
    expect(statement.sources.map((s) => s.id)).to.include.members(["SIM", "PLATFORM-STATEMENT"]);

    const signed = await signClaimStatement({ statement, key, signedAt: "2026-06-12T09:00:01Z" });
    expect(signed.signature.signer).to.equal(platform);
    const verified = await verifyClaimStatement(signed, [platform]);
    expect(verified).to.deep.include({ valid: true, hashMatches: true, signerMatches: true, signerTrusted: true });
    // As the public page reads it back: stored as JSON, parsed again, still the same snapshot.
    const stored = JSON.parse(JSON.stringify(signed)) as typeof signed;
    expect((await verifyClaimStatement(stored, [platform])).valid).to.equal(true);
  });

  it("detects a statement changed after signing, and a signature by a key that is not the platform's", async () => {
    const signed = await signClaimStatement({ statement: buildClaimStatement({ reference: shipped, input: contribution() }), key, signedAt: "2026-06-12T09:00:01Z" });
    const altered: ClaimStatement = structuredClone(signed.statement);
    altered.blocks[0]!.quantity = "20000";
    const tampered = await verifyClaimStatement({ ...signed, statement: altered }, [platform]);
    expect(tampered.valid).to.equal(false);
    expect(tampered.hashMatches).to.equal(false);
    const foreign = await signClaimStatement({ statement: signed.statement, key: new Secret(OTHER_KEY), signedAt: "2026-06-12T09:00:01Z" });
    const untrusted = await verifyClaimStatement(foreign, [platform]);
    expect([untrusted.valid, untrusted.hashMatches, untrusted.signerMatches, untrusted.signerTrusted]).to.deep.equal([false, true, true, false]);
    const swapped = await verifyClaimStatement({ ...foreign, signature: { ...foreign.signature, signer: platform } }, [platform]);
    expect(swapped.signerMatches).to.equal(false);
  });

  it("renders the PDF with the claim, the blocks and the hash a reader checks", async () => {
    const signed = await signClaimStatement({ statement: buildClaimStatement({ reference: shipped, input: contribution() }), key, signedAt: "2026-06-12T09:00:01Z" });
    const pdf = await renderClaimStatementPdf(signed);
    expect(pdf.subarray(0, 5).toString()).to.equal("%PDF-");
    const text = await pdfText(pdf);
    for (const expected of ["Claim statement CS-2026-0001", "DEMO DATA", "This is a contribution, not an offset", WIND_BLOCK.serial, "VERRA-RET-77001", signed.snapshot.hash, platform]) {
      expect(text, expected).to.contain(expected);
    }
    expect((await renderClaimStatementPdf(signed)).equals(pdf)).to.equal(true);
  });

  describe("wording filters", () => {
    const neutrality = (issuedAt: string, wording: string): ClaimStatementInput =>
      contribution({
        claimType: "iso14068_carbon_neutrality",
        issuedAt,
        boundary: { kind: "product", description: "Example Coffee 250 g" },
        audience: { jurisdictions: ["DE", "FR"], channel: "consumer_marketing", subject: "product" },
        wording,
        claimantFacts: { neutralityManagementPlan: true, reductionsBeforeOffsetting: true },
        blocks: [STOVE_BLOCK],
      });

    it("refuses an offset-based carbon-neutral product claim to EU consumers from 27 September 2026, naming the rule", () => {
      const error = expectThrows(() => buildClaimStatement({ reference: shipped, input: neutrality("2026-10-01T09:00:00Z", "Our coffee is carbon neutral") }), ClaimWordingRefusedError);
      expect(error.refusals[0]).to.deep.include({ ruleId: "EU-ECGT-OFFSET-NEUTRALITY", ruleVersion: "1", matched: "carbon neutral" });
      expect(error.message).to.contain("EU-ECGT-OFFSET-NEUTRALITY v1");
      const before = buildClaimStatement({ reference: shipped, input: neutrality("2026-09-26T09:00:00Z", "Our coffee is carbon neutral") });
      expect(before.wordingChecks.find((c) => c.ruleId === "EU-ECGT-OFFSET-NEUTRALITY")!.outcome).to.equal("not_applicable");
      const b2b = neutrality("2026-10-01T09:00:00Z", "Our coffee is carbon neutral");
      expect(() => buildClaimStatement({ reference: shipped, input: { ...b2b, audience: { jurisdictions: ["DE"], channel: "business", subject: "product" } } })).to.not.throw();
    });

    it("refuses an unsubstantiated absolute claim in an Indian advertisement, and lets it pass with substantiation", () => {
      const advert = contribution({ audience: { jurisdictions: ["IN"], channel: "consumer_marketing", subject: "organisation" }, wording: "An eco-friendly steel maker" });
      const error = expectThrows(() => buildClaimStatement({ reference: shipped, input: advert }), ClaimWordingRefusedError);
      expect(error.refusals.map((r) => r.ruleId)).to.deep.equal(["IN-ASCI-ABSOLUTE-CLAIM"]);
      const substantiated = buildClaimStatement({ reference: shipped, input: { ...advert, substantiation: "Life-cycle assessment LCA-2025-4, third-party reviewed" } });
      expect(substantiated.wordingChecks.filter((c) => c.outcome === "pass").map((c) => c.ruleId)).to.include.members(["IN-ASCI-ABSOLUTE-CLAIM", "IN-ASCI-NO-LEGAL-REDUCTION", "IN-ASCI-OFFSET-TIMING"]);
    });

    it("refuses an Indian advertisement whose reductions cannot be dated", () => {
      const { vintageStart: _s, vintageEnd: _e, ...undated } = WIND_BLOCK;
      const advert = contribution({ audience: { jurisdictions: ["IN"], channel: "consumer_marketing", subject: "organisation" }, blocks: [undated] });
      const error = expectThrows(() => buildClaimStatement({ reference: shipped, input: advert }), ClaimWordingRefusedError);
      expect(error.refusals.map((r) => r.ruleId)).to.deep.equal(["IN-ASCI-OFFSET-TIMING"]);
    });
  });

  it("refuses a claim resting on a legally required reduction, and bad input, naming the field", () => {
    expect(expectThrows(() => buildClaimStatement({ reference: shipped, input: contribution({ legallyRequiredReduction: true }) }), ValidationError).field).to.equal("legallyRequiredReduction");
    const bad = contribution({ blocks: [{ ...WIND_BLOCK, quantity: "12.5" }] });
    expect(expectThrows(() => buildClaimStatement({ reference: shipped, input: bad }), ValidationError).field).to.equal("statement.blocks[0].quantity");
    const noProvider = contribution({ assurance: { level: "reasonable" } });
    expect(expectThrows(() => buildClaimStatement({ reference: shipped, input: noProvider }), ValidationError).field).to.equal("statement.assurance.provider");
  });

  it("refuses a claim the credits fail unless that exact verdict is acknowledged, and then records it", () => {
    const corsia = contribution({ claimType: "corsia_offsetting", claimantFacts: {} });
    const error = expectThrows(() => buildClaimStatement({ reference: shipped, input: corsia }), ClaimNotEligibleError);
    expect(error.blocks[0]!.failedRules).to.include.members(["CORSIA1-EXCLUSIONS", "CORSIA1-AUTHORISATION"]);
    const verdict = evaluateUse(shipped, { use: "corsia_first_phase", credit: creditFacts(shipped, { ...WIND_BLOCK }, WIND_BLOCK.retiredOn), claimant: {} });
    expect(verdict.hash).to.equal(error.blocks[0]!.verdictHash);
    const ack = acknowledge(verdict, "0xbuyer", "2026-06-10T08:00:00Z");
    const statement = buildClaimStatement({ reference: shipped, input: { ...corsia, acknowledgements: [ack] } });
    expect(statement.blocks[0]!.verdict.verdict).to.equal("not_eligible");
    expect(statement.blocks[0]!.acknowledgement).to.deep.equal(ack);
    const forged = { ...ack, text: "I acknowledge nothing" };
    expect(() => buildClaimStatement({ reference: shipped, input: { ...corsia, acknowledgements: [forged] } })).to.throw(ClaimNotEligibleError);
  });

  it("refuses a VCMI tier the coverage share does not reach", () => {
    const vcmi = contribution({ claimType: "vcmi_gold", inventory: { reference: "inv", remainingEmissionsT: "5000" } });
    const error = expectThrows(() => buildClaimStatement({ reference: shipped, input: vcmi }), ValidationError);
    expect(error.field).to.equal("claimType");
    expect(error.message).to.contain("the credits cover 40% of remaining emissions, which reaches silver, not gold");
  });
});
