import { expect } from "chai";
import { acknowledge, acknowledges, acknowledgementText } from "../../../backend/src/claims/rules/acknowledgement";
import { creditFacts, evaluateUse, evaluateUses, matchesUse } from "../../../backend/src/claims/rules/engine";
import type { BatchRef, ClaimantFacts, IntendedUse } from "../../../backend/src/claims/rules/types";
import { TODAY, project, shipped, signal, withParameter, withSignals } from "./helpers";

const IN_2025 = { vintageStart: "2025-01-01", vintageEnd: "2025-12-31" };

function verraBatch(projectId: string, extra: Partial<BatchRef> = {}): BatchRef {
  return { registry: "VERRA", projectId, serialPrefix: `40000-VCS-VCU-500-VER-IN-${projectId}-01012025-31122025-0`, unitType: "VCU", ...IN_2025, ...extra };
}

/** A Verra project with a registered status, authorised for international mitigation purposes, CA applied and labelled. */
function corsiaReady(projectId: string, fields: Record<string, unknown>, article6: Record<string, unknown> = {}) {
  const subject = { registry: "VERRA", projectId };
  const batch = { ...subject, serialPrefix: verraBatch(projectId).serialPrefix };
  return {
    projects: [project({ ...subject, name: `Test ${projectId}`, programme: "VCS", ...fields })],
    signals: [
      signal("registry_status", subject, "2025-01-01", { status: "Registered" }),
      signal("article6", batch, "2026-01-10", {
        state: "authorised", hostParty: "IN", authorisationId: "LOA-TEST-1", authorisedUses: ["international_mitigation_purposes"],
        authorisedAt: "2025-06-01", firstTransferAt: "2026-01-10", correspondingAdjustment: "applied", ...article6,
      }),
      signal("corsia_label", batch, "2026-01-10", { phase: "first", label: "CORSIA – First Phase, 2024–2026 Eligible", state: "eligible" }),
    ],
  };
}

function verdictOf(use: IntendedUse, reference: ReturnType<typeof withSignals>, batch: BatchRef, claimant?: ClaimantFacts, date = TODAY) {
  return evaluateUse(reference, { use, credit: creditFacts(reference, batch, date), claimant });
}

const outcome = (verdict: ReturnType<typeof verdictOf>, ruleId: string) => verdict.reasons.find((r) => r.ruleId === ruleId)?.outcome;

describe("claims/rules: eligibility by intended use", () => {
  describe("CORSIA first phase", () => {
    const stove = { methodology: { id: "VM0050", version: "1.0" }, activity: "cookstove", sectoralScope: "3" };
    const cookstoves = corsiaReady("9201", stove);
    const wind = corsiaReady("9202", { methodology: { id: "ACM0002", version: "19.0" }, activity: "renewable_energy", capacityMw: "50", sectoralScope: "1" });

    it("passes an eligible batch with a corresponding adjustment, rule by rule", () => {
      const reference = withSignals(cookstoves);
      const verdict = verdictOf("corsia_first_phase", reference, verraBatch("9201"));
      expect(verdict.verdict).to.equal("eligible");
      expect(verdict.reasons.map((r) => [r.ruleId, r.outcome])).to.deep.equal([
        ["CORSIA1-UNIT", "pass"], ["CORSIA1-PROGRAMME", "pass"], ["CORSIA1-VINTAGE", "pass"], ["CORSIA1-EXCLUSIONS", "pass"],
        ["CORSIA1-AUTHORISATION", "pass"], ["CORSIA1-CA", "pass"], ["CORSIA1-LABEL", "pass"], ["CORSIA1-STATUS", "pass"],
      ]);
      expect(verdict.ruleSet).to.deep.include({ id: "corsia-first-phase", version: "1" });
      expect(verdict.summary).to.equal("Eligible for CORSIA first phase (2024-2026) eligible emissions unit.");
    });

    it("fails a large renewable batch on Verra's own exclusion even with a corresponding adjustment", () => {
      const verdict = verdictOf("corsia_first_phase", withSignals(wind), verraBatch("9202"));
      expect(verdict.verdict).to.equal("not_eligible");
      expect(verdict.reasons.filter((r) => r.outcome === "fail").map((r) => r.ruleId)).to.deep.equal(["CORSIA1-EXCLUSIONS"]);
      expect(verdict.summary).to.contain("Verra excludes large-scale renewable energy projects above 15 MW");
      expect(verdict.reasons.find((r) => r.ruleId === "CORSIA1-EXCLUSIONS")!.sources.map((s) => s.id)).to.include("S37");
      const small = corsiaReady("9203", { methodology: { id: "ACM0002", version: "19.0" }, activity: "renewable_energy", capacityMw: "15", sectoralScope: "1" });
      expect(verdictOf("corsia_first_phase", withSignals(small), verraBatch("9203")).verdict).to.equal("eligible");
    });

    it("fails the demo wind batch, which also lacks an authorisation (and so a corresponding adjustment)", () => {
      const batch = { registry: "VERRA" as const, projectId: "3352", serialPrefix: "20002-VCS-VCU-500-VER-US-3352-01012024-31122024-0", unitType: "VCU", vintageStart: "2024-01-01", vintageEnd: "2024-12-31" };
      const verdict = verdictOf("corsia_first_phase", shipped, batch);
      expect(verdict.reasons.filter((r) => r.outcome === "fail").map((r) => r.ruleId)).to.deep.equal(["CORSIA1-EXCLUSIONS", "CORSIA1-AUTHORISATION", "CORSIA1-CA"]);
      expect(verdict.demoData).to.equal(true);
      expect(verdict.summary.startsWith("[demo data] ")).to.equal(true);
    });

    it("needs information while the CA is pending, unless covered as Verra's label guidance allows", () => {
      const pending = withSignals(corsiaReady("9204", stove, { correspondingAdjustment: "pending" }));
      expect(verdictOf("corsia_first_phase", pending, verraBatch("9204")).verdict).to.equal("needs_information");
      const covered = withSignals(corsiaReady("9205", stove, { correspondingAdjustment: "pending", caCover: "accounting_representation_and_insurance" }));
      expect(verdictOf("corsia_first_phase", covered, verraBatch("9205")).verdict).to.equal("eligible");
    });

    it("fails AMS-II.G cookstoves, old vintages and units authorised only for NDC use", () => {
      const ams = withSignals(corsiaReady("9206", { ...stove, methodology: { id: "AMS-II.G", version: "13.0" } }));
      expect(outcome(verdictOf("corsia_first_phase", ams, verraBatch("9206")), "CORSIA1-EXCLUSIONS")).to.equal("fail");
      const noScope = withSignals(corsiaReady("9208", { methodology: { id: "VM0050", version: "1.0" }, activity: "cookstove" }));
      expect(outcome(verdictOf("corsia_first_phase", noScope, verraBatch("9208")), "CORSIA1-EXCLUSIONS")).to.equal("unknown");
      const ref = withSignals(cookstoves);
      expect(outcome(verdictOf("corsia_first_phase", ref, verraBatch("9201", { vintageStart: "2019-01-01", vintageEnd: "2019-12-31" })), "CORSIA1-VINTAGE")).to.equal("fail");
      const ndc = withSignals(corsiaReady("9207", stove, { authorisedUses: ["ndc"] }));
      expect(outcome(verdictOf("corsia_first_phase", ndc, verraBatch("9207")), "CORSIA1-AUTHORISATION")).to.equal("fail");
    });
  });

  describe("VCMI tiers", () => {
    const landfill = withSignals({
      projects: [project({ registry: "VERRA", projectId: "9301", name: "Landfill gas", programme: "VCS", methodology: { id: "AMS-III.G", version: "10.0" }, activity: "methane" })],
      signals: [
        signal("registry_status", { registry: "VERRA", projectId: "9301" }, "2025-01-01", { status: "Registered" }),
        signal("article6", { registry: "VERRA", projectId: "9301" }, "2025-01-01", { state: "not_authorised", hostParty: "IN", authorisedUses: [], correspondingAdjustment: "not_applicable" }),
      ],
    });
    const claimant: ClaimantFacts = { publicInventory: true, validatedNearTermTargets: true, netZeroCommitment: true, onTrackToTargets: true, parisAlignedAdvocacy: true, thirdPartyAssurance: "limited", remainingEmissionsT: "10000" };

    it("lists the foundational criteria as prerequisites for the market, and decides the tier at retirement", () => {
      const market = verdictOf("vcmi_claim", landfill, verraBatch("9301"));
      expect(market.verdict).to.equal("eligible");
      expect(market.prerequisites.map((p) => p.ruleId)).to.deep.equal(["VCMI-FC1-INVENTORY", "VCMI-FC2-TARGETS", "VCMI-FC3-ON-TRACK", "VCMI-FC4-ADVOCACY", "VCMI-MRA", "VCMI-TIER"]);
      const gold = verdictOf("vcmi_claim", landfill, verraBatch("9301"), { ...claimant, creditsRetiredT: "7000" });
      expect(gold.verdict).to.equal("eligible");
      expect(gold.reasons.find((r) => r.ruleId === "VCMI-TIER")!.text).to.contain("70% of remaining emissions covered: gold");
      expect(verdictOf("vcmi_claim", landfill, verraBatch("9301"), { ...claimant, creditsRetiredT: "7000", onTrackToTargets: false }).verdict).to.equal("not_eligible");
      expect(verdictOf("vcmi_claim", landfill, verraBatch("9301"), { creditsRetiredT: "7000" }).verdict).to.equal("needs_information");
    });

    it("reads the tier bands from the parameter the sources disagree on", () => {
      const low = { ...claimant, creditsRetiredT: "1500" };
      expect(outcome(verdictOf("vcmi_claim", landfill, verraBatch("9301"), low), "VCMI-TIER")).to.equal("fail");
      const tenPercent = withParameter("vcmi.tiers", { silver: { minPercent: "10", maxPercent: "50" }, gold: { minPercent: "50", maxPercent: "100" }, platinum: { minPercent: "100" } }, landfill);
      const silver = verdictOf("vcmi_claim", tenPercent, verraBatch("9301"), low);
      expect(silver.reasons.find((r) => r.ruleId === "VCMI-TIER")!.text).to.contain("15% of remaining emissions covered: silver");
      expect(silver.referenceVersion).to.not.equal(verdictOf("vcmi_claim", landfill, verraBatch("9301"), low).referenceVersion);
    });
  });

  it("never passes an energy attribute certificate for a carbon claim, nor a CCC for CSR", () => {
    const irec = { registry: "IREC" as const, projectId: "DEVICE-IN-SOLAR-1", serialPrefix: "IREC-1", unitType: "I-REC(E)" };
    const verdicts = evaluateUses(shipped, irec, TODAY);
    for (const use of ["corsia_first_phase", "vcmi_claim", "iso14068_neutrality", "sbti_bvcm", "contribution", "csr_schedule_vii", "ccts_offset"] as const) {
      expect(verdicts[use]!.verdict, use).to.equal("not_eligible");
    }
    const ccc = { registry: "IN_CCTS" as const, projectId: "CMT0001", serialPrefix: "CCC-IN-CEMENT-CMT0001-2025", unitType: "CCC", vintageStart: "2025-04-01", vintageEnd: "2026-03-31" };
    const csr = evaluateUses(shipped, ccc, TODAY, ["csr_schedule_vii", "ccts_offset", "iso14068_neutrality"]);
    expect(csr.csr_schedule_vii!.reasons.find((r) => r.outcome === "fail")!.ruleId).to.equal("CSR-NOT-STATUTORY-UNIT");
    expect(outcome(csr.ccts_offset!, "CCTS-UNIT")).to.equal("pass");
    expect(csr.iso14068_neutrality!.verdict).to.equal("not_eligible");
  });

  it("never shows a credit purchase as eligible CSR without the CSR project it comes from", () => {
    const indian = withSignals({
      projects: [project({ registry: "VERRA", projectId: "9401", name: "Indian biogas", programme: "VCS", activity: "methane" })],
      signals: [signal("registry_status", { registry: "VERRA", projectId: "9401" }, "2025-01-01", { status: "Registered" })],
    });
    expect(verdictOf("csr_schedule_vii", indian, verraBatch("9401")).verdict).to.equal("needs_information");
    const facts: ClaimantFacts = { csrProject: { programmeId: "P1", projectId: "biogas", scheduleVIIItem: "iv" }, statutoryObligation: false, ownNeutralityClaim: true };
    expect(verdictOf("csr_schedule_vii", indian, verraBatch("9401"), facts).verdict).to.equal("not_eligible");
    expect(verdictOf("csr_schedule_vii", indian, verraBatch("9401"), { ...facts, boardApprovalAndDisclosure: true }).verdict).to.equal("eligible");
    expect(verdictOf("csr_schedule_vii", indian, verraBatch("9401"), { ...facts, ownNeutralityClaim: false, statutoryObligation: true }).verdict).to.equal("not_eligible");
  });

  it("filters the market by use and asks for an acknowledgement of exactly the verdict shown", () => {
    const batch = { registry: "VERRA" as const, projectId: "3352", serialPrefix: "20002-VCS-VCU-500-VER-US-3352-01012024-31122024-0", unitType: "VCU", vintageStart: "2024-01-01", vintageEnd: "2024-12-31" };
    const uses = evaluateUses(shipped, batch, TODAY);
    expect(Object.entries(uses).filter(([, v]) => matchesUse(v!)).map(([use]) => use).sort()).to.deep.equal(["contribution", "iso14068_neutrality", "sbti_bvcm"]);
    const corsia = uses.corsia_first_phase!;
    expect(matchesUse(corsia, "eligible_or_needs_information")).to.equal(false);
    const ack = acknowledge(corsia, "0xbuyer", "2026-06-15T10:00:00Z");
    expect(ack.text).to.equal(acknowledgementText(corsia));
    expect(ack.text).to.contain("is not eligible for CORSIA first phase");
    expect(acknowledges(ack, corsia)).to.equal(true);
    const later = evaluateUse(shipped, { use: "corsia_first_phase", credit: creditFacts(shipped, batch, "2026-06-16") });
    expect(later.hash).to.not.equal(corsia.hash);
    expect(acknowledges(ack, later)).to.equal(false);
    expect(() => acknowledge(uses.contribution!, "0xbuyer", "2026-06-15T10:00:00Z")).to.throw("needs no acknowledgement");
  });
});
