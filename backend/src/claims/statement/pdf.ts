import { renderPdf } from "../pdf";
import type { SignedClaimStatement } from "./sign";

/** The claim statement as a PDF beside the certificate: every field of the JSON a reader needs, and how to verify it. */
export function renderClaimStatementPdf(signed: SignedClaimStatement): Promise<Buffer> {
  const s = signed.statement;
  return renderPdf({ title: `Claim statement ${s.statementId}`, createdAt: s.issuedAt }, (w) => {
    w.heading(`Claim statement ${s.statementId}`);
    if (s.demoData) w.paragraph("DEMO DATA: the integrity signals describe simulated projects, not real ones.", { size: 10 });
    w.subheading(s.claim.title);
    w.paragraph(s.claim.standardWording, { size: 10 });
    w.fields([
      ["Claimant", `${s.claimant.legalName}${s.claimant.identifier ? ` (${s.claimant.identifier})` : ""}, ${s.claimant.country}`],
      ["Registry beneficiary", s.registryBeneficiary],
      ["Purpose", s.purpose],
      ["Period", `${s.period.start} to ${s.period.end}`],
      ["Boundary", `${s.boundary.kind}: ${s.boundary.description}`],
      ["Inventory", `${s.inventory.reference}${s.inventory.remainingEmissionsT ? `; remaining emissions ${s.inventory.remainingEmissionsT} tCO2e` : ""}`],
      ["Claim as published", s.claim.claimantWording],
      ["Audience", `${s.claim.audience.jurisdictions.join(", ")}; ${s.claim.audience.channel}; ${s.claim.audience.subject}`],
      ["Total", `${s.totals.quantity} (avoidance ${s.totals.avoidance}, removal ${s.totals.removal}, other ${s.totals.other})`],
      ["Assurance", `${s.assurance.level}${s.assurance.provider ? ` by ${s.assurance.provider}` : ""}${s.assurance.reference ? ` (${s.assurance.reference})` : ""}`],
    ]);
    w.subheading("Statements");
    w.paragraph(s.statements.noLegallyRequiredReduction);
    if (s.statements.reductionTiming) w.paragraph(s.statements.reductionTiming);
    w.subheading("Retired blocks");
    for (const b of s.blocks) {
      const range = b.serialRange ? `${b.serialRange.start}-${b.serialRange.end}` : "no unit numbers";
      w.fields([
        ["Serial", b.serial],
        ["Registry / project", `${b.registry} ${b.projectId}${b.projectName ? ` (${b.projectName})` : ""}`],
        ["Range / quantity", `${range}; ${b.quantity} ${b.unitType}`],
        ["Vintage", `${b.vintageStart ?? "?"} to ${b.vintageEnd ?? "?"}`],
        ["Methodology", b.methodology ? `${b.methodology.id} v${b.methodology.version}` : "not on file"],
        ["Retirement", `${b.retirementReference} on ${b.retiredOn}${b.transactionUrl ? ` (${b.transactionUrl})` : ""}`],
        ["Avoidance / removal", b.mitigation],
        ["CCP", `${b.snapshot.ccp.label} (ICVCM status ${b.snapshot.ccp.status})`],
        ["Verdict", `${b.verdict.verdict} under ${b.verdict.ruleSet.id} v${b.verdict.ruleSet.version}`],
        ["Signals as of", `${b.snapshot.asOf}; snapshot SHA-256 ${b.snapshotSha256}`],
      ]);
      for (const r of b.verdict.reasons) w.paragraph(`${r.ruleId} ${r.outcome}: ${r.text}`, { size: 7 });
      for (const rating of b.snapshot.ratings) w.paragraph(`Rating ${rating.agency} ${rating.grade} (${rating.rank}/${rating.scaleSize} on ${rating.scale}), rated ${rating.ratedAt}, entered under licence of ${rating.licenceHolder}`, { size: 8 });
      if (b.acknowledgement) w.paragraph(`Acknowledged by ${b.acknowledgement.acknowledgedBy} at ${b.acknowledgement.acknowledgedAt}: ${b.acknowledgement.text}`, { size: 7 });
    }
    w.subheading("Wording rules applied");
    for (const c of s.wordingChecks.filter((x) => x.outcome !== "not_applicable")) w.paragraph(`${c.ruleId} v${c.ruleVersion}: ${c.outcome}`, { size: 8 });
    w.subheading("Sources");
    for (const source of s.sources) w.paragraph(`[${source.id}] ${source.title} - ${source.url}`, { size: 7 });
    w.subheading("Verification");
    w.fields([
      ["Snapshot", `${signed.snapshot.hashAlgorithm} of the ${signed.snapshot.canonicalization} JSON statement`],
      ["Hash", signed.snapshot.hash],
      ["Signer", signed.signature.signer],
      ["Signature", `${signed.signature.scheme} (${signed.signature.domain.name} v${signed.signature.domain.version}), ${signed.signature.signedAt}`],
    ]);
    w.paragraph(signed.signature.value, { mono: true, size: 7 });
    w.paragraph(`Reference data ${s.reference.version}`, { mono: true, size: 7 });
  });
}
