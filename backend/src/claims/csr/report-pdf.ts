import { renderPdf } from "../pdf";
import type { ProgrammeReport } from "./reports";

/** The multi-year programme report as a PDF: per project, per year budget, spending and outcomes; evidence and claims. */
export function renderProgrammeReportPdf(report: ProgrammeReport): Promise<Buffer> {
  return renderPdf({ title: `CSR programme report ${report.programme.id}`, createdAt: report.generatedAt }, (w) => {
    w.heading(`CSR programme report: ${report.programme.title}`);
    w.fields([
      ["Company", `${report.programme.company.name} (CIN ${report.programme.company.cin})`],
      ["Programme", report.programme.id],
      ["Board approval", `${report.programme.boardApproval.resolutionRef} of ${report.programme.boardApproval.date}`],
      ["Period", report.period],
      ["Generated", report.generatedAt],
    ]);
    for (const project of report.projects) {
      w.subheading(`${project.id}: ${project.name} (Schedule VII item ${project.scheduleVIIItem}${project.ongoing ? ", ongoing" : ""})`);
      w.fields([
        ["Years", project.years],
        ["Implementation", project.implementation],
        ["Counts as CSR", project.countsAsCsr ? "yes" : `no: ${project.exclusion ?? ""}`],
        ["Credits generated", project.creditsGenerated.join(", ") || "none"],
        ["Use of credits for own claims", project.creditUse],
      ]);
      for (const year of project.perYear) {
        const outcomes = year.outcomes.map((o) => `${o.metric} ${o.value} ${o.unit} (${o.source})`).join("; ");
        w.paragraph(`FY ${year.fy}: budget Rs ${year.budget}, spent Rs ${year.spent}${outcomes ? `; outcomes: ${outcomes}` : ""}`);
      }
      for (const surplus of project.surpluses) w.paragraph(`Surplus FY ${surplus.fy}: Rs ${surplus.amount} from ${surplus.source}, ${surplus.treatment}`);
      for (const claim of project.claims) {
        w.paragraph(`Claim ${claim.statementId} (${claim.claimType}): ${claim.quantity} credits of ${claim.registry} ${claim.projectId} retired ${claim.retiredOn}; statement SHA-256 ${claim.statementHash}`);
      }
      if (project.evidence.length > 0) w.paragraph(`Evidence SHA-256: ${project.evidence.join(", ")}`, { mono: true, size: 7 });
    }
    w.subheading("Report hash");
    w.paragraph(`SHA-256 of the canonical JSON report (RFC 8785): ${report.sha256}`, { mono: true, size: 8 });
  });
}
