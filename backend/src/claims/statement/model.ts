import { z } from "zod";
import { decimalString, isoDate, registrySchema } from "../reference/common";
import { claimantFactsSchema } from "../rules/claimant";
import { INTENDED_USES, type IntendedUse } from "../rules/types";
import { audienceSchema } from "./wording";

/**
 * The claim statement's input (what the retirement knows plus what the claimant enters) and its claim types in
 * standard wording. The nine contents follow CLAIMS_AND_CSR.md §2 "What a defensible retirement claim statement
 * must contain".
 */

export type ClaimBasis = "offsetting" | "contribution" | "compliance";

export const CLAIM_TYPES = {
  vcmi_silver: { use: "vcmi_claim", basis: "offsetting", title: "VCMI Carbon Integrity Silver claim", tier: "silver" },
  vcmi_gold: { use: "vcmi_claim", basis: "offsetting", title: "VCMI Carbon Integrity Gold claim", tier: "gold" },
  vcmi_platinum: { use: "vcmi_claim", basis: "offsetting", title: "VCMI Carbon Integrity Platinum claim", tier: "platinum" },
  iso14068_carbon_neutrality: { use: "iso14068_neutrality", basis: "offsetting", title: "Carbon neutrality claim (ISO 14068-1:2023)" },
  sbti_bvcm: { use: "sbti_bvcm", basis: "contribution", title: "Beyond value chain mitigation (SBTi)" },
  corsia_offsetting: { use: "corsia_first_phase", basis: "compliance", title: "CORSIA first-phase offsetting requirement" },
  ccts_surrender: { use: "ccts_offset", basis: "compliance", title: "Surrender toward a CCTS target" },
  csr_activity: { use: "csr_schedule_vii", basis: "contribution", title: "CSR activity under Schedule VII item (iv)" },
  contribution: { use: "contribution", basis: "contribution", title: "Contribution claim" },
} as const satisfies Record<string, { use: IntendedUse; basis: ClaimBasis; title: string; tier?: string }>;
export type ClaimType = keyof typeof CLAIM_TYPES;

const integerString = z.string().regex(/^(0|[1-9]\d*)$/, "expected a decimal integer");
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected a lowercase hex SHA-256");

export const retiredBlockSchema = z.object({
  registry: registrySchema,
  projectId: z.string().min(1),
  serial: z.string().min(1),
  serialPrefix: z.string().min(1),
  /** Absent where the registry shows no unit numbers (I-REC, range-less Gold Standard serials). */
  serialRange: z.object({ start: integerString, end: integerString }).optional(),
  vintageStart: isoDate.optional(),
  vintageEnd: isoDate.optional(),
  unitType: z.string().min(1),
  quantity: integerString,
  /** Defaults to the project's methodology in the reference data. */
  methodology: z.object({ id: z.string().min(1), version: z.string().min(1) }).optional(),
  /** The registry's retirement transaction or certificate id. */
  retirementReference: z.string().min(1),
  retiredOn: isoDate,
  transactionUrl: z.string().url().optional(),
  batchId: z.string().optional(),
});
export type RetiredBlock = z.output<typeof retiredBlockSchema>;

export const acknowledgementSchema = z.object({
  verdictHash: sha256,
  use: z.enum(INTENDED_USES),
  text: z.string().min(1),
  acknowledgedBy: z.string().min(1),
  acknowledgedAt: z.string().min(1),
});

export const claimStatementInputSchema = z
  .object({
    statementId: z.string().min(1),
    issuedAt: z.iso.datetime(),
    claimant: z.object({ legalName: z.string().min(1), identifier: z.string().optional(), country: z.string().length(2) }),
    /** The registry's Using Entity / Retirement Beneficiary, as retired. */
    registryBeneficiary: z.string().min(1),
    purpose: z.string().min(1),
    claimType: z.enum(Object.keys(CLAIM_TYPES) as [ClaimType, ...ClaimType[]]),
    period: z.object({ start: isoDate, end: isoDate }),
    boundary: z.object({
      kind: z.enum(["organisation", "product", "service", "scope3_category", "event", "project"]),
      description: z.string().min(1),
    }),
    /** Entered by the claimant: the inventory the claim sits against. */
    inventory: z.object({
      reference: z.string().min(1),
      totalEmissionsT: decimalString.optional(),
      remainingEmissionsT: decimalString.optional(),
      reductionsAchievedT: decimalString.optional(),
    }),
    audience: audienceSchema,
    /** The claim as the claimant will publish it; the wording filters read it. */
    wording: z.string().min(1),
    substantiation: z.string().optional(),
    /** Must be false: the credits cover no reduction the law requires of the claimant. */
    legallyRequiredReduction: z.boolean(),
    assurance: z.object({ provider: z.string().min(1).optional(), level: z.enum(["none", "limited", "reasonable"]), reference: z.string().optional() }),
    claimantFacts: claimantFactsSchema.default({}),
    blocks: z.array(retiredBlockSchema).min(1),
    /** Hashes of evidence kept beside the statement (registry page captures, the inventory report). */
    evidence: z.array(z.object({ description: z.string().min(1), sha256, uri: z.string().optional() })).default([]),
    acknowledgements: z.array(acknowledgementSchema).default([]),
  })
  .refine((input) => input.period.start <= input.period.end, { message: "period.start is after period.end", path: ["period", "end"] })
  .refine((input) => input.assurance.level === "none" || input.assurance.provider !== undefined, {
    message: "an assurance level other than none needs the provider",
    path: ["assurance", "provider"],
  });
export type ClaimStatementInput = z.input<typeof claimStatementInputSchema>;
export type ParsedClaimStatementInput = z.output<typeof claimStatementInputSchema>;
