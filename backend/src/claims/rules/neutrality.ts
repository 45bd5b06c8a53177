import { addMonths } from "../dates";
import { carbonUnitRule, claimantFlagRule, fail, notPausedRule, pass, percentOf, unknown, vintageEndYear } from "./common";
import type { RuleSet } from "./types";

/**
 * ISO 14068-1:2023 carbon neutrality and SBTi beyond-value-chain mitigation / ongoing emissions responsibility
 * (CLAIMS_AND_CSR.md §2). Both standards are paywalled or in draft: the figures (ISO's 12-month retirement
 * window, SBTi's 2021 vintage floor and 1% Recognised share) are parameters whose notes say how sure they are.
 */

export const iso14068Neutrality: RuleSet = {
  id: "iso-14068-1",
  version: "1",
  use: "iso14068_neutrality",
  title: "Carbon neutrality under ISO 14068-1:2023",
  sources: ["S73", "S74", "S75"],
  rules: [
    carbonUnitRule("ISO14068"),
    {
      id: "ISO14068-PROGRAMME",
      version: "1",
      scope: "credit",
      sources: ["S73", "S75"],
      wording: {
        pass: "The credit is issued by a GHG crediting programme, independently verified and uniquely serialised",
        fail: "The unit does not come from a project-based crediting programme the platform accepts for ISO 14068-1 offsetting",
        unknown: "The credit's programme is not on file",
      },
      check: ({ credit, reference }) => {
        const programmes = reference.parameters["iso14068.programmes"];
        const programme = credit.project?.programme;
        if (programme === undefined) return unknown();
        if (programme === "CCTS" && credit.project?.cctsMechanism === "compliance") {
          return fail("a compliance CCC certifies an entity beating its intensity target, not a verified project reduction", programmes.sources);
        }
        return (programmes.value as readonly string[]).includes(programme) ? pass(programme, programmes.sources) : fail(programme, programmes.sources);
      },
    },
    {
      id: "ISO14068-PERMANENCE",
      version: "1",
      scope: "credit",
      sources: ["S51", "S52"],
      wording: {
        pass: "No unresolved reversal, and AFOLU credits are backed by a buffer contribution",
        fail: "A reversal event affects the project",
        unknown: "The buffer contribution of this AFOLU project is not on file",
      },
      check: ({ credit }) => {
        const open = credit.state.reversals.filter((r) => r.state !== "compensated");
        if (open.length > 0) return fail(open.map((r) => `${r.eventId} ${r.state}`).join(", "));
        const afolu = credit.project?.activity.startsWith("afolu") ?? false;
        if (afolu && credit.state.buffers.length === 0) return unknown();
        return pass(afolu ? credit.state.buffers.map((b) => `${b.percent}% to ${b.pool}`).join(", ") : undefined);
      },
    },
    notPausedRule("ISO14068"),
    claimantFlagRule("ISO14068-PLAN", ["S73", "S74"], "neutralityManagementPlan", [
      "A carbon neutrality management plan exists",
      "No carbon neutrality management plan",
      "A carbon neutrality commitment and management plan (baseline, targets, offset types, timeline)",
    ]),
    claimantFlagRule("ISO14068-HIERARCHY", ["S73", "S74"], "reductionsBeforeOffsetting", [
      "Reductions in the value chain come before offsetting",
      "Offsetting is used in place of value-chain reductions",
      "Value-chain reductions made before offsetting (the hierarchy)",
    ]),
    {
      id: "ISO14068-TIMING",
      version: "1",
      scope: "claimant",
      sources: ["S75"],
      wording: {
        pass: "The credits are retired within the window after the claim period",
        fail: "The credits are retired outside the window after the claim period",
        unknown: "The claim period's end and the retirement day",
      },
      check: ({ claimant, reference }) => {
        const months = reference.parameters["iso14068.retirementWindowMonths"];
        const { periodEnd, retirementDate } = claimant;
        if (periodEnd === undefined || retirementDate === undefined) return unknown(undefined, months.sources);
        const ok = retirementDate <= addMonths(periodEnd, months.value);
        return (ok ? pass : fail)(`retired ${retirementDate}, period ended ${periodEnd}, window ${months.value} months`, months.sources);
      },
    },
  ],
};

export const sbtiBvcm: RuleSet = {
  id: "sbti-bvcm",
  version: "1",
  use: "sbti_bvcm",
  title: "SBTi beyond value chain mitigation / ongoing emissions responsibility",
  sources: ["S76", "S77", "S78", "S79"],
  rules: [
    carbonUnitRule("SBTI"),
    {
      id: "SBTI-VINTAGE",
      version: "1",
      scope: "credit",
      sources: ["S78"],
      wording: { pass: "The vintage meets the vintage floor", fail: "The vintage is older than the vintage floor", unknown: "The batch's vintage is not known" },
      check: ({ credit, reference }) => {
        const floor = reference.parameters["sbti.vintageFloorYear"];
        const year = vintageEndYear(credit.batch);
        if (year === undefined) return unknown(undefined, floor.sources);
        return (year >= floor.value ? pass : fail)(`vintage ${year}, floor ${floor.value}`, floor.sources);
      },
    },
    notPausedRule("SBTI"),
    {
      id: "SBTI-NOT-TARGET",
      version: "1",
      scope: "claimant",
      sources: ["S76", "S79"],
      wording: {
        pass: "The credits are not counted toward the company's science-based targets",
        fail: "Credits cannot count toward near-term or net-zero targets under SBTi",
        unknown: "A statement that the credits are not counted toward targets",
      },
      check: ({ claimant }) => (claimant.countsTowardTargets === undefined ? unknown() : claimant.countsTowardTargets ? fail() : pass()),
    },
    {
      id: "SBTI-RECOGNISED-SHARE",
      version: "1",
      scope: "claimant",
      sources: ["S76", "S77"],
      wording: {
        pass: "The mitigation reaches the Recognised share of ongoing emissions",
        fail: "The mitigation is below the Recognised share of ongoing emissions",
        unknown: "Ongoing emissions and credits retired (the Recognised tier's share)",
      },
      check: ({ claimant, reference }) => {
        const min = reference.parameters["sbti.recognisedMinPercent"];
        const share = percentOf(claimant.creditsRetiredT, claimant.ongoingEmissionsT);
        if (share === undefined) return unknown(undefined, min.sources);
        return (share.gte(min.value) ? pass : fail)(`${share.toDecimalPlaces(2).toString()}% of ongoing emissions, minimum ${min.value}%`, min.sources);
      },
    },
  ],
};
