import { z } from "zod";
import { decimalString, isoDate } from "../reference/common";

/**
 * What only the claimant knows, as entered (the claim statement carries it). Every field is optional: a missing
 * fact makes its rule `unknown`, never `pass`.
 */
export const claimantFactsSchema = z.object({
  publicInventory: z.boolean().optional(),
  validatedNearTermTargets: z.boolean().optional(),
  netZeroCommitment: z.boolean().optional(),
  onTrackToTargets: z.boolean().optional(),
  parisAlignedAdvocacy: z.boolean().optional(),
  thirdPartyAssurance: z.enum(["none", "limited", "reasonable"]).optional(),
  /** tCO2e: remaining (unabated) emissions of the period, and the credits retired against them. */
  remainingEmissionsT: decimalString.optional(),
  creditsRetiredT: decimalString.optional(),
  neutralityManagementPlan: z.boolean().optional(),
  reductionsBeforeOffsetting: z.boolean().optional(),
  /** The claim period's last day and the retirement day (ISO 14068-1's retirement window). */
  periodEnd: isoDate.optional(),
  retirementDate: isoDate.optional(),
  /** SBTi: the credits are counted toward a near-term or net-zero target (must not be). */
  countsTowardTargets: z.boolean().optional(),
  ongoingEmissionsT: decimalString.optional(),
  cctsObligatedEntity: z.boolean().optional(),
  /** CSR: the CSR programme project the credits come from, if any. */
  csrProject: z.object({ programmeId: z.string().min(1), projectId: z.string().min(1), scheduleVIIItem: z.string().min(1) }).optional(),
  ownNeutralityClaim: z.boolean().optional(),
  boardApprovalAndDisclosure: z.boolean().optional(),
  statutoryObligation: z.boolean().optional(),
  /** Contribution claims: the claim presents the credits as offsetting the claimant's own emissions. */
  claimsOffsetting: z.boolean().optional(),
});
export type ClaimantFacts = z.output<typeof claimantFactsSchema>;
