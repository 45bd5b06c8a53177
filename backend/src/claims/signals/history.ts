import { canonicalHash } from "../canonical-json";
import type { Signal, SignalKind, SignalOf, Subject } from "./model";

/**
 * History of integrity signals. A series is one fact about one subject over time (the registry status of project
 * 3352; the BeZero rating of batch X; review notice R of project Y). The state on day D takes, per fact, the
 * entry with the latest `asOf` on or before D; a batch-level entry beats a project-level one of the same day.
 * The change feed lists, per series, each entry whose content differs from the one before it.
 */

export function subjectKey(subject: Subject): string {
  return `${subject.registry}|${subject.projectId}|${subject.serialPrefix ?? "*"}`;
}

/** The fact a signal is about, apart from its subject: two entries with the same fact key form a series. */
export function factKey(signal: Signal): string {
  switch (signal.kind) {
    case "review_notice":
      return `${signal.kind}|${signal.reference}`;
    case "corsia_label":
      return `${signal.kind}|${signal.phase}`;
    case "certification":
      return `${signal.kind}|${signal.label}`;
    case "buffer_contribution":
      return `${signal.kind}|${signal.pool}`;
    case "reversal_event":
      return `${signal.kind}|${signal.eventId}`;
    case "rating":
      return `${signal.kind}|${signal.agency}`;
    case "monitoring":
      return `${signal.kind}|${signal.monitoringPeriod.start}|${signal.monitoringPeriod.end}`;
    default:
      return signal.kind;
  }
}

export function seriesKey(signal: Signal): string {
  return `${subjectKey(signal.subject)}#${factKey(signal)}`;
}

/**
 * Signals that speak about `subject`: the project's own (no serialPrefix) and, when the subject is a batch, that
 * batch's. A project subject sees only project-level signals.
 */
export function signalsFor(signals: readonly Signal[], subject: Subject): Signal[] {
  return signals.filter(
    (s) =>
      s.subject.registry === subject.registry &&
      s.subject.projectId === subject.projectId &&
      (s.subject.serialPrefix === undefined || s.subject.serialPrefix === subject.serialPrefix),
  );
}

export type SignalState = {
  subject: Subject;
  asOf: string;
  registryStatus?: SignalOf<"registry_status"> | undefined;
  reviewNotices: Array<SignalOf<"review_notice">>;
  ccpLabel?: SignalOf<"ccp_label"> | undefined;
  corsiaLabels: Array<SignalOf<"corsia_label">>;
  certifications: Array<SignalOf<"certification">>;
  article6?: SignalOf<"article6"> | undefined;
  buffers: Array<SignalOf<"buffer_contribution">>;
  reversals: Array<SignalOf<"reversal_event">>;
  ratings: Array<SignalOf<"rating">>;
  monitoring: Array<SignalOf<"monitoring">>;
};

/** The latest entry per fact on or before `date`, for `subject`. */
export function latestFacts(signals: readonly Signal[], subject: Subject, date: string): Signal[] {
  const latest = new Map<string, Signal>();
  for (const signal of signalsFor(signals, subject)) {
    if (signal.asOf > date) continue;
    const key = factKey(signal);
    const held = latest.get(key);
    const batchLevel = signal.subject.serialPrefix !== undefined;
    if (held === undefined || signal.asOf > held.asOf || (signal.asOf === held.asOf && (batchLevel || held.subject.serialPrefix === undefined))) {
      latest.set(key, signal);
    }
  }
  return [...latest.values()];
}

export function signalState(signals: readonly Signal[], subject: Subject, date: string): SignalState {
  const facts = latestFacts(signals, subject, date);
  const all = <K extends SignalKind>(kind: K) => facts.filter((s): s is SignalOf<K> => s.kind === kind);
  return {
    subject,
    asOf: date,
    registryStatus: all("registry_status")[0],
    reviewNotices: all("review_notice"),
    ccpLabel: all("ccp_label")[0],
    corsiaLabels: all("corsia_label"),
    certifications: all("certification"),
    article6: all("article6")[0],
    buffers: all("buffer_contribution"),
    reversals: all("reversal_event"),
    ratings: all("rating"),
    monitoring: all("monitoring"),
  };
}

/** One line for a signal's content, for change feeds and alerts. */
export function describeSignal(signal: Signal): string {
  switch (signal.kind) {
    case "registry_status":
      return `registry status ${signal.status}`;
    case "review_notice":
      return `review ${signal.reference} (${signal.title}) ${signal.state}`;
    case "ccp_label":
      return signal.labelled ? "CCP label applied by the registry" : "no CCP label on the registry";
    case "corsia_label":
      return `${signal.label} (${signal.state})`;
    case "certification":
      return `${signal.label}${signal.level ? ` ${signal.level}` : ""}`;
    case "article6":
      return `Article 6 ${signal.state}${signal.authorisationId ? ` (${signal.authorisationId})` : ""}, corresponding adjustment ${signal.correspondingAdjustment}`;
    case "buffer_contribution":
      return `${signal.percent}% to buffer ${signal.pool}`;
    case "reversal_event":
      return `reversal ${signal.eventId} (${signal.type}) ${signal.state}`;
    case "rating":
      return `${signal.agency} ${signal.grade} (rated ${signal.ratedAt})`;
    case "monitoring":
      return `monitoring facts ${signal.monitoringPeriod.start} to ${signal.monitoringPeriod.end}`;
  }
}

/** The content of an entry, without when it was seen and who said so: what a change compares. */
function contentHash(signal: Signal): string {
  const { asOf: _asOf, sources: _sources, note: _note, ...content } = signal;
  return canonicalHash(content);
}

export type SignalChange = {
  seriesKey: string;
  subject: Subject;
  kind: SignalKind;
  asOf: string;
  from: Signal | null;
  to: Signal;
  summary: string;
};

/** Every change in the history, oldest first; `since` keeps the changes dated after that day. */
export function changeFeed(signals: readonly Signal[], options: { since?: string } = {}): SignalChange[] {
  const series = new Map<string, Signal[]>();
  for (const signal of signals) {
    const key = seriesKey(signal);
    series.set(key, [...(series.get(key) ?? []), signal]);
  }
  const changes: SignalChange[] = [];
  for (const [key, entries] of series) {
    const sorted = [...entries].sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
    let previous: Signal | null = null;
    for (const entry of sorted) {
      if (previous === null || contentHash(previous) !== contentHash(entry)) {
        const summary = previous === null ? describeSignal(entry) : `${describeSignal(previous)} -> ${describeSignal(entry)}`;
        changes.push({ seriesKey: key, subject: entry.subject, kind: entry.kind, asOf: entry.asOf, from: previous, to: entry, summary });
      }
      previous = entry;
    }
  }
  return changes
    .filter((change) => options.since === undefined || change.asOf > options.since)
    .sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : a.seriesKey < b.seriesKey ? -1 : 1));
}

/** Entries in `after` that `before` does not hold (by content, date and sources): what an upload adds. */
export function addedSignals(before: readonly Signal[], after: readonly Signal[]): Signal[] {
  const known = new Set(before.map((signal) => canonicalHash(signal)));
  return after.filter((signal) => !known.has(canonicalHash(signal)));
}
