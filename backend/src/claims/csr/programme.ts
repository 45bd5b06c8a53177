import { z } from "zod";
import { ValidationError } from "../../errors";
import { fyLabel, fyOf } from "../dates";
import { decimalString, isoDate, registrySchema } from "../reference/common";
import type { Parameters } from "../rules/params";
import { parseInput } from "../validate";
import { nonNegativeRupeesSchema } from "./money";

/**
 * Multi-year CSR programmes and their projects (Companies Act 2013 s.135; CSR Rules 2014 as amended 22 Jan 2021).
 * A project is tagged to a Schedule VII item; an ongoing project runs at most three financial years beyond the
 * year it started (r.2(1)(i)); a project run through an implementing agency names the agency's CSR-1
 * registration number (r.4(2)). Spending, outcomes (MRV figures as decimal strings) and surpluses are recorded per
 * financial year, each with its evidence hash where there is one.
 */

/** Schedule VII items (i) to (xii); (iv) is environmental sustainability. */
export const SCHEDULE_VII_ITEMS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"] as const;

const fy = z.number().int().min(2014).max(2100);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected a lowercase hex SHA-256");

export const STATUTORY_OBLIGATIONS = [
  "ccts_target",
  "renewable_purchase_obligation",
  "environmental_clearance_condition",
  "compensatory_afforestation",
  "other_statute",
] as const;

export const csrProjectSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  scheduleVIIItem: z.enum(SCHEDULE_VII_ITEMS),
  ongoing: z.boolean(),
  startFy: fy,
  endFy: fy,
  localArea: z.boolean(),
  location: z.object({ state: z.string().min(1), district: z.string().min(1) }),
  implementation: z.discriminatedUnion("mode", [
    z.object({ mode: z.literal("direct") }),
    z.object({ mode: z.literal("agency"), agency: z.object({ name: z.string().min(1), csr1RegistrationNumber: z.string().min(1) }) }),
  ]),
  budget: z.array(z.object({ fy, amount: nonNegativeRupeesSchema })).min(1),
  spending: z
    .array(
      z.object({
        id: z.string().min(1),
        date: isoDate,
        amount: nonNegativeRupeesSchema,
        kind: z.enum(["project", "admin_overhead", "impact_assessment"]).default("project"),
        /** Spent from the Unspent CSR Account of that financial year (s.135(6)). */
        fromUnspentAccountOf: fy.optional(),
        description: z.string().min(1),
        evidenceSha256: sha256.optional(),
      }),
    )
    .default([]),
  outcomes: z
    .array(
      z.object({
        fy,
        metric: z.string().min(1),
        value: decimalString,
        unit: z.string().min(1),
        source: z.object({ kind: z.enum(["mrv", "manual"]), reference: z.string().min(1) }),
        evidenceSha256: sha256.optional(),
      }),
    )
    .default([]),
  /** Statutory duties the project's activity also fulfils; any one means its spending is not CSR (r.2(1)(d)). */
  statutoryObligations: z.array(z.object({ kind: z.enum(STATUTORY_OBLIGATIONS), reference: z.string().min(1) })).default([]),
  /** Carbon credits the project generates (registry project ids). */
  generatesCredits: z.array(z.object({ registry: registrySchema, projectId: z.string().min(1) })).default([]),
  /** Board approval and public disclosure of using those credits for the company's own claims. */
  creditUse: z
    .object({
      boardApproval: z.object({ resolutionRef: z.string().min(1), date: isoDate }),
      disclosure: z.object({ reference: z.string().min(1), date: isoDate }),
    })
    .optional(),
  /** Surplus arising from the project (e.g. proceeds of credit sales), r.7(2). */
  surpluses: z
    .array(
      z.object({
        fy,
        amount: nonNegativeRupeesSchema,
        source: z.enum(["credit_sale", "other"]),
        treatment: z.enum(["pending", "ploughed_back", "unspent_account", "schedule_vii_fund"]),
        treatedOn: isoDate.optional(),
      }),
    )
    .default([]),
});
export type CsrProject = z.output<typeof csrProjectSchema>;

export const csrProgrammeSchema = z.object({
  id: z.string().min(1),
  company: z.object({ name: z.string().min(1), cin: z.string().min(1) }),
  title: z.string().min(1),
  boardApproval: z.object({ resolutionRef: z.string().min(1), date: isoDate }),
  projects: z.array(csrProjectSchema).min(1),
});
export type CsrProgramme = z.output<typeof csrProgrammeSchema>;
export type CsrProgrammeInput = z.input<typeof csrProgrammeSchema>;

/** Rules the schema cannot say alone: durations, year ranges, spending dates, the CSR-1 number's format. */
function checkProject(parameters: Parameters, project: CsrProject, at: string): void {
  const maxYears = parameters["csr.ongoingProjectMaxYears"].value;
  const span = project.endFy - project.startFy;
  if (span < 0) throw new ValidationError(`${at}.endFy`, "is before startFy");
  if (project.ongoing && (span < 1 || span > maxYears)) {
    throw new ValidationError(`${at}.endFy`, `an ongoing project runs 1 to ${maxYears} financial years beyond its start year (r.2(1)(i)); FY ${fyLabel(project.startFy)} to ${fyLabel(project.endFy)} is ${span}`);
  }
  if (!project.ongoing && span !== 0) throw new ValidationError(`${at}.ongoing`, "a project spanning several financial years is an ongoing project");
  project.budget.forEach((b, i) => {
    if (b.fy < project.startFy || b.fy > project.endFy) throw new ValidationError(`${at}.budget[${i}].fy`, `FY ${fyLabel(b.fy)} is outside the project's years`);
  });
  const lastSpendFy = project.endFy + parameters["csr.unspent"].value.spendWithinFinancialYears;
  project.spending.forEach((s, i) => {
    const year = fyOf(s.date);
    if (year < project.startFy || year > lastSpendFy) throw new ValidationError(`${at}.spending[${i}].date`, `${s.date} is outside the project's years`);
    if (s.fromUnspentAccountOf !== undefined && year <= s.fromUnspentAccountOf) {
      throw new ValidationError(`${at}.spending[${i}].fromUnspentAccountOf`, "the Unspent CSR Account of a year is spent in later years");
    }
  });
  if (project.implementation.mode === "agency") {
    const pattern = parameters["csr.csr1Pattern"].value;
    const number = project.implementation.agency.csr1RegistrationNumber;
    if (!new RegExp(pattern).test(number)) {
      throw new ValidationError(`${at}.implementation.agency.csr1RegistrationNumber`, `${JSON.stringify(number)} is not a CSR-1 registration number (${pattern})`);
    }
  }
}

/** Parses and checks a programme. Throws ValidationError naming the field. */
export function parseCsrProgramme(parameters: Parameters, input: unknown): CsrProgramme {
  const programme = parseInput(csrProgrammeSchema, input, "programme");
  const ids = new Set<string>();
  programme.projects.forEach((project, index) => {
    if (ids.has(project.id)) throw new ValidationError(`programme.projects[${index}].id`, `${project.id} appears twice`);
    ids.add(project.id);
    checkProject(parameters, project, `programme.projects[${index}]`);
  });
  return programme;
}

/** Spending of a project dated in financial year `year` (by payment date). */
export function spendingInFy(project: CsrProject, year: number, kinds: ReadonlyArray<CsrProject["spending"][number]["kind"]> = ["project"]) {
  return project.spending.filter((s) => fyOf(s.date) === year && kinds.includes(s.kind));
}
