import { z } from "zod";
import { REGISTRY_NAMES, type RegistryName } from "./ids";

/**
 * The canonical model of REGISTRIES.md: every adapter maps its registry's native records into these shapes.
 * Quantities and unit numbers are bigint; the schemas also accept decimal strings (as they come back from JSON).
 */

/** A non-negative integer as bigint, accepted as a bigint or a decimal string, never as a JS number. */
export const decimalBigintSchema = z.union([
  z.bigint().nonnegative(),
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer")
    .transform((text) => BigInt(text)),
]);

export const registryNameSchema = z.enum(REGISTRY_NAMES as [RegistryName, ...RegistryName[]]);
export const isoDateSchema = z.iso.date();

export const unitTypeSchema = z.enum(["VCU", "VER", "I-REC(E)", "CCC", "UKA"]);
export const unitMetricSchema = z.enum(["tCO2e", "MWh"]);
export const blockStatusSchema = z.enum([
  "ACTIVE",
  "IMMOBILIZED",
  "PENDING_TRANSFER",
  "RETIRED",
  "CANCELLED",
  "ON_HOLD",
  "EXPIRED",
  "BUFFER",
]);

export const retirementSchema = z.object({
  beneficiary: z.string().optional(),
  reason: z.string().optional(),
  details: z.string().optional(),
  periodStart: isoDateSchema.optional(),
  periodEnd: isoDateSchema.optional(),
  /** The platform's idempotency key, as stored in the registry's memo/remarks field. */
  memo: z.string().optional(),
});

export const creditBlockSchema = z
  .object({
    registry: registryNameSchema,
    registryRecordId: z.string().min(1),
    serial: z.string().min(1),
    serialPrefix: z.string().min(1),
    /** Absent where the registry does not expose unit numbers (I-REC items, range-less Gold Standard serials). */
    blockStart: decimalBigintSchema.optional(),
    blockEnd: decimalBigintSchema.optional(),
    quantity: decimalBigintSchema,
    unitType: unitTypeSchema,
    unitMetric: unitMetricSchema,
    projectId: z.string().min(1),
    issuanceBatch: z.string().optional(),
    vintageStart: isoDateSchema.optional(),
    vintageEnd: isoDateSchema.optional(),
    country: z.string().length(2).optional(),
    status: blockStatusSchema,
    nativeStatus: z.string(),
    holderAccount: z.string().optional(),
    retirement: retirementSchema.optional(),
    labels: z.array(z.string()),
    /** registryRecordId of the block this one was split from. */
    parentBlock: z.string().optional(),
    sourcePayload: z.unknown(),
  })
  .refine(
    (block) =>
      block.blockStart === undefined ||
      block.blockEnd === undefined ||
      block.blockEnd - block.blockStart + 1n === block.quantity,
    { message: "quantity must equal blockEnd - blockStart + 1", path: ["quantity"] },
  );

export const projectSchema = z.object({
  registry: registryNameSchema,
  projectId: z.string().min(1),
  name: z.string(),
  country: z.string().length(2).optional(),
  methodology: z.string().optional(),
  status: z.string().optional(),
  sourcePayload: z.unknown(),
});

export const accountSchema = z.object({
  registry: registryNameSchema,
  accountId: z.string().min(1),
  name: z.string().optional(),
  /** Native account type, e.g. I-REC `Issue | Redemption | Trade`. */
  accountType: z.string().optional(),
  sourcePayload: z.unknown(),
});

export const operationKindSchema = z.enum(["TRANSFER", "IMMOBILIZE", "RETIRE", "REDEEM"]);
export const operationStatusSchema = z.enum(["PENDING", "CONFIRMED", "REJECTED"]);

/** An instruction the platform sent to a registry (transfer, immobilization, retirement, redemption). */
export const registryOperationSchema = z.object({
  registry: registryNameSchema,
  operationId: z.string().min(1),
  kind: operationKindSchema,
  status: operationStatusSchema,
  memo: z.string(),
  quantity: decimalBigintSchema,
  fromAccount: z.string().optional(),
  toAccount: z.string().optional(),
  /** The block the instruction named. */
  sourceRecordId: z.string().optional(),
  /** Blocks holding the units once confirmed (for a partial retirement: the retired child). */
  resultRecordIds: z.array(z.string()),
  retirement: retirementSchema.optional(),
  rejectionReason: z.string().optional(),
  sourcePayload: z.unknown(),
});

export const transferSchema = registryOperationSchema.extend({ kind: z.literal("TRANSFER") });
export const retirementOperationSchema = registryOperationSchema.extend({
  kind: z.enum(["RETIRE", "REDEEM"]),
  retirement: retirementSchema,
});

/** A state change seen by polling or by webhook. */
export const registryChangeSchema = z.object({
  registry: registryNameSchema,
  eventId: z.string(),
  sequence: decimalBigintSchema,
  type: z.string(),
  occurredAt: z.string(),
  operationId: z.string().optional(),
  memo: z.string().optional(),
  recordIds: z.array(z.string()),
  sourcePayload: z.unknown(),
});

export type CreditBlock = z.output<typeof creditBlockSchema>;
export type Project = z.output<typeof projectSchema>;
export type Account = z.output<typeof accountSchema>;
export type Retirement = z.output<typeof retirementSchema>;
export type RegistryOperation = z.output<typeof registryOperationSchema>;
export type Transfer = z.output<typeof transferSchema>;
export type RetirementOperation = z.output<typeof retirementOperationSchema>;
export type RegistryChange = z.output<typeof registryChangeSchema>;
export type BlockStatus = z.output<typeof blockStatusSchema>;
export type UnitType = z.output<typeof unitTypeSchema>;
