import type { RegistryName } from "../../registries/ids";
import type { ClaimantFacts } from "./claimant";
import type { CcpAssessment } from "../labels/ccp";
import type { Citation } from "../reference/common";
import type { ClaimsReference } from "../reference/load";
import type { SignalState } from "../signals/history";
import type { ProjectFacts, Subject } from "../signals/model";
import type { ReservationPause } from "../signals/status";

/**
 * The eligibility engine's vocabulary. A rule set is versioned data plus small typed predicates: each rule has an
 * id, a version, its sources and the words of its reason for each outcome. A rule's scope is `credit` (decided by
 * the batch and its signals: what the market filter and an order show) or `claimant` (needs facts only the
 * claimant has: evaluated at retirement; before that shown as prerequisites).
 */

export const INTENDED_USES = [
  "corsia_first_phase",
  "vcmi_claim",
  "iso14068_neutrality",
  "sbti_bvcm",
  "ccts_offset",
  "csr_schedule_vii",
  "contribution",
] as const;
export type IntendedUse = (typeof INTENDED_USES)[number];

/** The platform batch a verdict is about (a credit batch: one serial prefix). */
export type BatchRef = {
  registry: RegistryName;
  projectId: string;
  serialPrefix: string;
  /** `VCU`, `VER`, `I-REC(E)`, `CCC`, ... as the canonical model names them. */
  unitType: string;
  vintageStart?: string | undefined;
  vintageEnd?: string | undefined;
  batchId?: string | undefined;
};

export type CreditFacts = {
  subject: Subject;
  asOf: string;
  batch: BatchRef;
  project: ProjectFacts | undefined;
  state: SignalState;
  ccp: CcpAssessment;
  pause: ReservationPause;
};

export type { ClaimantFacts } from "./claimant";

export type Outcome = "pass" | "fail" | "unknown";

export type RuleContext = { credit: CreditFacts; claimant: ClaimantFacts; reference: ClaimsReference };

export type RuleResult = { outcome: Outcome; detail?: string | undefined; sources?: readonly string[] | undefined };

export type Rule = {
  id: string;
  version: string;
  scope: "credit" | "claimant";
  sources: readonly string[];
  wording: Readonly<Record<Outcome, string>>;
  check(context: RuleContext): RuleResult;
};

export type RuleSet = {
  id: string;
  version: string;
  use: IntendedUse;
  title: string;
  sources: readonly string[];
  rules: readonly Rule[];
};

export type Reason = {
  ruleId: string;
  ruleVersion: string;
  scope: Rule["scope"];
  outcome: Outcome;
  text: string;
  sources: Citation[];
};

export type VerdictValue = "eligible" | "not_eligible" | "needs_information";

export type Verdict = {
  use: IntendedUse;
  ruleSet: { id: string; version: string; title: string };
  referenceVersion: string;
  /** True when the project facts are the embedded demo's (simulated projects). */
  demoData: boolean;
  asOf: string;
  subject: Subject;
  verdict: VerdictValue;
  /** In rule order; the verdict is `not_eligible` on any fail, else `needs_information` on any unknown. */
  reasons: Reason[];
  /** Claimant rules not evaluated (no claimant facts given): what the claimant must still show. */
  prerequisites: Reason[];
  /** The verdict in words, shown before a wallet signs. */
  summary: string;
  /** SHA-256 of the canonical verdict without this field: what an acknowledgement names. */
  hash: string;
};
