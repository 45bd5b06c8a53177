/**
 * Claims that hold up (issue 20): integrity signals with history, eligibility by intended use, claim statements,
 * multi-year CSR programmes. Pure and versioned: no database, no HTTP, no clock (every function takes the day it
 * answers for). docs/claims.md is the long form; this is the map.
 *
 * Reference data (backend/data/claims/*.json, zod-validated, each entry citing sources.json and dated `asOf`):
 *   loadClaimsReference({dir}) / parseClaimsReference(files)  -> ClaimsReference (with `version`, a SHA-256)
 *
 * Signals (a project or one batch; raw registry wording; history kept):
 *   signalState(signals, subject, day)      the state on a day          changeFeed(signals, {since})  what changed
 *   reservationPause(reference, subject, day)  the ghost-credit rule: On Hold / open review / unknown status => paused
 *   holderAlerts(reference, change, holdings)  one alert per holder of the project's batches
 *   ratingView(rating)                          licensed ratings of four agencies on one view
 *   assessCcp(...)                              the CCP label of an issuance, conditions tested per issuance
 *
 * Eligibility (rule sets of rules/*.ts, each rule id + version + sources + words per outcome):
 *   creditFacts(reference, batch, day) -> evaluateUse(reference, {use, credit, claimant?}) -> Verdict
 *   evaluateUses(reference, batch, day)          every use (the market filter)   matchesUse(verdict, accept)
 *   acknowledge(verdict, who, when) / acknowledges(ack, verdict)   a retirement for a use the batch fails
 *
 * Claim statement:
 *   buildClaimStatement({reference, input, csrProgrammes?}) -> ClaimStatement   (wording filters, CSR guard)
 *   signClaimStatement({statement, key, signedAt}) / verifyClaimStatement(signed, trustedSigners)
 *   renderClaimStatementPdf(signed)
 *
 * CSR (Companies Act 2013 s.135, CSR Rules 2014 as amended 2021; money in paise as bigint):
 *   csrApplicability, csrObligation, parseCsrProgramme, unspentDeadlines / csrAlerts, impactAssessmentRequired,
 *   csrSpendCounts / assertCsrSpendAllowed, checkOwnClaimOnCsrCredits, annexureProjectTable, csr2Figures,
 *   programmeReport / renderProgrammeReportPdf
 */

export { canonicalHash, canonicalJson, sha256Hex } from "./canonical-json";
export * from "./errors";
export { type ClaimsReference, type ClaimsReferenceFiles, DEFAULT_REFERENCE_DIR, REFERENCE_FILE_NAMES, cite, loadClaimsReference, parseClaimsReference, projectFacts } from "./reference/load";
export type { Citation, Source } from "./reference/common";
export { type Signal, type Subject, type ProjectFacts, signalSchema, subjectSchema } from "./signals/model";
export { type SignalChange, type SignalState, addedSignals, changeFeed, describeSignal, latestFacts, signalState } from "./signals/history";
export { type HolderAlert, type Holding, type ReservationPause, holderAlerts, reservationPause } from "./signals/status";
export { RATING_SCALES, type RatingView, ratingView } from "./signals/ratings";
export { type CcpAssessment, assessCcp, ccpDecisionFor, checkConditions } from "./labels/ccp";
export { INTENDED_USES, type BatchRef, type ClaimantFacts, type CreditFacts, type IntendedUse, type Reason, type RuleSet, type Verdict } from "./rules/types";
export { RULE_SETS, batchRefOfSerial, creditFacts, evaluateUse, evaluateUses, matchesUse, verdictHash } from "./rules/engine";
export { type Acknowledgement, acknowledge, acknowledgementText, acknowledges, requiresAcknowledgement } from "./rules/acknowledgement";
export { vcmiTier } from "./rules/vcmi";
export type { Parameters, ParameterName } from "./rules/params";
export { CLAIM_TYPES, type ClaimStatementInput, type ClaimType, claimStatementInputSchema } from "./statement/model";
export { type ClaimStatement, buildClaimStatement, snapshotHash } from "./statement/build";
export { type SignedClaimStatement, CLAIM_STATEMENT_DOMAIN, CLAIM_STATEMENT_TYPES, signClaimStatement, verifyClaimStatement } from "./statement/sign";
export { renderClaimStatementPdf } from "./statement/pdf";
export { type WordingCheck, checkWording } from "./statement/wording";
export * from "./csr/money";
export { csrApplicability, csrObligation, type Applicability, type Obligation } from "./csr/obligation";
export { type CsrProgramme, type CsrProject, SCHEDULE_VII_ITEMS, csrProgrammeSchema, parseCsrProgramme } from "./csr/programme";
export { type CsrAlert, type Deadline, type FyClose, type LedgerEvent, csrAlerts, parseLedger, unspentDeadlines } from "./csr/unspent";
export { impactAssessmentRequired } from "./csr/impact";
export { assertCsrSpendAllowed, checkOwnClaimOnCsrCredits, csrOriginsOf, csrSpendCounts } from "./csr/guards";
export { type ProgrammeClaim, type ProgrammeReport, annexureProjectTable, csr2Figures, programmeReport } from "./csr/reports";
export { renderProgrammeReportPdf } from "./csr/report-pdf";
