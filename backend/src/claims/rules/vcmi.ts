import Decimal from "decimal.js";
import type { Parameters } from "./params";
import { carbonUnitRule, claimantFlagRule, fail, notPausedRule, pass, percentOf, unknown } from "./common";
import type { RuleResult, RuleSet } from "./types";

/**
 * VCMI Claims Code of Practice (CLAIMS_AND_CSR.md §2). Credit rules: CCP-labelled credits, a status that lets
 * them move, a known host-country authorisation status (the claimant must disclose it). Claimant rules: the four
 * foundational criteria, third-party assurance (MRA framework), and the tier reached by the share of remaining
 * emissions the retired credits cover, with the tier bands as a parameter (sources disagree on them).
 */

export type VcmiTier = "silver" | "gold" | "platinum";

/** The tier a coverage share reaches under the configured bands, or undefined below Silver's floor. */
export function vcmiTier(parameters: Parameters, sharePercent: Decimal): VcmiTier | undefined {
  const bands = parameters["vcmi.tiers"].value;
  const within = (band: { minPercent: string; maxPercent?: string | undefined }) =>
    sharePercent.gte(band.minPercent) && (band.maxPercent === undefined || sharePercent.lt(band.maxPercent));
  if (within(bands.platinum)) return "platinum";
  if (within(bands.gold)) return "gold";
  if (within(bands.silver)) return "silver";
  return undefined;
}

function tierResult(parameters: Parameters, remaining?: string, retired?: string): RuleResult {
  const share = percentOf(retired, remaining);
  const tiers = parameters["vcmi.tiers"];
  if (share === undefined) return unknown("remaining emissions and credits retired not both stated", tiers.sources);
  const tier = vcmiTier(parameters, share);
  const detail = `${share.toDecimalPlaces(2, Decimal.ROUND_DOWN).toString()}% of remaining emissions covered`;
  return tier === undefined ? fail(`${detail}, below Silver`, tiers.sources) : pass(`${detail}: ${tier}`, tiers.sources);
}

export const vcmiClaim: RuleSet = {
  id: "vcmi-claims-code",
  version: "1",
  use: "vcmi_claim",
  title: "VCMI Carbon Integrity claim (Claims Code of Practice)",
  sources: ["S65", "S66", "S67", "S69"],
  rules: [
    carbonUnitRule("VCMI"),
    {
      id: "VCMI-CCP",
      version: "1",
      scope: "credit",
      sources: ["S69", "S3"],
      wording: {
        pass: "The credits carry the ICVCM CCP label, as a VCMI claim requires",
        fail: "The credits do not meet the ICVCM Core Carbon Principles, which a VCMI claim requires",
        unknown: "Whether the credits carry the CCP label cannot be decided from the facts on file",
      },
      check: ({ credit }) => {
        const { label, reasons, sources } = credit.ccp;
        const detail = reasons.join("; ");
        return label === "ccp" ? pass(detail, sources) : label === "no_ccp" ? fail(detail, sources) : unknown(detail, sources);
      },
    },
    {
      id: "VCMI-AUTHORISATION-KNOWN",
      version: "1",
      scope: "credit",
      sources: ["S69"],
      wording: {
        pass: "The host-country authorisation status is known, so the claimant can disclose it",
        fail: "The host-country authorisation status is not known",
        unknown: "No host-country authorisation status (authorised or not) is on file; VCMI asks the claimant to disclose it",
      },
      check: ({ credit }) => {
        const a6 = credit.state.article6;
        return a6 === undefined ? unknown() : pass(`${a6.hostParty}: ${a6.state}`, a6.sources);
      },
    },
    notPausedRule("VCMI"),
    claimantFlagRule("VCMI-FC1-INVENTORY", ["S65", "S67"], "publicInventory", [
      "A public annual scope 1, 2 and 3 inventory",
      "No public annual scope 1, 2 and 3 inventory",
      "Foundational criterion 1: a public annual scope 1, 2 and 3 inventory",
    ]),
    {
      id: "VCMI-FC2-TARGETS",
      version: "1",
      scope: "claimant",
      sources: ["S65", "S67"],
      wording: {
        pass: "Validated science-based near-term targets and a public net-zero commitment",
        fail: "No validated science-based near-term targets or no public net-zero commitment",
        unknown: "Foundational criterion 2: validated science-based near-term targets and a public net-zero commitment",
      },
      check: ({ claimant }) => {
        const { validatedNearTermTargets: targets, netZeroCommitment: netZero } = claimant;
        if (targets === false || netZero === false) return fail();
        return targets && netZero ? pass() : unknown();
      },
    },
    claimantFlagRule("VCMI-FC3-ON-TRACK", ["S65", "S67"], "onTrackToTargets", [
      "On track to the near-term targets, with progress disclosed",
      "Not on track to the near-term targets",
      "Foundational criterion 3: on track to the near-term targets",
    ]),
    claimantFlagRule("VCMI-FC4-ADVOCACY", ["S65", "S67"], "parisAlignedAdvocacy", [
      "Public policy advocacy aligned with the Paris Agreement",
      "Policy advocacy not aligned with the Paris Agreement",
      "Foundational criterion 4: Paris-aligned policy advocacy",
    ]),
    {
      id: "VCMI-MRA",
      version: "1",
      scope: "claimant",
      sources: ["S66", "S70"],
      wording: { pass: "The claim is assured by a third party", fail: "The claim has no third-party assurance", unknown: "Third-party assurance of the claim (VCMI MRA framework)" },
      check: ({ claimant }) => (claimant.thirdPartyAssurance === undefined ? unknown() : claimant.thirdPartyAssurance === "none" ? fail() : pass(claimant.thirdPartyAssurance)),
    },
    {
      id: "VCMI-TIER",
      version: "1",
      scope: "claimant",
      sources: ["S65"],
      wording: {
        pass: "The retired credits reach a VCMI tier",
        fail: "The retired credits cover too small a share of remaining emissions for any VCMI tier",
        unknown: "The share of remaining emissions covered, which sets the tier (Silver, Gold, Platinum)",
      },
      check: ({ claimant, reference }) => tierResult(reference.parameters, claimant.remainingEmissionsT, claimant.creditsRetiredT),
    },
  ],
};
