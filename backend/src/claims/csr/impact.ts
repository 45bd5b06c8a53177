import { addMonths } from "../dates";
import type { Parameters } from "../rules/params";
import { croreToPaise, formatInr } from "./money";

/**
 * The impact-assessment trigger (CSR Rules r.8(3)): a company whose average CSR obligation over the three
 * preceding financial years is Rs 10 crore or more has an independent agency assess each project with an outlay
 * of Rs 1 crore or more, once the project has been completed for a year (the timing is a parameter marked
 * unconfirmed in parameters.json).
 */

export type ImpactAssessment = {
  required: boolean;
  /** The earliest day the study can be done (completion plus the parameter's years), when required and completed. */
  from?: string | undefined;
  reasons: string[];
  sources: string[];
};

export function impactAssessmentRequired(
  parameters: Parameters,
  input: { obligationsOfPrecedingThreeFys: readonly bigint[]; projectOutlay: bigint; completedOn?: string | undefined },
): ImpactAssessment {
  const rule = parameters["csr.impactAssessment"];
  const obligations = input.obligationsOfPrecedingThreeFys;
  if (obligations.length !== 3) throw new Error("impact assessment: the obligations of exactly three preceding financial years are needed");
  const average = (obligations[0]! + obligations[1]! + obligations[2]!) / 3n;
  const averageMet = (obligations[0]! + obligations[1]! + obligations[2]!) >= 3n * croreToPaise(rule.value.averageObligationCrore);
  const outlayMet = input.projectOutlay >= croreToPaise(rule.value.projectOutlayCrore);
  const reasons = [
    `average obligation ${formatInr(average)} ${averageMet ? ">=" : "<"} Rs ${rule.value.averageObligationCrore} crore`,
    `project outlay ${formatInr(input.projectOutlay)} ${outlayMet ? ">=" : "<"} Rs ${rule.value.projectOutlayCrore} crore`,
  ];
  const required = averageMet && outlayMet;
  const from = required && input.completedOn !== undefined ? addMonths(input.completedOn, 12 * rule.value.completedAtLeastYearsBefore) : undefined;
  return { required, from, reasons, sources: rule.sources };
}
