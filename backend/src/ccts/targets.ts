/**
 * Notified plant GEI targets (`backend/data/ccts/targets.json`), each row keyed by the notification that set it,
 * 4 decimals as notified. Only the Vedanta Jharsuguda row is transcribed (the first row of the 2025 schedule);
 * the storage stage loads the full schedule into the owning table.
 */
import { z } from "zod";
import { ValidationError } from "../errors";
import data from "../../data/ccts/targets.json";

const decimal4 = z.string().regex(/^\d+\.\d{4}$/);
const schema = z.object({
  description: z.string(),
  targets: z.array(
    z.object({
      notification: z.string(),
      entity: z.string(),
      plant: z.string(),
      sector: z.string(),
      subSector: z.string().optional(),
      baselineYear: z.string(),
      baselineOutputT: z.string().regex(/^\d+$/),
      baselineGei: decimal4,
      targets: z.record(z.string().regex(/^\d{4}-\d{2}$/), decimal4),
      source: z.string(),
    }),
  ),
});

export type PlantTarget = z.infer<typeof schema>["targets"][number];
export const PLANT_TARGETS: readonly PlantTarget[] = schema.parse(data).targets;

/** The target of `plant` of `entity` for `complianceYear`, as notified. */
export function targetFor(entity: string, plant: string, complianceYear: string): { row: PlantTarget; targetGei: string } {
  const row = PLANT_TARGETS.find((t) => t.entity === entity && t.plant === plant);
  if (row === undefined) throw new ValidationError("plant", `no notified target for ${entity} ${plant}`);
  const targetGei = row.targets[complianceYear];
  if (targetGei === undefined)
    throw new ValidationError("complianceYear", `no target of ${entity} ${plant} for ${complianceYear}`);
  return { row, targetGei };
}
