import Decimal from "decimal.js";
import { ValidationError } from "../../errors";
import { canonicalHash } from "../canonical-json";
import { type CsrCreditOrigin, checkOwnClaimOnCsrCredits, csrOriginsOf } from "../csr/guards";
import type { CsrProgramme } from "../csr/programme";
import { ClaimNotEligibleError, ClaimWordingRefusedError } from "../errors";
import type { Citation } from "../reference/common";
import { type ClaimsReference, cite } from "../reference/load";
import { acknowledges } from "../rules/acknowledgement";
import type { ClaimantFacts } from "../rules/claimant";
import { percentOf } from "../rules/common";
import { creditFacts, evaluateUse } from "../rules/engine";
import type { Verdict } from "../rules/types";
import { vcmiTier } from "../rules/vcmi";
import { latestFacts } from "../signals/history";
import type { Signal } from "../signals/model";
import { type RatingView, ratingView } from "../signals/ratings";
import { parseInput } from "../validate";
import { CLAIM_TYPES, type ClaimStatementInput, type ParsedClaimStatementInput, type RetiredBlock, claimStatementInputSchema } from "./model";
import { standardWording, statementsFor } from "./texts";
import { type WordingCheck, checkWording } from "./wording";

/**
 * Builds the claim statement of a retirement (CLAIMS_AND_CSR.md §2, the nine contents). In order:
 * 1. the input is validated (400-style errors naming the field); a claim resting on a legally required reduction
 *    is refused;
 * 2. per block, the verdict for the claim type's intended use as of the retirement day, with the claimant's facts
 *    (filled from the statement where it says them: period end, retirement day, assurance, shares);
 *    a block that is not eligible (or not shown eligible) needs an acknowledgement of that exact verdict;
 * 3. a VCMI tier claim must match the tier the coverage share reaches;
 * 4. credits from a CSR-funded project cannot back the company's own claim without board approval (csr/guards);
 * 5. the wording filters read the claimant's wording and the standard wording; any refusal names its rule;
 * 6. the statement carries, per block, the signals as of that day and their SHA-256.
 * Signing is separate (sign.ts), so the same statement can be checked before it is signed.
 */

export type BlockSnapshot = {
  asOf: string;
  signals: Signal[];
  ccp: { label: string; status: string; decisionId?: string | undefined; conditions: Array<{ id: string; met: boolean | null; detail: string }> };
  reservationPause: { paused: boolean; reasons: string[] };
  ratings: RatingView[];
};

export type StatementBlock = Omit<RetiredBlock, "methodology"> & {
  projectName: string | null;
  methodology: { id: string; version: string } | null;
  mitigation: string;
  snapshot: BlockSnapshot;
  snapshotSha256: string;
  verdict: Pick<Verdict, "verdict" | "ruleSet" | "hash" | "summary"> & { reasons: Array<{ ruleId: string; outcome: string; text: string }> };
  acknowledgement?: ParsedClaimStatementInput["acknowledgements"][number] | undefined;
  csrOrigins: CsrCreditOrigin[];
};

export type ClaimStatement = {
  format: "carbon-custody/claim-statement";
  formatVersion: 1;
  statementId: string;
  issuedAt: string;
  demoData: boolean;
  claimant: ParsedClaimStatementInput["claimant"];
  registryBeneficiary: string;
  purpose: string;
  period: ParsedClaimStatementInput["period"];
  boundary: ParsedClaimStatementInput["boundary"];
  inventory: ParsedClaimStatementInput["inventory"];
  claim: { type: string; title: string; intendedUse: string; basis: string; standardWording: string; claimantWording: string; audience: ParsedClaimStatementInput["audience"]; substantiation?: string | undefined };
  blocks: StatementBlock[];
  totals: { quantity: string; avoidance: string; removal: string; other: string };
  statements: { noLegallyRequiredReduction: string; reductionTiming: string | null };
  assurance: ParsedClaimStatementInput["assurance"];
  evidence: ParsedClaimStatementInput["evidence"];
  wordingChecks: WordingCheck[];
  reference: { version: string; files: Array<{ name: string; dataVersion: string; sha256: string }> };
  sources: Citation[];
};

export type BuildClaimStatementParameters = {
  reference: ClaimsReference;
  input: ClaimStatementInput | unknown;
  /** The claimant's CSR programmes: credits they generated are checked against the own-claim guard. */
  csrProgrammes?: readonly CsrProgramme[];
};

function claimantFactsFor(input: ParsedClaimStatementInput, block: RetiredBlock, total: bigint): ClaimantFacts {
  const basis = CLAIM_TYPES[input.claimType].basis;
  return {
    periodEnd: input.period.end,
    retirementDate: block.retiredOn,
    thirdPartyAssurance: input.assurance.level,
    remainingEmissionsT: input.inventory.remainingEmissionsT,
    creditsRetiredT: total.toString(),
    claimsOffsetting: basis === "offsetting",
    ownNeutralityClaim: basis === "offsetting",
    ...input.claimantFacts,
  };
}

function snapshotOf(reference: ClaimsReference, block: RetiredBlock, verdictCredit: ReturnType<typeof creditFacts>): BlockSnapshot {
  const signals = latestFacts(reference.signals, verdictCredit.subject, block.retiredOn);
  const { ccp, pause, state } = verdictCredit;
  return {
    asOf: block.retiredOn,
    signals,
    ccp: { label: ccp.label, status: ccp.status, decisionId: ccp.decisionId, conditions: ccp.conditions.map((c) => ({ id: c.id, met: c.met, detail: c.detail })) },
    reservationPause: { paused: pause.paused, reasons: pause.reasons },
    ratings: state.ratings.map(ratingView),
  };
}

function checkTier(reference: ClaimsReference, input: ParsedClaimStatementInput, total: bigint): void {
  const meta = CLAIM_TYPES[input.claimType];
  if (!("tier" in meta)) return;
  const share = percentOf(total.toString(), input.claimantFacts.remainingEmissionsT ?? input.inventory.remainingEmissionsT);
  if (share === undefined) throw new ValidationError("inventory.remainingEmissionsT", "a VCMI tier claim needs the remaining emissions it covers");
  const tier = vcmiTier(reference.parameters, share);
  if (tier !== meta.tier) {
    throw new ValidationError("claimType", `the credits cover ${share.toDecimalPlaces(2, Decimal.ROUND_DOWN).toString()}% of remaining emissions, which reaches ${tier ?? "no VCMI tier"}, not ${meta.tier}`);
  }
}

export function buildClaimStatement({ reference, input: rawInput, csrProgrammes = [] }: BuildClaimStatementParameters): ClaimStatement {
  const input = parseInput(claimStatementInputSchema, rawInput, "statement");
  if (input.legallyRequiredReduction) {
    throw new ValidationError("legallyRequiredReduction", "a claim cannot rest on reductions the law requires (ASCI green-claims guidelines; CSR Rules r.2(1)(d)); such credits cannot carry this statement");
  }
  const meta = CLAIM_TYPES[input.claimType];
  const total = input.blocks.reduce((sum, b) => sum + BigInt(b.quantity), 0n);
  checkTier(reference, input, total);

  const blocked: ConstructorParameters<typeof ClaimNotEligibleError>[1] = [];
  let demo = false;
  const citedIds = new Set<string>();
  const blocks: StatementBlock[] = input.blocks.map((block) => {
    const batch = { registry: block.registry, projectId: block.projectId, serialPrefix: block.serialPrefix, unitType: block.unitType, vintageStart: block.vintageStart, vintageEnd: block.vintageEnd, batchId: block.batchId };
    const credit = creditFacts(reference, batch, block.retiredOn);
    const verdict = evaluateUse(reference, { use: meta.use, credit, claimant: claimantFactsFor(input, block, total) });
    demo ||= verdict.demoData;
    for (const reason of verdict.reasons) for (const source of reason.sources) citedIds.add(source.id);
    const ack = input.acknowledgements.find((a) => a.verdictHash === verdict.hash);
    if (verdict.verdict !== "eligible" && !acknowledges(ack, verdict)) {
      blocked.push({ serial: block.serial, verdictHash: verdict.hash, failedRules: verdict.reasons.filter((r) => r.outcome !== "pass").map((r) => r.ruleId) });
    }
    const snapshot = snapshotOf(reference, block, credit);
    for (const signal of snapshot.signals) for (const id of signal.sources) citedIds.add(id);
    const { methodology: given, ...rest } = block;
    return {
      ...rest,
      projectName: credit.project?.name ?? null,
      methodology: given ?? credit.project?.methodology ?? null,
      mitigation: credit.project?.mitigation ?? "unknown",
      snapshot,
      snapshotSha256: "",
      verdict: { verdict: verdict.verdict, ruleSet: verdict.ruleSet, hash: verdict.hash, summary: verdict.summary, reasons: verdict.reasons.map((r) => ({ ruleId: r.ruleId, outcome: r.outcome, text: r.text })) },
      acknowledgement: verdict.verdict === "eligible" ? undefined : ack,
      csrOrigins: [],
    };
  });
  if (blocked.length > 0) throw new ClaimNotEligibleError(meta.use, blocked);

  const claimDay = input.issuedAt.slice(0, 10);
  checkOwnClaimOnCsrCredits({ programmes: csrProgrammes, credits: input.blocks, ownClaim: meta.basis === "offsetting", date: claimDay });
  for (const block of blocks) block.csrOrigins = csrOriginsOf(csrProgrammes, block, claimDay);

  const texts = statementsFor(input, blocks, meta.basis);
  const wording = standardWording(input, total);
  const checks = checkWording(reference.wording.rules, {
    texts: [input.wording, wording],
    audience: input.audience,
    basis: meta.basis,
    date: claimDay,
    substantiation: input.substantiation,
    statements: new Set(texts.reductionTiming === null ? ["no_legally_required_reduction"] : ["no_legally_required_reduction", "reduction_timing"]),
  });
  const refused = checks.filter((c) => c.outcome === "refused");
  if (refused.length > 0) throw new ClaimWordingRefusedError(refused.map((c) => ({ ruleId: c.ruleId, ruleVersion: c.ruleVersion, reason: c.reason ?? "", matched: c.matched })));
  for (const check of checks.filter((c) => c.outcome !== "not_applicable")) for (const id of check.sources) citedIds.add(id);

  for (const block of blocks) block.snapshotSha256 = snapshotHash(block.snapshot);
  const sumBy = (kind: string) => blocks.filter((b) => b.mitigation === kind).reduce((s, b) => s + BigInt(b.quantity), 0n);
  return {
    format: "carbon-custody/claim-statement",
    formatVersion: 1,
    statementId: input.statementId,
    issuedAt: input.issuedAt,
    demoData: demo,
    claimant: input.claimant,
    registryBeneficiary: input.registryBeneficiary,
    purpose: input.purpose,
    period: input.period,
    boundary: input.boundary,
    inventory: input.inventory,
    claim: { type: input.claimType, title: meta.title, intendedUse: meta.use, basis: meta.basis, standardWording: wording, claimantWording: input.wording, audience: input.audience, substantiation: input.substantiation },
    blocks,
    totals: { quantity: total.toString(), avoidance: sumBy("avoidance").toString(), removal: sumBy("removal").toString(), other: (total - sumBy("avoidance") - sumBy("removal")).toString() },
    statements: texts,
    assurance: input.assurance,
    evidence: input.evidence,
    wordingChecks: checks,
    reference: { version: reference.version, files: reference.files.map(({ name, dataVersion, sha256 }) => ({ name, dataVersion, sha256 })) },
    sources: cite(reference, [...citedIds, "PLATFORM-STATEMENT"].sort()),
  };
}

/** SHA-256 of a block's snapshot (canonical JSON): lets a reader check one block's signals on their own. */
export function snapshotHash(snapshot: BlockSnapshot): string {
  return canonicalHash(snapshot);
}
