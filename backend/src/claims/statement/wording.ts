import { z } from "zod";
import { cited, fileHeader, isoDate } from "../reference/common";

/**
 * Wording filters (wording-rules.json): jurisdictions' rules on what a claim may say, as versioned data. A rule
 * applies by date, audience (jurisdiction, channel, subject) and the claim's basis; it either forbids terms (case-
 * insensitive patterns; some may pass with substantiation) or requires a statement the claim must carry. A
 * refusal names the rule, its version and what matched.
 */

export const channelSchema = z.enum(["consumer_marketing", "business", "sustainability_report", "regulatory_filing"]);
export const claimSubjectSchema = z.enum(["product", "service", "organisation", "event", "project"]);
/** What the claim rests on: offsetting (credits stand in for own emissions), a contribution, or compliance. */
export const claimBasisSchema = z.enum(["offsetting", "contribution", "compliance"]);
export const requiredStatementSchema = z.enum(["no_legally_required_reduction", "reduction_timing"]);

export const audienceSchema = z.object({
  /** ISO 3166 alpha-2 codes, or `EU`, of where the claim is made. */
  jurisdictions: z.array(z.string().regex(/^[A-Z]{2}$/, "expected a two-letter code like IN, DE or EU")).min(1),
  channel: channelSchema,
  subject: claimSubjectSchema,
});
export type Audience = z.output<typeof audienceSchema>;

const pattern = z.string().refine(
  (text) => {
    try {
      new RegExp(text, "iu");
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);

export const wordingRuleSchema = z.object({
  id: z.string().min(1),
  version: z.string().min(1),
  jurisdiction: z.string().min(1),
  instrument: z.string().min(1),
  effectiveFrom: isoDate,
  effectiveUntil: isoDate.optional(),
  appliesTo: z.object({
    jurisdictions: z.array(z.string()).min(1),
    channels: z.array(channelSchema).min(1),
    subjects: z.array(claimSubjectSchema).optional(),
    basis: z.array(claimBasisSchema).optional(),
  }),
  test: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("forbidden_terms"), terms: z.array(pattern).min(1), passesWithSubstantiation: z.boolean().default(false) }),
    z.object({ kind: z.literal("requires_statement"), statement: requiredStatementSchema }),
  ]),
  reason: z.string().min(1),
  ...cited,
});
export type WordingRule = z.output<typeof wordingRuleSchema>;

export const wordingFileSchema = z.object({
  ...fileHeader("carbon-custody/claims-wording"),
  rules: z.array(wordingRuleSchema),
});
export type WordingFile = z.output<typeof wordingFileSchema>;

export type WordingInput = {
  texts: readonly string[];
  audience: Audience;
  basis: z.output<typeof claimBasisSchema>;
  /** The day the claim is made. */
  date: string;
  /** A reference to the evidence behind an absolute claim; some rules let a term pass with it. */
  substantiation?: string | undefined;
  /** Statements the claim carries. */
  statements: ReadonlySet<z.output<typeof requiredStatementSchema>>;
};

export type WordingCheck = {
  ruleId: string;
  ruleVersion: string;
  outcome: "pass" | "not_applicable" | "refused";
  reason?: string | undefined;
  matched?: string | undefined;
  sources: string[];
};

function applies(rule: WordingRule, input: WordingInput): boolean {
  const { appliesTo } = rule;
  return (
    input.date >= rule.effectiveFrom &&
    (rule.effectiveUntil === undefined || input.date < rule.effectiveUntil) &&
    input.audience.jurisdictions.some((j) => appliesTo.jurisdictions.includes(j)) &&
    appliesTo.channels.includes(input.audience.channel) &&
    (appliesTo.subjects === undefined || appliesTo.subjects.includes(input.audience.subject)) &&
    (appliesTo.basis === undefined || appliesTo.basis.includes(input.basis))
  );
}

function checkRule(rule: WordingRule, input: WordingInput): WordingCheck {
  const result = { ruleId: rule.id, ruleVersion: rule.version, sources: rule.sources };
  if (!applies(rule, input)) return { ...result, outcome: "not_applicable" };
  const test = rule.test;
  if (test.kind === "requires_statement") {
    return input.statements.has(test.statement) ? { ...result, outcome: "pass" } : { ...result, outcome: "refused", reason: rule.reason };
  }
  if (test.passesWithSubstantiation && input.substantiation !== undefined && input.substantiation.trim() !== "") {
    return { ...result, outcome: "pass" };
  }
  for (const term of test.terms) {
    const expression = new RegExp(term, "iu");
    for (const text of input.texts) {
      const match = expression.exec(text);
      if (match !== null) return { ...result, outcome: "refused", reason: rule.reason, matched: match[0] };
    }
  }
  return { ...result, outcome: "pass" };
}

/** Every rule's outcome for the claim; the refused ones are what the claimant has to change. */
export function checkWording(rules: readonly WordingRule[], input: WordingInput): WordingCheck[] {
  return rules.map((rule) => checkRule(rule, input));
}
