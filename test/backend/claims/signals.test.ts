import { expect } from "chai";
import { ValidationError } from "../../../backend/src/errors";
import { creditFacts, evaluateUse } from "../../../backend/src/claims/rules/engine";
import { addedSignals, changeFeed, latestFacts, signalState } from "../../../backend/src/claims/signals/history";
import type { SignalOf } from "../../../backend/src/claims/signals/model";
import { ratingView } from "../../../backend/src/claims/signals/ratings";
import { type Holding, holderAlerts, reservationPause } from "../../../backend/src/claims/signals/status";
import { expectThrows, project, shipped, signal, withParameter, withSignals } from "./helpers";

const PROJECT = { registry: "VERRA" as const, projectId: "9101" };
const BATCH_A = "30001-VCS-VCU-500-VER-IN-9101-01012024-31122024-0";
const BATCH_B = "30002-VCS-VCU-500-VER-IN-9101-01012025-31122025-0";

const reference = withSignals({
  projects: [project({ ...PROJECT, name: "Test biogas", programme: "VCS", methodology: { id: "AMS-III.G", version: "10.0" }, activity: "methane" })],
  signals: [
    signal("registry_status", PROJECT, "2025-01-10", { status: "Registered" }),
    signal("registry_status", PROJECT, "2026-03-02", { status: "On Hold" }),
    signal("registry_status", PROJECT, "2026-05-20", { status: "Registered" }),
  ],
});

const holdings: Holding[] = [
  { holder: "0xaaa", batchId: "11", ...PROJECT, serialPrefix: BATCH_A, units: 400n },
  { holder: "0xaaa", batchId: "12", ...PROJECT, serialPrefix: BATCH_B, units: 100n },
  { holder: "0xbbb", batchId: "11", ...PROJECT, serialPrefix: BATCH_A, units: 50n },
  { holder: "0xccc", batchId: "11", ...PROJECT, serialPrefix: BATCH_A, units: 0n },
  { holder: "0xddd", batchId: "20", registry: "VERRA", projectId: "3352", serialPrefix: "20002-VCS-VCU-500-VER-US-3352-01012024-31122024-0", units: 900n },
];

describe("claims/signals", () => {
  describe("a project put on hold", () => {
    it("pauses new reservations of its batches from the day of the hold, and resumes when it is lifted", () => {
      const subject = { ...PROJECT, serialPrefix: BATCH_A };
      expect(reservationPause(reference, subject, "2026-03-01").paused).to.equal(false);
      const held = reservationPause(reference, subject, "2026-03-02");
      expect(held.paused).to.equal(true);
      expect(held.rawStatus).to.equal("On Hold");
      expect(held.since).to.equal("2026-03-02");
      expect(held.reasons[0]).to.contain('registry status "On Hold" since 2026-03-02');
      expect(reservationPause(reference, { ...PROJECT, serialPrefix: BATCH_B }, "2026-04-01").paused).to.equal(true);
      expect(reservationPause(reference, subject, "2026-05-20").paused).to.equal(false);
    });

    it("alerts every holder of the project's batches once, with the units held, and nobody else", () => {
      const change = changeFeed(reference.signals).find((c) => c.subject.projectId === "9101" && c.asOf === "2026-03-02")!;
      expect(change.summary).to.equal("registry status Registered -> registry status On Hold");
      const alerts = holderAlerts(reference, change, holdings);
      expect(alerts.map((a) => a.holder)).to.deep.equal(["0xaaa", "0xbbb"]);
      const first = alerts[0]!;
      expect(first.pause).to.equal("paused");
      expect(first.batches).to.deep.equal([
        { batchId: "11", serialPrefix: BATCH_A, units: "400" },
        { batchId: "12", serialPrefix: BATCH_B, units: "100" },
      ]);
      expect(first.message).to.contain("New reservations of its batches are paused");
      expect(first.message).to.contain("You hold 500 units in 2 batch(es)");
      expect(addedSignals(shipped.signals, reference.signals).map((s) => s.asOf)).to.deep.equal(["2025-01-10", "2026-03-02", "2026-05-20"]);
      const lifted = changeFeed(reference.signals, { since: "2026-03-02" }).find((c) => c.subject.projectId === "9101")!;
      expect(holderAlerts(reference, lifted, holdings).map((a) => a.pause)).to.deep.equal(["resumed", "resumed"]);
    });

    it("fails the status rule of every use while on hold", () => {
      const batch = { ...PROJECT, serialPrefix: BATCH_A, unitType: "VCU", vintageStart: "2024-01-01", vintageEnd: "2024-12-31" };
      const verdict = evaluateUse(reference, { use: "contribution", credit: creditFacts(reference, batch, "2026-04-01") });
      expect(verdict.verdict).to.equal("not_eligible");
      expect(verdict.reasons.find((r) => r.ruleId === "CONTRIB-STATUS")!.outcome).to.equal("fail");
      expect(evaluateUse(reference, { use: "contribution", credit: creditFacts(reference, batch, "2026-06-01") }).verdict).to.equal("eligible");
    });
  });

  it("keeps the demo project's hold in its history and pauses only while it lasted", () => {
    const subject = { registry: "VERRA" as const, projectId: "1175" };
    expect(reservationPause(shipped, subject, "2025-11-02").paused).to.equal(false);
    expect(reservationPause(shipped, subject, "2025-12-01").reasons).to.have.length(2);
    expect(reservationPause(shipped, subject, "2026-02-10").paused).to.equal(false);
    const feed = changeFeed(shipped.signals).filter((c) => c.subject.projectId === "1175" && c.kind === "registry_status");
    expect(feed.map((c) => [c.asOf, (c.to as SignalOf<"registry_status">).status])).to.deep.equal([
      ["2020-01-01", "Registered"],
      ["2025-11-03", "On Hold"],
      ["2026-02-10", "Registered"],
    ]);
  });

  it("pauses on a status the table does not know, and on an open review unless the parameter says otherwise", () => {
    const subject = { registry: "VERRA" as const, projectId: "9102" };
    const projects = [project({ ...subject, name: "Test", programme: "VCS", activity: "other" })];
    const unknown = withSignals({ projects, signals: [signal("registry_status", subject, "2025-01-01", { status: "Suspended (new wording)" })] });
    expect(reservationPause(unknown, subject, "2025-02-01").reasons[0]).to.contain("is not in the status table");
    const review = [
      signal("registry_status", subject, "2025-01-01", { status: "Registered" }),
      signal("review_notice", subject, "2025-03-01", { reference: "R-1", title: "Section 6 review", state: "open", opened: "2025-03-01" }),
    ];
    const open = withSignals({ projects, signals: review });
    expect(reservationPause(open, subject, "2025-03-05").paused).to.equal(true);
    expect(reservationPause(withParameter("signals.pauseOnOpenReview", false, open), subject, "2025-03-05").paused).to.equal(false);
    const none = reservationPause(withSignals({ projects }), subject, "2025-03-05");
    expect([none.paused, none.statusKnown]).to.deep.equal([false, false]);
  });

  it("applies a batch's own signal to that batch only, and prefers it over the project's of the same day", () => {
    const subject = { registry: "GOLD_STANDARD" as const, projectId: "7495" };
    const batch = { ...subject, serialPrefix: "GS1-1-KE-GS7495-16-2025-30645" };
    expect(signalState(shipped.signals, batch, "2026-06-01").article6?.state).to.equal("authorised");
    expect(signalState(shipped.signals, { ...subject, serialPrefix: "GS1-1-KE-GS7495-16-2024-11111" }, "2026-06-01").article6).to.equal(undefined);
    expect(signalState(shipped.signals, batch, "2026-02-28").article6).to.equal(undefined);
    const projectLevel = signal("ccp_label", subject, "2026-03-01", { labelled: true });
    const batchLevel = signal("ccp_label", batch, "2026-03-01", { labelled: false });
    const ref = withSignals({ signals: [batchLevel, projectLevel] });
    const labels = latestFacts(ref.signals, batch, "2026-03-01").filter((s) => s.kind === "ccp_label");
    expect(labels).to.have.length(1);
    expect((labels[0] as SignalOf<"ccp_label">).labelled).to.equal(false);
  });

  it("shows licensed ratings of four agencies on one view, refusing grades off the scale", () => {
    const base = { kind: "rating" as const, subject: { registry: "VERRA" as const, projectId: "3352" }, asOf: "2026-01-05", sources: ["S27"], ratedAt: "2026-01-01", licence: { holder: "Buyer Ltd", reference: "BZ-123" }, enteredBy: "analyst@buyer" };
    const bezero = ratingView({ ...base, agency: "BeZero", scale: "bezero-2023", grade: "AA+" });
    expect([bezero.rank, bezero.scaleSize, bezero.family, bezero.licenceHolder]).to.deep.equal([2, 8, "A", "Buyer Ltd"]);
    expect(ratingView({ ...base, agency: "MSCI", scale: "msci", grade: "CCC" })).to.include({ rank: 7, family: "C_OR_LOWER" });
    expect(ratingView({ ...base, agency: "Calyx", scale: "calyx-ghg-legacy", grade: "E+" })).to.include({ rank: 5, scaleSize: 5 });
    expect(expectThrows(() => ratingView({ ...base, agency: "Sylvera", scale: "sylvera", grade: "A+" }), ValidationError).field).to.equal("grade");
    expect(expectThrows(() => ratingView({ ...base, agency: "Sylvera", scale: "msci", grade: "A" }), ValidationError).field).to.equal("scale");
  });
});
