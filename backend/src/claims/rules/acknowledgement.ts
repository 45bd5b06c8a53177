import type { Verdict } from "./types";

/**
 * A retirement for a use the batch does not (or not yet) meet needs an explicit acknowledgement: the holder
 * confirms the verdict's words, and the record names the verdict by its hash, so it proves what was shown.
 */

export type Acknowledgement = {
  verdictHash: string;
  use: Verdict["use"];
  text: string;
  acknowledgedBy: string;
  acknowledgedAt: string;
};

export function requiresAcknowledgement(verdict: Verdict): boolean {
  return verdict.verdict !== "eligible";
}

/** The words the holder confirms; the same for the same verdict. */
export function acknowledgementText(verdict: Verdict): string {
  const state = verdict.verdict === "not_eligible" ? "is not eligible" : "is not shown to be eligible";
  const batch = `${verdict.subject.registry} ${verdict.subject.serialPrefix ?? verdict.subject.projectId}`;
  return (
    `I acknowledge that ${batch} ${state} for ${verdict.ruleSet.title} under rule set ` +
    `${verdict.ruleSet.id} v${verdict.ruleSet.version} as of ${verdict.asOf}: ${verdict.summary} ` +
    `I retire it for this use knowing that.`
  );
}

/** The record to store (by the retirement's owner); throws when the verdict needs none. */
export function acknowledge(verdict: Verdict, acknowledgedBy: string, acknowledgedAt: string): Acknowledgement {
  if (!requiresAcknowledgement(verdict)) throw new Error("an eligible verdict needs no acknowledgement");
  return { verdictHash: verdict.hash, use: verdict.use, text: acknowledgementText(verdict), acknowledgedBy, acknowledgedAt };
}

/** True when `ack` acknowledges exactly this verdict (same hash and words). */
export function acknowledges(ack: Acknowledgement | undefined, verdict: Verdict): boolean {
  return ack !== undefined && ack.verdictHash === verdict.hash && ack.use === verdict.use && ack.text === acknowledgementText(verdict);
}
