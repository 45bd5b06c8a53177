import { z } from "zod";
import { cited, decimalString, fileHeader, isoDate, programmeSchema, registrySchema } from "../reference/common";

/**
 * Integrity signals: dated facts about a project or one of its batches, each with its sources. A file holds the
 * history (several entries of one series with different `asOf`), never only the latest state; the state on a day
 * is derived (signals/history.ts). Raw registry wording is kept as the registry prints it.
 */

/** A project (all its batches) or one batch (`serialPrefix`: the serial without its unit range). */
export const subjectSchema = z.object({
  registry: registrySchema,
  projectId: z.string().min(1),
  serialPrefix: z.string().min(1).optional(),
});
export type Subject = z.output<typeof subjectSchema>;

export const activitySchema = z.enum([
  "renewable_energy",
  "cookstove",
  "afolu_redd",
  "afolu_arr",
  "afolu_ifm",
  "agriculture",
  "methane",
  "industrial_gas",
  "energy_efficiency",
  "carbon_removal_technical",
  "ccs",
  "compliance_target",
  "other",
]);

/** The facts about a project that rules read: methodology and version, activity, size, where, what kind of unit. */
export const projectSchema = z.object({
  registry: registrySchema,
  projectId: z.string().min(1),
  name: z.string().min(1),
  programme: programmeSchema,
  country: z.string().length(2),
  methodology: z.object({ id: z.string().min(1), version: z.string().min(1) }).optional(),
  /** Verra sectoral scope (16 is CCS), as printed. */
  sectoralScope: z.string().optional(),
  activity: activitySchema,
  /** Installed capacity, for renewable-energy exclusions (Verra's 15 MW CORSIA cut-off). */
  capacityMw: decimalString.optional(),
  mitigation: z.enum(["avoidance", "removal", "mixed", "not_applicable"]),
  creditingPeriodStart: isoDate.optional(),
  /** CCTS only: compliance-mechanism certificate (issued against an entity's target) or offset mechanism. */
  cctsMechanism: z.enum(["compliance", "offset"]).optional(),
  demo: z.boolean().optional(),
  ...cited,
});
export type ProjectFacts = z.output<typeof projectSchema>;

const base = { subject: subjectSchema, ...cited };

export const registryStatusSignal = z.object({
  kind: z.literal("registry_status"),
  ...base,
  /** Exactly as the registry prints it: `On Hold`, `Rejected by Administrator`, `GOLD_STANDARD_CERTIFIED_PROJECT`. */
  status: z.string().min(1),
});

export const reviewNoticeSignal = z.object({
  kind: z.literal("review_notice"),
  ...base,
  reference: z.string().min(1),
  title: z.string().min(1),
  state: z.enum(["open", "closed"]),
  opened: isoDate,
  closed: isoDate.optional(),
  url: z.string().url().optional(),
});

/** A CCP label the registry itself put on the units (Verra applies them where the data exist). */
export const ccpLabelSignal = z.object({ kind: z.literal("ccp_label"), ...base, labelled: z.boolean() });

export const corsiaLabelSignal = z.object({
  kind: z.literal("corsia_label"),
  ...base,
  phase: z.enum(["pilot", "first"]),
  /** The registry's wording, e.g. `CORSIA – First Phase, 2024–2026 Eligible`. */
  label: z.string().min(1),
  /** `scope`: in scope but not yet eligible (Verra's "Scope" labels); `eligible`: usable. */
  state: z.enum(["scope", "eligible", "removed"]),
});

export const certificationSignal = z.object({
  kind: z.literal("certification"),
  ...base,
  label: z.string().min(1),
  level: z.string().optional(),
  verifiedPeriod: z.object({ start: isoDate, end: isoDate }).optional(),
});

export const authorisedUseSchema = z.enum(["ndc", "international_mitigation_purposes", "other_purposes"]);

export const article6Signal = z.object({
  kind: z.literal("article6"),
  ...base,
  state: z.enum(["authorised", "not_authorised", "revoked"]),
  hostParty: z.string().length(2),
  /** The host country's letter of authorisation (LoA) reference. */
  authorisationId: z.string().min(1).optional(),
  authorisedUses: z.array(authorisedUseSchema),
  authorisedAt: isoDate.optional(),
  firstTransferAt: isoDate.optional(),
  correspondingAdjustment: z.enum(["not_applicable", "pending", "applied", "reversed"]),
  /** Verra's alternative to a completed CA for CORSIA labels: a signed CORSIA Accounting Representation plus insurance. */
  caCover: z.enum(["none", "accounting_representation_and_insurance"]).optional(),
});

export const bufferSignal = z.object({
  kind: z.literal("buffer_contribution"),
  ...base,
  pool: z.string().min(1),
  percent: decimalString,
  units: decimalString.optional(),
});

export const reversalSignal = z.object({
  kind: z.literal("reversal_event"),
  ...base,
  eventId: z.string().min(1),
  occurred: isoDate,
  type: z.enum(["avoidable", "unavoidable", "unknown"]),
  unitsLost: decimalString.optional(),
  state: z.enum(["reported", "under_review", "compensated"]),
});

export const ratingAgencySchema = z.enum(["BeZero", "Sylvera", "Calyx", "MSCI"]);

/** Entered by a holder of a rating licence; the platform ships none (no scraped or unlicensed rating data). */
export const ratingSignal = z.object({
  kind: z.literal("rating"),
  ...base,
  agency: ratingAgencySchema,
  /** Scale id of signals/ratings.ts, e.g. `bezero-2023`, `calyx-ghg-legacy`. */
  scale: z.string().min(1),
  grade: z.string().min(1),
  ratedAt: isoDate,
  licence: z.object({ holder: z.string().min(1), reference: z.string().min(1) }),
  enteredBy: z.string().min(1),
});

/** Monitoring-report facts of one issuance, checked against the conditions of a conditional CCP approval. */
export const monitoringSignal = z.object({
  kind: z.literal("monitoring"),
  ...base,
  monitoringPeriod: z.object({ start: isoDate, end: isoDate }),
  /** Fact name to value: dates and numbers as strings, flags as booleans. */
  facts: z.record(z.string(), z.union([z.string(), z.boolean()])),
});

export const signalSchema = z.discriminatedUnion("kind", [
  registryStatusSignal,
  reviewNoticeSignal,
  ccpLabelSignal,
  corsiaLabelSignal,
  certificationSignal,
  article6Signal,
  bufferSignal,
  reversalSignal,
  ratingSignal,
  monitoringSignal,
]);
export type Signal = z.output<typeof signalSchema>;
export type SignalKind = Signal["kind"];
export type SignalOf<K extends SignalKind> = Extract<Signal, { kind: K }>;

export const signalsFileSchema = z.object({
  ...fileHeader("carbon-custody/claims-signals"),
  /** True for the embedded demo: the facts describe simulated projects, not the real projects with those ids. */
  demo: z.boolean(),
  projects: z.array(projectSchema),
  signals: z.array(signalSchema),
});
export type SignalsFile = z.output<typeof signalsFileSchema>;
