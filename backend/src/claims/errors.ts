import { BaseError } from "../errors";

/**
 * A reference-data file (signals, labels, rule parameters, wording rules) that does not validate. Names the file
 * and the JSON path of every problem; never retryable: the operator has to fix the file.
 */
export class ClaimsReferenceError extends BaseError {
  override name = "ClaimsReferenceError";
  readonly file: string;
  readonly problems: Array<{ path: string; message: string }>;

  constructor(file: string, problems: Array<{ path: string; message: string }>) {
    const shown = problems.slice(0, 5).map((p) => `${p.path || "(file)"}: ${p.message}`).join("; ");
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
    super(`${file}: ${shown}${more}`, { code: "CLAIMS_REFERENCE_INVALID", retryable: false, details: { file, problems } });
    this.file = file;
    this.problems = problems;
  }
}

/** A claim wording a jurisdiction's rule forbids. Names the rule (id and version) and what matched. */
export class ClaimWordingRefusedError extends BaseError {
  override name = "ClaimWordingRefusedError";
  readonly refusals: Array<{ ruleId: string; ruleVersion: string; reason: string; matched?: string | undefined }>;

  constructor(refusals: ClaimWordingRefusedError["refusals"]) {
    const text = refusals.map((r) => `${r.ruleId} v${r.ruleVersion}: ${r.reason}${r.matched ? ` (matched "${r.matched}")` : ""}`);
    super(`claim wording refused: ${text.join("; ")}`, { code: "CLAIM_WORDING_REFUSED", retryable: false, details: { refusals } });
    this.refusals = refusals;
  }
}

/**
 * A claim the credits do not support (a block fails the claim's intended use) and for which no acknowledgement of
 * that exact verdict was given. Names the blocks and the failing rules.
 */
export class ClaimNotEligibleError extends BaseError {
  override name = "ClaimNotEligibleError";
  readonly blocks: Array<{ serial: string; verdictHash: string; failedRules: string[] }>;

  constructor(use: string, blocks: ClaimNotEligibleError["blocks"]) {
    const text = blocks.map((b) => `${b.serial} fails ${b.failedRules.join(", ")}`).join("; ");
    super(`not eligible for ${use} without an acknowledgement: ${text}`, {
      code: "CLAIM_NOT_ELIGIBLE",
      retryable: false,
      details: { use, blocks },
    });
    this.blocks = blocks;
  }
}

/** A CSR spend or claim a guard refuses (statutory obligation, double claim). Names the rule. */
export class CsrGuardError extends BaseError {
  override name = "CsrGuardError";
  readonly ruleId: string;

  constructor(ruleId: string, message: string, details?: Record<string, unknown>) {
    super(`${ruleId}: ${message}`, { code: "CSR_GUARD", retryable: false, details: { ruleId, ...details } });
    this.ruleId = ruleId;
  }
}
