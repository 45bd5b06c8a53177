/**
 * The record collectors by scope. A scope whose module does not exist yet has a collector that refuses with the
 * module it waits for, so the CLI's message and the seam are in place: adding CCTS or KYC evidence is one
 * collector here.
 */
import { EvidenceInputError } from "../errors";
import { batchCollector } from "./batch";
import { retirementCollector } from "./retirement";
import type { EvidenceScope, RecordCollector } from "./types";

export type { CollectContext, CollectedRecords, EventRecord, EvidenceScope, RecordCollector } from "./types";

const unavailable = (kind: EvidenceScope["kind"], module: string): RecordCollector => ({
  kind,
  async collect() {
    throw new EvidenceInputError(`the ${kind} scope is not available yet: it needs the ${module} module`, { scope: kind });
  },
});

export const COLLECTORS: Record<EvidenceScope["kind"], RecordCollector> = {
  retirement: retirementCollector,
  batch: batchCollector,
  entity: unavailable("entity", "CCTS"),
  case: unavailable("case", "onboarding (KYC)"),
};
