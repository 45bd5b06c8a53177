import { carbonUnitRule, claimantFlagRule, fail, notPausedRule, pass, unknown } from "./common";
import type { RuleSet } from "./types";

/**
 * India: use of CCCs under the Carbon Credit Trading Scheme (CLAIMS_AND_CSR.md §2, CCTS offset mechanism) and
 * CSR under Companies Act 2013 s.135 and Schedule VII (§3). No MCA circular says whether buying carbon credits is
 * a CSR activity (§3, [U]): the CSR rule set therefore never passes a credit purchase on its own; it needs the CSR
 * programme project the credits come from (backend/src/claims/csr), and refuses what the rules exclude.
 */

export const cctsOffset: RuleSet = {
  id: "ccts",
  version: "1",
  use: "ccts_offset",
  title: "Use under India's Carbon Credit Trading Scheme (surrender toward an obligated entity's target)",
  sources: ["S93", "S94", "S95"],
  rules: [
    {
      id: "CCTS-UNIT",
      version: "1",
      scope: "credit",
      sources: ["S93", "S95"],
      wording: {
        pass: "The unit is a Carbon Credit Certificate on the Indian Carbon Market registry",
        fail: "Only Carbon Credit Certificates (CCCs) issued under CCTS count toward CCTS targets; this unit is not one",
        unknown: "The unit type is not known",
      },
      check: ({ credit }) => (credit.batch.registry === "IN_CCTS" && credit.batch.unitType === "CCC" ? pass() : fail(`${credit.batch.registry} ${credit.batch.unitType}`)),
    },
    {
      id: "CCTS-MECHANISM",
      version: "1",
      scope: "credit",
      sources: ["S93", "S94"],
      wording: {
        pass: "The certificate comes from the compliance mechanism or an approved offset methodology",
        fail: "The offset-mechanism methodology is not on the approved list",
        unknown: "The certificate's mechanism, or the approved offset methodologies, are not on file",
      },
      check: ({ credit, reference }) => {
        const project = credit.project;
        if (credit.batch.registry !== "IN_CCTS") return pass("not applicable: not a CCTS unit");
        if (project === undefined || project.cctsMechanism === undefined) return unknown();
        if (project.cctsMechanism === "compliance") return pass("compliance mechanism");
        const approved = reference.parameters["ccts.offsetMethodologies"];
        if (approved.value.length === 0) return unknown("the approved offset methodology list is not on file", approved.sources);
        const id = project.methodology?.id;
        return id !== undefined && approved.value.includes(id) ? pass(id, approved.sources) : fail(id ?? "no methodology", approved.sources);
      },
    },
    notPausedRule("CCTS"),
    claimantFlagRule("CCTS-OBLIGATED", ["S93"], "cctsObligatedEntity", [
      "The claimant is an obligated entity under CCTS",
      "The claimant is not an obligated entity under CCTS",
      "Whether the claimant is a CCTS obligated entity",
    ]),
  ],
};

export const csrScheduleVii: RuleSet = {
  id: "csr-schedule-vii",
  version: "1",
  use: "csr_schedule_vii",
  title: "CSR activity under Schedule VII item (iv), Companies Act 2013 s.135",
  sources: ["S96", "S97", "S99", "S45", "S107"],
  rules: [
    carbonUnitRule("CSR"),
    {
      id: "CSR-IN-INDIA",
      version: "1",
      scope: "credit",
      sources: ["S97"],
      wording: {
        pass: "The project is in India",
        fail: "CSR Rules 2014 r.2(1)(d) exclude activities undertaken outside India",
        unknown: "The project's country is not on file",
      },
      check: ({ credit }) => {
        const country = credit.project?.country;
        return country === undefined ? unknown() : country === "IN" ? pass() : fail(`project in ${country}`);
      },
    },
    {
      id: "CSR-NOT-STATUTORY-UNIT",
      version: "1",
      scope: "credit",
      sources: ["S97", "S45"],
      wording: {
        pass: "The unit is not a compliance instrument",
        fail: "A CCC serves a statutory CCTS obligation; CSR Rules r.2(1)(d) exclude activities fulfilling any statutory obligation",
        unknown: "The unit type is not known",
      },
      check: ({ credit }) => (credit.batch.unitType === "CCC" ? fail() : pass()),
    },
    {
      // Scope `credit` although it reads a claimant fact: without the CSR project a credit purchase is never shown
      // as eligible CSR, not even in the market filter (where no claimant facts exist yet).
      id: "CSR-PROGRAMME-PROJECT",
      version: "1",
      scope: "credit",
      sources: ["S99", "S107"],
      wording: {
        pass: "The credits come from a CSR programme project tagged to Schedule VII item (iv)",
        fail: "The CSR project named is not tagged to Schedule VII item (iv)",
        unknown: "Buying credits is not in itself a Schedule VII activity (no MCA ruling either way): name the CSR programme project the credits come from",
      },
      check: ({ claimant }) => {
        const project = claimant.csrProject;
        if (project === undefined) return unknown();
        return project.scheduleVIIItem === "iv" ? pass(`${project.programmeId}/${project.projectId}`) : fail(`item (${project.scheduleVIIItem})`);
      },
    },
    {
      id: "CSR-NO-STATUTORY-OBLIGATION",
      version: "1",
      scope: "claimant",
      sources: ["S97", "S45"],
      wording: {
        pass: "The spending fulfils no statutory obligation",
        fail: "Spending that fulfils a statutory obligation (CCTS target, RPO, environmental-clearance condition) cannot count as CSR",
        unknown: "Whether the spending fulfils a statutory obligation",
      },
      check: ({ claimant }) => (claimant.statutoryObligation === undefined ? unknown() : claimant.statutoryObligation ? fail() : pass()),
    },
    {
      id: "CSR-OWN-CLAIM",
      version: "1",
      scope: "claimant",
      sources: ["S108", "S102", "PLATFORM-CSR-DOUBLE-CLAIM"],
      wording: {
        pass: "The credits are not used for the company's own neutrality claim, or the board approved and disclosed it",
        fail: "Credits from a CSR-funded project cannot back the company's own neutrality claim without board approval and disclosure",
        unknown: "Whether the company will use the credits for its own neutrality claim",
      },
      check: ({ claimant }) => {
        if (claimant.ownNeutralityClaim === undefined) return unknown();
        if (!claimant.ownNeutralityClaim) return pass();
        return claimant.boardApprovalAndDisclosure === true ? pass("board approval and disclosure recorded") : fail();
      },
    },
  ],
};
