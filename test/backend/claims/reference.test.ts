import { expect } from "chai";
import { ClaimsReferenceError } from "../../../backend/src/claims/errors";
import { parseClaimsReference } from "../../../backend/src/claims/reference/load";
import { RULE_SETS } from "../../../backend/src/claims/rules/engine";
import { RATING_SCALES } from "../../../backend/src/claims/signals/ratings";
import { expectThrows, project, shipped, signal, withSignals } from "./helpers";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every entry of a shipped file: the arrays and records the file holds, with their paths. */
function entries(): Array<{ path: string; entry: { sources?: unknown; asOf?: unknown } }> {
  const out: Array<{ path: string; entry: { sources?: unknown; asOf?: unknown } }> = [];
  const add = (path: string, list: readonly object[]) => list.forEach((entry, i) => out.push({ path: `${path}[${i}]`, entry }));
  add("labels.ccpProgrammes", shipped.labels.ccpProgrammes);
  add("labels.ccpDecisions", shipped.labels.ccpDecisions);
  add("labels.corsiaProgrammes", shipped.labels.corsiaProgrammes);
  add("labels.corsiaExclusions", shipped.labels.corsiaExclusions);
  add("statuses", shipped.statuses.statuses);
  add("wording", shipped.wording.rules);
  add("projects", shipped.projects);
  add("signals", shipped.signals);
  for (const [name, entry] of Object.entries(shipped.parameters)) out.push({ path: `parameters.${name}`, entry });
  return out;
}

describe("claims/reference data", () => {
  it("loads the shipped files, and every entry cites a catalogued source and an as-of date", () => {
    const all = entries();
    expect(all.length).to.be.greaterThan(60);
    for (const { path, entry } of all) {
      expect(entry.sources, path).to.be.an("array").that.is.not.empty;
      for (const id of entry.sources as string[]) expect(shipped.sources, `${path} cites ${id}`).to.have.property(id);
      expect(entry.asOf, path).to.match(ISO_DATE);
    }
    for (const decision of shipped.labels.ccpDecisions) for (const condition of decision.conditions) expect(condition.sources).to.not.be.empty;
  });

  it("has every source the code cites (rule sets and rating scales) in the catalogue", () => {
    for (const set of Object.values(RULE_SETS)) {
      for (const id of set.sources) expect(shipped.sources, `${set.id} cites ${id}`).to.have.property(id);
      for (const rule of set.rules) for (const id of rule.sources) expect(shipped.sources, `${rule.id} cites ${id}`).to.have.property(id);
    }
    for (const scale of RATING_SCALES) for (const id of scale.sources) expect(shipped.sources, `${scale.id} cites ${id}`).to.have.property(id);
  });

  it("documents each disagreement between sources with the other sources", () => {
    const tiers = shipped.parameters["vcmi.tiers"];
    expect(tiers.disagreement?.sources).to.include.members(["S68", "S69"]);
    expect(tiers.unconfirmed).to.be.a("string");
  });

  it("marks the embedded signals as demo data and ships no ratings", () => {
    expect(shipped.demo).to.equal(true);
    expect(shipped.projects.every((p) => p.demo === true && p.sources.includes("SIM"))).to.equal(true);
    expect(shipped.signals.filter((s) => s.kind === "rating")).to.have.length(0);
  });

  it("refuses a file citing a source the catalogue does not list, naming the path", () => {
    const raw = structuredClone(shipped.raw) as typeof shipped.raw & { labels: { ccpDecisions: Array<{ sources: string[] }> } };
    raw.labels.ccpDecisions[2]!.sources = ["S5", "NOPE"];
    const error = expectThrows(() => parseClaimsReference(raw), ClaimsReferenceError);
    expect(error.file).to.equal("labels.json");
    expect(error.problems[0]).to.deep.equal({ path: "ccpDecisions[2].sources[1]", message: "cites NOPE, which sources.json does not list" });
  });

  it("refuses a signal without an as-of date or without sources", () => {
    const subject = { registry: "VERRA", projectId: "9001" };
    const projects = [project({ registry: "VERRA", projectId: "9001", name: "Test", programme: "VCS", activity: "other" })];
    const undated = { kind: "registry_status", subject, status: "Registered", sources: ["S1"] };
    let error = expectThrows(() => withSignals({ projects, signals: [undated] }), ClaimsReferenceError);
    expect(error.file).to.equal("signals.test.json");
    expect(error.problems.map((p) => p.path)).to.include("signals[0].asOf");
    const uncited = { kind: "registry_status", subject, status: "Registered", sources: [], asOf: "2025-01-01" };
    error = expectThrows(() => withSignals({ projects, signals: [uncited] }), ClaimsReferenceError);
    expect(error.problems[0]!.path).to.equal("signals[0].sources");
    expect(error.problems[0]!.message).to.contain("cites at least one source");
  });

  it("refuses a signal about a project it does not describe, and a rating off its scale", () => {
    let error = expectThrows(() => withSignals({ signals: [signal("registry_status", { registry: "VERRA", projectId: "404" }, "2025-01-01", { status: "Registered" })] }), ClaimsReferenceError);
    expect(error.problems[0]).to.deep.equal({ path: "signals[0].subject", message: "no project entry for VERRA 404" });
    const projects = [project({ registry: "VERRA", projectId: "9001", name: "Test", programme: "VCS", activity: "other" })];
    const rating = signal("rating", { registry: "VERRA", projectId: "9001" }, "2025-01-01", {
      agency: "MSCI", scale: "msci", grade: "D", ratedAt: "2025-01-01", licence: { holder: "Test Ltd", reference: "L-1" }, enteredBy: "analyst",
    });
    error = expectThrows(() => withSignals({ projects, signals: [rating] }), ClaimsReferenceError);
    expect(error.problems[0]!.message).to.contain('"D" is not on msci');
  });

  it("names the data in its version: a changed entry changes the version", () => {
    const projects = [project({ registry: "VERRA", projectId: "9001", name: "Test", programme: "VCS", activity: "other" })];
    const a = withSignals({ projects });
    const b = withSignals({ projects: [{ ...projects[0], name: "Test 2" }] });
    expect(a.version).to.match(/^[0-9a-f]{64}$/);
    expect(a.version).to.not.equal(b.version);
    expect(withSignals({ projects }).version).to.equal(a.version);
  });
});
