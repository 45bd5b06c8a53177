import { expect } from "chai";
import { assessCcp, ccpDecisionFor } from "../../../backend/src/claims/labels/ccp";
import { projectFacts } from "../../../backend/src/claims/reference/load";
import type { SignalOf } from "../../../backend/src/claims/signals/model";
import { creditFacts, evaluateUse } from "../../../backend/src/claims/rules/engine";
import { shipped } from "./helpers";

const GS_PROJECT = projectFacts(shipped, "GOLD_STANDARD", "7495")!;

/** Monitoring facts of one issuance that meet every condition of GS TPDDTEC v2-3.1 (S8, S9). */
function monitoring(facts: Record<string, string | boolean> = {}): SignalOf<"monitoring"> {
  return {
    kind: "monitoring",
    subject: { registry: "GOLD_STANDARD", projectId: "7495", serialPrefix: "GS1-1-KE-GS7495-16-2025-30645" },
    asOf: "2026-02-01",
    sources: ["S9"],
    monitoringPeriod: { start: "2025-01-01", end: "2025-12-31" },
    facts: {
      fnrbSource: "MoFuSS",
      fuelUseMethod: "KPT",
      charcoalConversion: "NOT_APPLICABLE",
      baselineDate: "2022-01-01",
      stoveTechnicalLifeEnd: "2029-12-31",
      fuelTransportEmissionsCounted: true,
      overlapDiscountApplied: true,
      ...facts,
    },
  };
}

const assess = (m: SignalOf<"monitoring">[], date = "2026-06-15", project = GS_PROJECT) => assessCcp({ labels: shipped.labels, project, monitoring: m, date });

describe("claims/labels: ICVCM CCP", () => {
  it("finds the conditional approval of GS TPDDTEC v3.1 and dates it conservatively", () => {
    expect(ccpDecisionFor(shipped.labels, "GS", { id: "TPDDTEC", version: "3.1" }, "2026-01-01")?.id).to.equal("ccp-gs-tpddtec-v2-3.1");
    // "mid-2025" with no month on record: effective from the end of 2025, never earlier than the source says.
    expect(ccpDecisionFor(shipped.labels, "GS", { id: "TPDDTEC", version: "3.1" }, "2025-07-01")).to.equal(undefined);
    expect(ccpDecisionFor(shipped.labels, "GS", { id: "TPDDTEC", version: "4.0" }, "2025-07-01")?.id).to.equal("ccp-gs-tpddtec-v4");
  });

  it("labels an issuance that meets every condition of a conditional approval", () => {
    const result = assess([monitoring()]);
    expect(result.status).to.equal("approved_with_conditions");
    expect(result.label).to.equal("ccp");
    expect(result.conditions.every((c) => c.met === true)).to.equal(true);
  });

  it("refuses the label to an issuance that misses one condition, naming it", () => {
    const stale = assess([monitoring({ baselineDate: "2018-06-01" })]);
    expect(stale.label).to.equal("no_ccp");
    expect(stale.conditions.filter((c) => c.met === false).map((c) => c.id)).to.deep.equal(["baseline-reassessed"]);
    expect(stale.reasons.join()).to.contain("baselineDate 2018-06-01 is more than 5 years before 2025-12-31");
    expect(assess([monitoring({ fnrbSource: "PROJECT_SURVEY" })]).conditions.find((c) => c.id === "fnrb-source")!.met).to.equal(false);
    expect(assess([monitoring({ stoveTechnicalLifeEnd: "2025-06-30" })]).label).to.equal("no_ccp");
  });

  it("says unknown, not approved, when a condition's fact is missing or no monitoring facts exist", () => {
    const facts = monitoring();
    delete (facts.facts as Record<string, unknown>).overlapDiscountApplied;
    expect(assess([facts]).label).to.equal("unknown");
    expect(assess([]).label).to.equal("unknown");
  });

  it("tests the demo issuance per issuance: the demo batch misses the baseline condition, so VCMI fails", () => {
    const batch = { registry: "GOLD_STANDARD" as const, projectId: "7495", serialPrefix: "GS1-1-KE-GS7495-16-2025-30645", unitType: "VER", vintageStart: "2025-01-01", vintageEnd: "2025-12-31" };
    const credit = creditFacts(shipped, batch, "2026-06-15");
    expect(credit.ccp.label).to.equal("no_ccp");
    const verdict = evaluateUse(shipped, { use: "vcmi_claim", credit });
    expect(verdict.verdict).to.equal("not_eligible");
    expect(verdict.reasons.find((r) => r.ruleId === "VCMI-CCP")!.text).to.contain("conditions not met: baseline-reassessed");
  });

  it("follows the two ticks: rejected methodologies and programmes not yet eligible get no label", () => {
    const wind = projectFacts(shipped, "VERRA", "3352")!;
    expect(assess([], "2026-06-15", wind)).to.include({ label: "no_ccp", status: "rejected" });
    const ams = { ...wind, methodology: { id: "AMS-III.G", version: "10.0" }, activity: "methane" as const };
    expect(assess([], "2024-06-30", ams).label).to.equal("ccp");
    // VCS became CCP-Eligible in May 2024: before that, the programme tick is missing.
    expect(assess([], "2024-04-30", ams)).to.include({ label: "unknown", status: "unknown" });
  });

  it("limits CDM AM0023 to first crediting periods", () => {
    const ldar = { ...GS_PROJECT, programme: "VCS" as const, registry: "VERRA" as const, methodology: { id: "AM0023", version: "4.0.0" }, activity: "methane" as const };
    const period = (n: string) => ({ ...monitoring(), subject: { registry: "VERRA" as const, projectId: "1" }, facts: { creditingPeriodNumber: n } });
    expect(assess([period("1")], "2025-01-01", ldar).label).to.equal("ccp");
    expect(assess([period("2")], "2025-01-01", ldar).label).to.equal("no_ccp");
  });
});
