import { z } from "zod";
import { decimalString, fileHeader, isoDate, programmeSchema, sourceIds } from "../reference/common";

/**
 * Rule parameters (parameters.json): every threshold a rule or the CSR calculator uses, each with its sources, and
 * where sources disagree, the disagreement in words with the other sources. A rule never holds a figure of its
 * own; it reads the parameter, so an operator can follow a newer source without a code change.
 */

function parameter<T extends z.ZodType>(value: T) {
  return z.object({
    value,
    sources: sourceIds,
    asOf: isoDate,
    note: z.string().optional(),
    /** Present where sources disagree: what the others say, and with which sources. */
    disagreement: z.object({ text: z.string().min(1), sources: sourceIds }).optional(),
    /** What is not confirmed from a source ([U] in the research notes). */
    unconfirmed: z.string().optional(),
  });
}

const percentBand = z.object({ minPercent: decimalString, maxPercent: decimalString.optional() });
const crore = decimalString;

export const parameterSchemas = {
  "signals.pauseOnOpenReview": parameter(z.boolean()),
  "corsia.firstPhase.vintage": parameter(z.object({ from: isoDate, to: isoDate })),
  "vcmi.tiers": parameter(z.object({ silver: percentBand, gold: percentBand, platinum: percentBand })),
  "iso14068.retirementWindowMonths": parameter(z.number().int().positive()),
  "iso14068.programmes": parameter(z.array(programmeSchema).min(1)),
  "sbti.vintageFloorYear": parameter(z.number().int().min(2000)),
  "sbti.recognisedMinPercent": parameter(decimalString),
  "ccts.offsetMethodologies": parameter(z.array(z.string().min(1))),
  "csr.thresholds": parameter(z.object({ netWorthCrore: crore, turnoverCrore: crore, netProfitCrore: crore })),
  "csr.obligationPercent": parameter(decimalString),
  "csr.committeeNotRequiredUpToLakh": parameter(decimalString),
  "csr.ongoingProjectMaxYears": parameter(z.number().int().positive()),
  "csr.unspent": parameter(
    z.object({
      toUnspentAccountDays: z.number().int().positive(),
      spendWithinFinancialYears: z.number().int().positive(),
      toFundAfterDays: z.number().int().positive(),
      nonOngoingToFundMonths: z.number().int().positive(),
    }),
  ),
  "csr.surplusToFundMonths": parameter(z.number().int().positive()),
  "csr.impactAssessment": parameter(
    z.object({ averageObligationCrore: crore, projectOutlayCrore: crore, completedAtLeastYearsBefore: z.number().int().nonnegative() }),
  ),
  "csr.adminOverheadMaxPercent": parameter(decimalString),
  "csr.csr1Pattern": parameter(z.string().min(1)),
} as const;

export type ParameterName = keyof typeof parameterSchemas;
export type ParameterEntry<N extends ParameterName> = z.output<(typeof parameterSchemas)[N]>;
export type Parameters = { [N in ParameterName]: ParameterEntry<N> };

export const parametersFileSchema = z.object({
  ...fileHeader("carbon-custody/claims-parameters"),
  parameters: z.object(parameterSchemas).strict(),
});
export type ParametersFile = z.output<typeof parametersFileSchema>;
