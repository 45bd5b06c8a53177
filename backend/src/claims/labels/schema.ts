import { z } from "zod";
import { cited, decimalString, fileHeader, partialDate, programmeSchema } from "../reference/common";
import { activitySchema } from "../signals/model";

/**
 * Methodology- and programme-level labels (labels.json): ICVCM CCP decisions per (programme, methodology,
 * version) with the conditions of conditional approvals, and the CORSIA programme approvals and exclusions.
 */

export const ccpStatusSchema = z.enum(["approved", "approved_with_conditions", "rejected", "under_assessment", "not_submitted"]);
export type CcpStatus = z.output<typeof ccpStatusSchema>;

/**
 * A condition's test over one issuance's monitoring facts (a `monitoring` signal). Typed predicates, not code in
 * data: `fact_in` (the fact is one of `allowed`), `fact_true`, `max_age_years` (the date fact is at most `years`
 * old at the end of the monitoring period), `not_after_fact` (the monitoring period ends on or before the date fact).
 */
export const conditionCheckSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fact_in"), fact: z.string().min(1), allowed: z.array(z.string()).min(1) }),
  z.object({ kind: z.literal("fact_true"), fact: z.string().min(1) }),
  z.object({ kind: z.literal("max_age_years"), fact: z.string().min(1), years: z.number().int().positive() }),
  z.object({ kind: z.literal("not_after_fact"), fact: z.string().min(1) }),
]);
export type ConditionCheck = z.output<typeof conditionCheckSchema>;

export const ccpConditionSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  check: conditionCheckSchema,
  sources: z.array(z.string().min(1)).min(1),
});
export type CcpCondition = z.output<typeof ccpConditionSchema>;

export const ccpProgrammeSchema = z.object({
  programme: programmeSchema,
  status: z.enum(["eligible", "not_eligible", "under_assessment"]),
  since: partialDate.optional(),
  ...cited,
});

export const ccpDecisionSchema = z
  .object({
    id: z.string().min(1),
    programme: programmeSchema,
    methodology: z.string().min(1),
    /** Versions the decision covers; `*` for every version current at the decision. */
    versions: z.union([z.literal("*"), z.array(z.string().min(1)).min(1)]),
    category: z.string().min(1),
    status: ccpStatusSchema,
    decided: partialDate.optional(),
    conditions: z.array(ccpConditionSchema).default([]),
    ...cited,
  })
  .refine((d) => d.status !== "approved_with_conditions" || d.conditions.length > 0, {
    message: "a conditional approval lists its conditions",
    path: ["conditions"],
  });
export type CcpDecision = z.output<typeof ccpDecisionSchema>;

export const corsiaProgrammeSchema = z.object({
  programme: programmeSchema,
  phase: z.enum(["pilot", "first"]),
  status: z.enum(["approved", "conditionally_approved", "not_approved"]),
  since: partialDate.optional(),
  ...cited,
});

/** A programme's own exclusion from a CORSIA phase, as a typed match over project facts. */
export const corsiaExclusionSchema = z.object({
  id: z.string().min(1),
  programme: programmeSchema,
  phase: z.enum(["pilot", "first"]),
  text: z.string().min(1),
  match: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("capacity_above"), activity: activitySchema, mw: decimalString }),
    z.object({ kind: z.literal("methodology"), methodologies: z.array(z.string().min(1)).min(1) }),
    z.object({ kind: z.literal("sectoral_scope"), scopes: z.array(z.string().min(1)).min(1) }),
  ]),
  ...cited,
});
export type CorsiaExclusion = z.output<typeof corsiaExclusionSchema>;

export const labelsFileSchema = z.object({
  ...fileHeader("carbon-custody/claims-labels"),
  ccpProgrammes: z.array(ccpProgrammeSchema),
  ccpDecisions: z.array(ccpDecisionSchema),
  corsiaProgrammes: z.array(corsiaProgrammeSchema),
  corsiaExclusions: z.array(corsiaExclusionSchema),
});
export type LabelsFile = z.output<typeof labelsFileSchema>;
