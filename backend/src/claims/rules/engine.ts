import type { ParsedSerial } from "../../registries/serials";
import { canonicalHash } from "../canonical-json";
import { assessCcp } from "../labels/ccp";
import { type ClaimsReference, cite, projectFacts } from "../reference/load";
import { signalState } from "../signals/history";
import { reservationPause } from "../signals/status";
import { contributionClaim } from "./contribution";
import { corsiaFirstPhase } from "./corsia";
import { cctsOffset, csrScheduleVii } from "./india";
import { iso14068Neutrality, sbtiBvcm } from "./neutrality";
import {
  type BatchRef,
  type ClaimantFacts,
  type CreditFacts,
  INTENDED_USES,
  type IntendedUse,
  type Reason,
  type Rule,
  type RuleSet,
  type Verdict,
  type VerdictValue,
} from "./types";
import { vcmiClaim } from "./vcmi";

/**
 * Verdict per batch and intended use. The facts of a batch on a day (creditFacts) are its project facts, its
 * signals as of that day, the CCP assessment of its issuance and its reservation pause. Each rule of the use's
 * rule set gives pass / fail / unknown with its reason in words and sources; any fail makes the batch not
 * eligible, else any unknown makes it need information, else it is eligible. Claimant rules count only when
 * claimant facts are given (at retirement); without them they are listed as prerequisites.
 */

export const RULE_SETS: Readonly<Record<IntendedUse, RuleSet>> = {
  corsia_first_phase: corsiaFirstPhase,
  vcmi_claim: vcmiClaim,
  iso14068_neutrality: iso14068Neutrality,
  sbti_bvcm: sbtiBvcm,
  ccts_offset: cctsOffset,
  csr_schedule_vii: csrScheduleVii,
  contribution: contributionClaim,
};

/** The batch of a parsed serial (what a deposit or a registry block knows). */
export function batchRefOfSerial(parsed: ParsedSerial, batchId?: string): BatchRef {
  if (parsed.projectId === undefined) throw new Error(`serial ${parsed.serial} names no project; pass projectId`);
  return {
    registry: parsed.registry,
    projectId: parsed.projectId,
    serialPrefix: parsed.serialPrefix,
    unitType: parsed.unitType,
    vintageStart: parsed.vintageStart,
    vintageEnd: parsed.vintageEnd,
    batchId,
  };
}

export function creditFacts(reference: ClaimsReference, batch: BatchRef, date: string): CreditFacts {
  const subject = { registry: batch.registry, projectId: batch.projectId, serialPrefix: batch.serialPrefix };
  const project = projectFacts(reference, batch.registry, batch.projectId);
  const state = signalState(reference.signals, subject, date);
  return {
    subject,
    asOf: date,
    batch,
    project,
    state,
    ccp: assessCcp({ labels: reference.labels, project, monitoring: state.monitoring, date }),
    pause: reservationPause(reference, subject, date),
  };
}

function reasonOf(reference: ClaimsReference, rule: Rule, outcome: Reason["outcome"], detail?: string, extra: readonly string[] = []): Reason {
  return {
    ruleId: rule.id,
    ruleVersion: rule.version,
    scope: rule.scope,
    outcome,
    text: detail === undefined || detail === "" ? rule.wording[outcome] : `${rule.wording[outcome]} (${detail})`,
    sources: cite(reference, [...rule.sources, ...extra]),
  };
}

function summaryOf(verdict: VerdictValue, title: string, reasons: readonly Reason[], prerequisites: readonly Reason[], demo: boolean): string {
  const prefix = demo ? "[demo data] " : "";
  const list = (outcome: Reason["outcome"]) => reasons.filter((r) => r.outcome === outcome).map((r) => r.text).join("; ");
  if (verdict === "not_eligible") return `${prefix}Not eligible for ${title}: ${list("fail")}.`;
  if (verdict === "needs_information") return `${prefix}Not shown eligible for ${title}; needs: ${list("unknown")}.`;
  const also = prerequisites.length === 0 ? "" : ` The claimant must also show: ${prerequisites.map((r) => r.text).join("; ")}.`;
  return `${prefix}Eligible for ${title}.${also}`;
}

export type EvaluateUseParameters = {
  use: IntendedUse;
  credit: CreditFacts;
  /** Claimant facts; when absent, claimant rules are prerequisites and do not move the verdict. */
  claimant?: ClaimantFacts | undefined;
};

export function evaluateUse(reference: ClaimsReference, { use, credit, claimant }: EvaluateUseParameters): Verdict {
  const ruleSet = RULE_SETS[use];
  const reasons: Reason[] = [];
  const prerequisites: Reason[] = [];
  for (const rule of ruleSet.rules) {
    if (rule.scope === "claimant" && claimant === undefined) {
      prerequisites.push(reasonOf(reference, rule, "unknown"));
      continue;
    }
    const result = rule.check({ credit, claimant: claimant ?? {}, reference });
    reasons.push(reasonOf(reference, rule, result.outcome, result.detail, result.sources));
  }
  const verdict: VerdictValue = reasons.some((r) => r.outcome === "fail")
    ? "not_eligible"
    : reasons.some((r) => r.outcome === "unknown")
      ? "needs_information"
      : "eligible";
  const body: Omit<Verdict, "hash"> = {
    use,
    ruleSet: { id: ruleSet.id, version: ruleSet.version, title: ruleSet.title },
    referenceVersion: reference.version,
    demoData: credit.project?.demo === true,
    asOf: credit.asOf,
    subject: credit.subject,
    verdict,
    reasons,
    prerequisites,
    summary: summaryOf(verdict, ruleSet.title, reasons, prerequisites, credit.project?.demo === true),
  };
  return { ...body, hash: verdictHash(body) };
}

/** SHA-256 of the canonical verdict without its `hash` field. */
export function verdictHash(verdict: Omit<Verdict, "hash"> | Verdict): string {
  const { hash: _hash, ...body } = verdict as Verdict;
  return canonicalHash(body);
}

/** Verdicts of one batch for several uses (all by default) on one day: what the market filter stores. */
export function evaluateUses(
  reference: ClaimsReference,
  batch: BatchRef,
  date: string,
  uses: readonly IntendedUse[] = INTENDED_USES,
): Partial<Record<IntendedUse, Verdict>> {
  const credit = creditFacts(reference, batch, date);
  return Object.fromEntries(uses.map((use) => [use, evaluateUse(reference, { use, credit })]));
}

/** The market filter: `eligible` only, or also batches that need information. */
export function matchesUse(verdict: Verdict, accept: "eligible" | "eligible_or_needs_information" = "eligible"): boolean {
  return verdict.verdict === "eligible" || (accept === "eligible_or_needs_information" && verdict.verdict === "needs_information");
}
