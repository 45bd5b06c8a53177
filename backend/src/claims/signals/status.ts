import { z } from "zod";
import { addDays } from "../dates";
import { cited, fileHeader, registrySchema } from "../reference/common";
import type { Parameters } from "../rules/params";
import { type SignalChange, signalState } from "./history";
import type { Signal, Subject } from "./model";

/**
 * What a registry's raw project status means for custody (registry-statuses.json), and the reservation pause it
 * causes. The ghost-credit rule: do not sell what the registry may refuse to move. A status with effect `pause`
 * (Verra `On Hold`, a project under review, a status the table does not know) pauses new reservations of every
 * batch of the project, the way a registry outage pauses them; units already in custody stay where they are.
 */

export const statusEffectSchema = z.object({
  registry: registrySchema,
  /** As the registry prints it. */
  status: z.string().min(1),
  effect: z.enum(["trade", "pause"]),
  meaning: z.string().min(1),
  ...cited,
});

export const statusesFileSchema = z.object({
  ...fileHeader("carbon-custody/claims-registry-statuses"),
  /** What a status missing from the table does: `pause` (the platform's policy: unknown is not open). */
  unknownStatusEffect: z.enum(["trade", "pause"]),
  statuses: z.array(statusEffectSchema),
});
export type StatusesFile = z.output<typeof statusesFileSchema>;

export type StatusInputs = { statuses: StatusesFile; signals: readonly Signal[]; parameters: Parameters };

export type ReservationPause = {
  subject: Subject;
  /** True: new reservations (orders, deals, retirement and withdrawal requests) of the batches must wait. */
  paused: boolean;
  /** False when no registry status is on file: nothing is paused, and the batch's status is said to be unknown. */
  statusKnown: boolean;
  rawStatus?: string | undefined;
  /** The day the pausing fact was true (its `asOf`). */
  since?: string | undefined;
  reasons: string[];
  sources: string[];
};

/** The pause on `date` for a project or batch, from its registry status and open review notices. */
export function reservationPause(inputs: StatusInputs, subject: Subject, date: string): ReservationPause {
  const state = signalState(inputs.signals, subject, date);
  const label = `${subject.registry} project ${subject.projectId}`;
  const reasons: string[] = [];
  const sources: string[] = [];
  let since: string | undefined;
  const status = state.registryStatus;
  if (status !== undefined) {
    const known = inputs.statuses.statuses.find((s) => s.registry === subject.registry && s.status === status.status);
    const effect = known?.effect ?? inputs.statuses.unknownStatusEffect;
    if (effect === "pause") {
      reasons.push(
        known === undefined
          ? `${label}: registry status "${status.status}" (since ${status.asOf}) is not in the status table; treated as paused until it is`
          : `${label}: registry status "${status.status}" since ${status.asOf} (${known.meaning}); new reservations wait until the registry lifts it`,
      );
      sources.push(...status.sources);
      since = status.asOf;
    }
  }
  if (inputs.parameters["signals.pauseOnOpenReview"].value) {
    for (const notice of state.reviewNotices.filter((n) => n.state === "open")) {
      reasons.push(`${label}: registry review ${notice.reference} (${notice.title}) open since ${notice.opened}`);
      sources.push(...notice.sources);
      since = since === undefined || notice.asOf < since ? notice.asOf : since;
    }
  }
  return {
    subject,
    paused: reasons.length > 0,
    statusKnown: status !== undefined,
    rawStatus: status?.status,
    since,
    reasons,
    sources: [...new Set(sources)],
  };
}

/** A holder's units in one platform batch (from the custody balances). */
export type Holding = {
  holder: string;
  batchId: string;
  registry: Subject["registry"];
  projectId: string;
  serialPrefix: string;
  units: bigint;
};

export type HolderAlert = {
  holder: string;
  subject: Subject;
  asOf: string;
  /** `paused` / `resumed` when the change moved the pause; `none` for other changes (a label, a rating). */
  pause: "paused" | "resumed" | "none";
  summary: string;
  batches: Array<{ batchId: string; serialPrefix: string; units: string }>;
  message: string;
};

/**
 * One alert per holder of a batch the change is about (the whole project, or the one batch), with the units held.
 * Whether the change paused or resumed reservations compares the pause the day before with the pause on the day.
 */
export function holderAlerts(inputs: StatusInputs, change: SignalChange, holdings: readonly Holding[]): HolderAlert[] {
  const subject = change.subject;
  const before = reservationPause(inputs, subject, addDays(change.asOf, -1)).paused;
  const after = reservationPause(inputs, subject, change.asOf).paused;
  const pause = before === after ? "none" : after ? "paused" : "resumed";
  const affected = holdings.filter(
    (h) =>
      h.units > 0n &&
      h.registry === subject.registry &&
      h.projectId === subject.projectId &&
      (subject.serialPrefix === undefined || h.serialPrefix === subject.serialPrefix),
  );
  const byHolder = new Map<string, Holding[]>();
  for (const holding of affected) byHolder.set(holding.holder, [...(byHolder.get(holding.holder) ?? []), holding]);
  const consequence = {
    paused: "New reservations of its batches are paused until the registry lifts the status; units in custody stay where they are.",
    resumed: "Reservations of its batches resume.",
    none: "Nothing is paused by this change; it is shown with the batch's signals.",
  }[pause];
  return [...byHolder].map(([holder, held]) => {
    const units = held.reduce((sum, h) => sum + h.units, 0n);
    return {
      holder,
      subject,
      asOf: change.asOf,
      pause,
      summary: change.summary,
      batches: held.map((h) => ({ batchId: h.batchId, serialPrefix: h.serialPrefix, units: h.units.toString() })),
      message: `${subject.registry} project ${subject.projectId}: ${change.summary} (as of ${change.asOf}). ${consequence} You hold ${units} units in ${held.length} batch(es).`,
    };
  });
}
