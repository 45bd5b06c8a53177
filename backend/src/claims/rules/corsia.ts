import Decimal from "decimal.js";
import { lastDayOf } from "../dates";
import type { CorsiaExclusion } from "../labels/schema";
import type { ProjectFacts } from "../signals/model";
import { carbonUnitRule, fail, notPausedRule, pass, unknown } from "./common";
import type { RuleResult, RuleSet } from "./types";

/**
 * CORSIA first phase (2024-2026), CLAIMS_AND_CSR.md §1.2: the programme is ICAO-approved for the phase; the
 * vintage is in the phase's window (parameter); the project is not in the programme's own exclusions (Verra: CCS,
 * large renewables above 15 MW, AMS-II.G and VMR0006 cookstoves); the host country authorised the units for
 * international mitigation purposes and applied the corresponding adjustment (or, per Verra's label guidance,
 * a CORSIA Accounting Representation with insurance covers it); the registry carries the phase's Eligible label.
 */

function exclusionMatches(exclusion: CorsiaExclusion, project: ProjectFacts): boolean | undefined {
  const match = exclusion.match;
  switch (match.kind) {
    case "methodology":
      return project.methodology === undefined ? undefined : match.methodologies.some((m) => m.toLowerCase() === project.methodology!.id.toLowerCase());
    case "sectoral_scope":
      return project.sectoralScope === undefined ? undefined : match.scopes.includes(project.sectoralScope);
    case "capacity_above":
      if (project.activity !== match.activity) return false;
      return project.capacityMw === undefined ? undefined : new Decimal(project.capacityMw).gt(match.mw);
  }
}

export const corsiaFirstPhase: RuleSet = {
  id: "corsia-first-phase",
  version: "1",
  use: "corsia_first_phase",
  title: "CORSIA first phase (2024-2026) eligible emissions unit",
  sources: ["S31", "S32", "S36", "S37", "S38"],
  rules: [
    carbonUnitRule("CORSIA1"),
    {
      id: "CORSIA1-PROGRAMME",
      version: "1",
      scope: "credit",
      sources: ["S31", "S32", "S36"],
      wording: {
        pass: "The programme is approved by ICAO for the CORSIA first phase",
        fail: "The programme is not approved by ICAO for the CORSIA first phase",
        unknown: "The programme's CORSIA first-phase approval is not on file",
      },
      check: ({ credit, reference }) => {
        const programme = credit.project?.programme;
        if (programme === undefined) return unknown("no project facts on file");
        const entry = reference.labels.corsiaProgrammes.find(
          (p) => p.programme === programme && p.phase === "first" && lastDayOf(p.since ?? p.asOf) <= credit.asOf,
        );
        if (entry === undefined) return fail(`${programme} has no first-phase approval on file`);
        return entry.status === "approved" ? pass(programme, entry.sources) : fail(`${programme}: ${entry.status}`, entry.sources);
      },
    },
    {
      id: "CORSIA1-VINTAGE",
      version: "1",
      scope: "credit",
      sources: ["S38"],
      wording: {
        pass: "The vintage falls in the first phase's eligible window",
        fail: "The vintage falls outside the first phase's eligible window",
        unknown: "The batch's vintage is not known",
      },
      check: ({ credit, reference }): RuleResult => {
        const window = reference.parameters["corsia.firstPhase.vintage"];
        const { vintageStart, vintageEnd } = credit.batch;
        if (vintageStart === undefined || vintageEnd === undefined) return unknown();
        const inside = vintageStart >= window.value.from && vintageEnd <= window.value.to;
        const detail = `vintage ${vintageStart} to ${vintageEnd}; window ${window.value.from} to ${window.value.to}`;
        return inside ? pass(detail, window.sources) : fail(detail, window.sources);
      },
    },
    {
      id: "CORSIA1-EXCLUSIONS",
      version: "1",
      scope: "credit",
      sources: ["S37"],
      wording: {
        pass: "The project is outside the programme's own first-phase exclusions",
        fail: "The programme excludes this kind of project from the CORSIA first phase",
        unknown: "Project facts needed to test the programme's exclusions are missing",
      },
      check: ({ credit, reference }) => {
        const project = credit.project;
        if (project === undefined) return unknown("no project facts on file");
        const exclusions = reference.labels.corsiaExclusions.filter((e) => e.programme === project.programme && e.phase === "first");
        const results = exclusions.map((e) => ({ e, hit: exclusionMatches(e, project) }));
        const hit = results.find((r) => r.hit === true);
        if (hit !== undefined) return fail(hit.e.text, hit.e.sources);
        const open = results.filter((r) => r.hit === undefined);
        if (open.length > 0) return unknown(`cannot test: ${open.map((r) => r.e.id).join(", ")}`);
        return pass(exclusions.length === 0 ? `no exclusions on file for ${project.programme}` : undefined);
      },
    },
    {
      id: "CORSIA1-AUTHORISATION",
      version: "1",
      scope: "credit",
      sources: ["S38", "S32"],
      wording: {
        pass: "The host country authorised the units for international mitigation purposes (Article 6)",
        fail: "The units are not authorised by the host country for international mitigation purposes",
        unknown: "No Article 6 authorisation status is on file",
      },
      check: ({ credit }) => {
        const a6 = credit.state.article6;
        if (a6 === undefined) return unknown();
        const detail = `${a6.hostParty}${a6.authorisationId ? ` ${a6.authorisationId}` : ""}: ${a6.state}`;
        if (a6.state !== "authorised") return fail(detail, a6.sources);
        return a6.authorisedUses.includes("international_mitigation_purposes") ? pass(detail, a6.sources) : fail(`${detail}, uses ${a6.authorisedUses.join(", ")}`, a6.sources);
      },
    },
    {
      id: "CORSIA1-CA",
      version: "1",
      scope: "credit",
      sources: ["S32", "S36", "S38"],
      wording: {
        pass: "The corresponding adjustment is applied or covered as the programme requires",
        fail: "The corresponding adjustment was reversed or is not applicable: the units cannot count in the first phase",
        unknown: "The corresponding adjustment is pending without cover",
      },
      check: ({ credit }) => {
        const a6 = credit.state.article6;
        if (a6 === undefined) return unknown("no Article 6 status on file");
        const ca = a6.correspondingAdjustment;
        if (ca === "applied") return pass("corresponding adjustment applied", a6.sources);
        if (ca === "pending" && a6.caCover === "accounting_representation_and_insurance") {
          return pass("CA pending, covered by a CORSIA Accounting Representation and insurance", a6.sources);
        }
        return ca === "pending" ? unknown("CA pending", a6.sources) : fail(`CA ${ca}`, a6.sources);
      },
    },
    {
      id: "CORSIA1-LABEL",
      version: "1",
      scope: "credit",
      sources: ["S38", "S39"],
      wording: {
        pass: "The registry labels the units CORSIA first-phase Eligible",
        fail: "The registry removed the units' CORSIA first-phase label",
        unknown: "The registry's CORSIA first-phase Eligible label is not on file (a Scope label is not enough)",
      },
      check: ({ credit }) => {
        const label = credit.state.corsiaLabels.find((l) => l.phase === "first");
        if (label === undefined) return unknown();
        if (label.state === "eligible") return pass(label.label, label.sources);
        return label.state === "removed" ? fail(label.label, label.sources) : unknown(label.label, label.sources);
      },
    },
    notPausedRule("CORSIA1"),
  ],
};
