import type { ClaimBasis, ParsedClaimStatementInput } from "./model";

/**
 * The claim's standard wording per claim type, and the two statements every claim carries: that the credits cover
 * no legally required reduction (ASCI) and when the reductions happened (ASCI asks for the timing; a block
 * without vintage dates leaves it null, which the wording rules then refuse where they apply).
 */

function period(input: ParsedClaimStatementInput): string {
  return `${input.period.start} to ${input.period.end}`;
}

export function standardWording(input: ParsedClaimStatementInput, total: bigint): string {
  const who = input.claimant.legalName;
  const q = `${total} tCO2e`;
  const when = period(input);
  switch (input.claimType) {
    case "vcmi_silver":
    case "vcmi_gold":
    case "vcmi_platinum": {
      const tier = input.claimType.slice(5, 6).toUpperCase() + input.claimType.slice(6);
      return `${who} makes a VCMI Carbon Integrity ${tier} claim for ${when}: while on track to its science-based targets, it retired ${q} of CCP-labelled carbon credits against ${input.inventory.remainingEmissionsT ?? "its"} tCO2e of remaining emissions.`;
    }
    case "iso14068_carbon_neutrality":
      return `${input.boundary.description} is claimed carbon neutral for ${when} in accordance with ISO 14068-1:2023: emissions were reduced in the value chain first, and the remaining emissions are offset by retiring ${q} of carbon credits.`;
    case "sbti_bvcm":
      return `${who} financed ${q} of mitigation beyond its value chain in ${when}. These credits are not counted toward its science-based targets.`;
    case "corsia_offsetting":
      return `${who} cancelled ${q} of CORSIA eligible emissions units toward its CORSIA first-phase offsetting requirements.`;
    case "ccts_surrender":
      return `${who} surrendered ${q} of Carbon Credit Certificates toward its target under India's Carbon Credit Trading Scheme for ${when}.`;
    case "csr_activity":
      return `${who} funded mitigation of ${q} through its CSR programme under Schedule VII item (iv) in ${when}; the credits are retired and are not used for its own emissions claims.`;
    case "contribution":
      return `${who} contributed to climate action beyond its own emissions by financing and retiring ${q} of carbon credits in ${when}. This is a contribution, not an offset of ${who}'s emissions.`;
  }
}

export function statementsFor(
  input: ParsedClaimStatementInput,
  blocks: ReadonlyArray<{ vintageStart?: string | undefined; vintageEnd?: string | undefined }>,
  basis: ClaimBasis,
): { noLegallyRequiredReduction: string; reductionTiming: string | null } {
  const who = input.claimant.legalName;
  const noLegal =
    basis === "compliance"
      ? "The reductions and removals these units represent were not required of their project by any law or regulation."
      : `The reductions and removals these credits represent were not required by any law or regulation, and ${who} does not count them toward any reduction the law requires of it.`;
  const starts = blocks.map((b) => b.vintageStart);
  const ends = blocks.map((b) => b.vintageEnd);
  if (starts.some((d) => d === undefined) || ends.some((d) => d === undefined)) return { noLegallyRequiredReduction: noLegal, reductionTiming: null };
  const first = (starts as string[]).sort()[0]!;
  const last = (ends as string[]).sort().at(-1)!;
  return {
    noLegallyRequiredReduction: noLegal,
    reductionTiming: `The reductions and removals behind these credits took place between ${first} and ${last} (the vintages of the retired blocks), before their issuance; none is a future reduction.`,
  };
}
