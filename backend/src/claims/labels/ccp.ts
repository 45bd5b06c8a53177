import { addMonths, lastDayOf } from "../dates";
import type { ProjectFacts, SignalOf } from "../signals/model";
import type { CcpCondition, CcpDecision, CcpStatus, ConditionCheck, LabelsFile } from "./schema";

/**
 * The ICVCM CCP label of one issuance. Two ticks (CLAIMS_AND_CSR.md §1.1): the programme is CCP-Eligible and the
 * methodology (at its version) is CCP-Approved, both effective on the day asked. A conditional approval is a third
 * step: each condition is tested against the issuance's monitoring facts, so a methodology approved with
 * conditions still yields no label for an issuance that misses one (GS TPDDTEC v2-3.1: approved, yet no issued
 * credit met all conditions, per S9). Result: `ccp`, `no_ccp`, or `unknown` when a fact is missing.
 */

export type ConditionResult = { id: string; text: string; met: boolean | null; detail: string; sources: string[] };

export type CcpAssessment = {
  programme: "eligible" | "not_eligible" | "under_assessment" | "unknown";
  status: CcpStatus | "unknown";
  decisionId?: string | undefined;
  conditions: ConditionResult[];
  label: "ccp" | "no_ccp" | "unknown";
  reasons: string[];
  sources: string[];
};

/** The effective date of an entry: its decision day (the end of the month or year when only that is known). */
function effectiveOn(entry: { decided?: string | undefined; since?: string | undefined; asOf: string }): string {
  const given = entry.decided ?? entry.since;
  return given === undefined ? entry.asOf : lastDayOf(given);
}

/** The latest decision effective on `date` covering the programme, methodology and version. */
export function ccpDecisionFor(
  labels: LabelsFile,
  programme: string,
  methodology: { id: string; version: string },
  date: string,
): CcpDecision | undefined {
  const matching = labels.ccpDecisions.filter(
    (d) =>
      d.programme === programme &&
      d.methodology.toLowerCase() === methodology.id.toLowerCase() &&
      (d.versions === "*" || d.versions.includes(methodology.version)) &&
      effectiveOn(d) <= date,
  );
  return matching.sort((a, b) => (effectiveOn(a) < effectiveOn(b) ? -1 : 1)).at(-1);
}

function checkCondition(check: ConditionCheck, monitoring: SignalOf<"monitoring">): { met: boolean | null; detail: string } {
  const value = monitoring.facts[check.fact];
  const end = monitoring.monitoringPeriod.end;
  if (value === undefined) return { met: null, detail: `${check.fact} not reported for the monitoring period ending ${end}` };
  switch (check.kind) {
    case "fact_in":
      return { met: typeof value === "string" && check.allowed.includes(value), detail: `${check.fact} = ${String(value)} (allowed: ${check.allowed.join(", ")})` };
    case "fact_true":
      return { met: value === true, detail: `${check.fact} = ${String(value)}` };
    case "max_age_years": {
      if (typeof value !== "string") return { met: null, detail: `${check.fact} is not a date` };
      const met = addMonths(value, check.years * 12) >= end;
      return { met, detail: `${check.fact} ${value} is ${met ? "within" : "more than"} ${check.years} years before ${end}` };
    }
    case "not_after_fact": {
      if (typeof value !== "string") return { met: null, detail: `${check.fact} is not a date` };
      return { met: end <= value, detail: `monitoring period ends ${end}, ${check.fact} ${value}` };
    }
  }
}

/** Each condition against the issuance's monitoring facts; without facts every condition is unknown. */
export function checkConditions(conditions: readonly CcpCondition[], monitoring: SignalOf<"monitoring"> | undefined): ConditionResult[] {
  return conditions.map((condition) => {
    const result =
      monitoring === undefined
        ? { met: null, detail: "no monitoring facts on file for this issuance" }
        : checkCondition(condition.check, monitoring);
    return { id: condition.id, text: condition.text, sources: condition.sources, ...result };
  });
}

export type AssessCcpParameters = {
  labels: LabelsFile;
  project: ProjectFacts | undefined;
  /** The issuance's monitoring facts; the one with the latest period is used. */
  monitoring: ReadonlyArray<SignalOf<"monitoring">>;
  date: string;
};

export function assessCcp({ labels, project, monitoring, date }: AssessCcpParameters): CcpAssessment {
  const unknown = (reason: string): CcpAssessment => ({ programme: "unknown", status: "unknown", conditions: [], label: "unknown", reasons: [reason], sources: [] });
  if (project === undefined) return unknown("no project facts on file");
  const programmeEntry = labels.ccpProgrammes.find((p) => p.programme === project.programme && effectiveOn(p) <= date);
  const programme = programmeEntry?.status ?? "unknown";
  const sources = [...(programmeEntry?.sources ?? [])];
  const reasons: string[] = [];
  if (programme !== "eligible") reasons.push(`programme ${project.programme} is ${programme === "unknown" ? "not known to be" : "not"} CCP-Eligible on ${date}`);
  if (project.methodology === undefined) return { ...unknown("no methodology on file"), programme, sources };
  const decision = ccpDecisionFor(labels, project.programme, project.methodology, date);
  const method = `${project.methodology.id} v${project.methodology.version}`;
  if (decision === undefined) {
    reasons.push(`no ICVCM decision on ${project.programme} ${method} on file as of ${date}`);
    return { programme, status: "unknown", conditions: [], label: programme === "not_eligible" ? "no_ccp" : "unknown", reasons, sources };
  }
  sources.push(...decision.sources);
  const latest = [...monitoring].sort((a, b) => (a.monitoringPeriod.end < b.monitoringPeriod.end ? -1 : 1)).at(-1);
  const conditions = decision.status === "approved_with_conditions" ? checkConditions(decision.conditions, latest) : [];
  for (const c of conditions) sources.push(...c.sources);
  let label: CcpAssessment["label"];
  if (programme === "not_eligible" || !["approved", "approved_with_conditions"].includes(decision.status)) {
    label = "no_ccp";
    if (programme === "eligible") reasons.push(`ICVCM: ${method} is ${decision.status.replaceAll("_", " ")} (${decision.id})`);
  } else if (conditions.some((c) => c.met === false)) {
    label = "no_ccp";
    reasons.push(`conditions not met: ${conditions.filter((c) => c.met === false).map((c) => `${c.id} (${c.detail})`).join("; ")}`);
  } else if (programme === "unknown" || conditions.some((c) => c.met === null)) {
    label = "unknown";
    for (const c of conditions.filter((x) => x.met === null)) reasons.push(`condition ${c.id}: ${c.detail}`);
  } else {
    label = "ccp";
    reasons.push(`${project.programme} is CCP-Eligible and ${method} is ${decision.status.replaceAll("_", " ")} (${decision.id})${conditions.length ? "; every condition met" : ""}`);
  }
  return { programme, status: decision.status, decisionId: decision.id, conditions, label, reasons, sources: [...new Set(sources)] };
}
