import Decimal from "decimal.js";
import { canonicalHash } from "../canonical-json";
import { fyLabel, fyOf } from "../dates";
import type { Parameters } from "../rules/params";
import { csrSpendCounts } from "./guards";
import { rupeesString, sumPaise } from "./money";
import type { Applicability, Obligation } from "./obligation";
import { type CsrProgramme, type CsrProject, spendingInFy } from "./programme";
import type { LedgerEvent } from "./unspent";

/**
 * Outputs for filing and for the court file: the board's-report annexure project table (the MCA portal's columns,
 * S106), the CSR-2 figures (S103, S104), and the multi-year programme report with outcomes, evidence hashes and
 * the claims made from the programme. Amounts are rupee decimal strings. Spending of a project that fulfils a
 * statutory obligation is left out of every total and listed as excluded (guards.ts, CSR-STATUTORY).
 */

export type AnnexureRow = {
  projectId: string;
  scheduleVIIItem: string;
  projectName: string;
  localArea: "Y" | "N";
  state: string;
  district: string;
  durationMonths: number;
  ongoing: boolean;
  amountAllocatedInFy: string;
  amountSpentInFy: string;
  directImplementation: "Y" | "N";
  csrRegistrationNumber: string;
};

export type Excluded = { programmeId: string; projectId: string; amount: string; reason: string };

function activeIn(project: CsrProject, year: number): boolean {
  return (year >= project.startFy && year <= project.endFy) || spendingInFy(project, year).length > 0;
}

export function annexureProjectTable(programmes: readonly CsrProgramme[], year: number): { fy: string; rows: AnnexureRow[]; excluded: Excluded[] } {
  const rows: AnnexureRow[] = [];
  const excluded: Excluded[] = [];
  for (const programme of programmes) {
    for (const project of programme.projects.filter((p) => activeIn(p, year))) {
      const spent = sumPaise(spendingInFy(project, year).map((s) => s.amount));
      const verdict = csrSpendCounts(project);
      if (!verdict.counts) {
        excluded.push({ programmeId: programme.id, projectId: project.id, amount: rupeesString(spent), reason: verdict.reason });
        continue;
      }
      const agency = project.implementation.mode === "agency" ? project.implementation.agency : undefined;
      rows.push({
        projectId: project.id,
        scheduleVIIItem: `(${project.scheduleVIIItem})`,
        projectName: project.name,
        localArea: project.localArea ? "Y" : "N",
        state: project.location.state,
        district: project.location.district,
        durationMonths: (project.endFy - project.startFy + 1) * 12,
        ongoing: project.ongoing,
        amountAllocatedInFy: rupeesString(sumPaise(project.budget.filter((b) => b.fy === year).map((b) => b.amount))),
        amountSpentInFy: rupeesString(spent),
        directImplementation: agency === undefined ? "Y" : "N",
        csrRegistrationNumber: agency?.csr1RegistrationNumber ?? "",
      });
    }
  }
  return { fy: fyLabel(year), rows, excluded };
}

export type Csr2Parameters = {
  parameters: Parameters;
  fy: number;
  applicability: Applicability;
  obligation: Obligation;
  programmes: readonly CsrProgramme[];
  events: readonly LedgerEvent[];
  impactAssessment?: { done: boolean; link?: string | undefined };
};

/** The figures CSR-2 asks for (S103, S104), from the programmes' spending and the Unspent CSR Account ledger. */
export function csr2Figures(input: Csr2Parameters) {
  const { fy, obligation, programmes, events } = input;
  const counted = programmes.flatMap((p) => p.projects).filter((p) => csrSpendCounts(p).counts);
  const spendOf = (projects: readonly CsrProject[], kind: "project" | "admin_overhead" | "impact_assessment") =>
    sumPaise(projects.flatMap((p) => spendingInFy(p, fy, [kind]).filter((s) => s.fromUnspentAccountOf === undefined).map((s) => s.amount)));
  const ongoing = spendOf(counted.filter((p) => p.ongoing), "project");
  const other = spendOf(counted.filter((p) => !p.ongoing), "project");
  const admin = spendOf(counted, "admin_overhead");
  const impact = spendOf(counted, "impact_assessment");
  const total = ongoing + other + admin + impact;
  const maxAdmin = input.parameters["csr.adminOverheadMaxPercent"];
  const unspent = obligation.total > total ? obligation.total - total : 0n;
  const ofYear = (kind: LedgerEvent["kind"], from?: string) =>
    sumPaise(events.filter((e) => e.kind === kind && e.originFy === fy && (from === undefined || (e.kind === "transfer_to_fund" && e.from === from))).map((e) => e.amount));
  return {
    fy: fyLabel(fy),
    applicability: { obliged: input.applicability.obliged, triggeredBy: input.applicability.triggeredBy, basedOnFy: fyLabel(input.applicability.basedOnFy) },
    averageNetProfit: rupeesString(obligation.averageNetProfit),
    prescribedObligation: rupeesString(obligation.prescribed),
    surplusArising: rupeesString(obligation.surplusArising),
    setOff: rupeesString(obligation.setOff),
    totalObligation: rupeesString(obligation.total),
    committeeRequired: obligation.committeeRequired,
    spent: { ongoingProjects: rupeesString(ongoing), otherProjects: rupeesString(other), adminOverheads: rupeesString(admin), impactAssessment: rupeesString(impact), total: rupeesString(total) },
    adminOverheadWithinLimit: new Decimal(admin.toString()).mul(100).lte(new Decimal(total.toString()).mul(maxAdmin.value)),
    unspent: {
      total: rupeesString(unspent),
      transferredToUnspentAccount: rupeesString(ofYear("transfer_to_unspent_account")),
      transferredToScheduleViiFund: rupeesString(ofYear("transfer_to_fund", "unspent_other")),
    },
    impactAssessment: input.impactAssessment ?? { done: false },
    sources: ["S103", "S104", ...obligation.sources, ...maxAdmin.sources],
  };
}

/** A claim statement made from credits the programme generated (the claim module's signed statement, by hash). */
export type ProgrammeClaim = { statementId: string; statementHash: string; claimType: string; registry: string; projectId: string; quantity: string; retiredOn: string };

export function programmeReport(input: { programme: CsrProgramme; fromFy: number; toFy: number; claims: readonly ProgrammeClaim[]; generatedAt: string }) {
  const { programme, fromFy, toFy } = input;
  const years = Array.from({ length: toFy - fromFy + 1 }, (_, i) => fromFy + i);
  const projects = programme.projects.map((project) => {
    const verdict = csrSpendCounts(project);
    const claims = input.claims.filter((c) => project.generatesCredits.some((g) => g.registry === c.registry && g.projectId === c.projectId));
    return {
      id: project.id,
      name: project.name,
      scheduleVIIItem: `(${project.scheduleVIIItem})`,
      ongoing: project.ongoing,
      years: `${fyLabel(project.startFy)} to ${fyLabel(project.endFy)}`,
      implementation: project.implementation.mode === "agency" ? `${project.implementation.agency.name} (${project.implementation.agency.csr1RegistrationNumber})` : "direct",
      countsAsCsr: verdict.counts,
      exclusion: verdict.counts ? undefined : verdict.reason,
      perYear: years.map((year) => ({
        fy: fyLabel(year),
        budget: rupeesString(sumPaise(project.budget.filter((b) => b.fy === year).map((b) => b.amount))),
        spent: rupeesString(sumPaise(project.spending.filter((s) => fyOf(s.date) === year).map((s) => s.amount))),
        outcomes: project.outcomes.filter((o) => o.fy === year).map((o) => ({ metric: o.metric, value: o.value, unit: o.unit, source: `${o.source.kind}: ${o.source.reference}`, evidenceSha256: o.evidenceSha256 })),
      })),
      evidence: [...project.spending.map((s) => s.evidenceSha256), ...project.outcomes.map((o) => o.evidenceSha256)].filter((h): h is string => h !== undefined),
      creditsGenerated: project.generatesCredits.map((g) => `${g.registry} ${g.projectId}`),
      creditUse: project.creditUse === undefined ? "not approved for the company's own claims" : `board resolution ${project.creditUse.boardApproval.resolutionRef}, disclosed ${project.creditUse.disclosure.reference}`,
      surpluses: project.surpluses.map((s) => ({ fy: fyLabel(s.fy), amount: rupeesString(s.amount), source: s.source, treatment: s.treatment })),
      claims,
    };
  });
  const body = {
    format: "carbon-custody/csr-programme-report",
    formatVersion: 1,
    generatedAt: input.generatedAt,
    programme: { id: programme.id, title: programme.title, company: programme.company, boardApproval: programme.boardApproval },
    period: `${fyLabel(fromFy)} to ${fyLabel(toFy)}`,
    projects,
  };
  return { ...body, sha256: canonicalHash(body) };
}
export type ProgrammeReport = ReturnType<typeof programmeReport>;
