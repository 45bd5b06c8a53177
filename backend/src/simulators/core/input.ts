import { z } from "zod";
import { decimalBigintSchema } from "../../registries/model";

/** A unit count as native APIs send it: a safe JSON integer or a decimal string. */
export const quantityInputSchema = z.union([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER).transform((value) => BigInt(value)),
  decimalBigintSchema,
]);
