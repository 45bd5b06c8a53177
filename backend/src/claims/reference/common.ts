import { z } from "zod";

/** Shapes shared by every reference-data file (backend/data/claims/*.json). */

export const isoDate = z.iso.date();
/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: sources often give only a month. */
export const partialDate = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, "expected YYYY, YYYY-MM or YYYY-MM-DD");
/** A non-negative decimal, never a JSON number (amounts, shares, capacities). */
export const decimalString = z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/, "expected a non-negative decimal string like 15 or 12.5");

/** Every entry cites at least one source of the catalogue (sources.json) by id. */
export const sourceIds = z.array(z.string().min(1)).min(1, "every entry cites at least one source");

/** The fields that make an entry cited: its sources and the date the facts were true or last checked. */
export const cited = {
  sources: sourceIds,
  asOf: isoDate,
  note: z.string().optional(),
};

export const sourceSchema = z.object({
  title: z.string().min(1),
  /** A public address, or `repo:<path>` for something in this repository (the simulators, platform policy). */
  url: z.string().regex(/^(https?:\/\/\S+|repo:\S+)$/, "expected an http(s) URL or repo:<path>"),
  publisher: z.string().optional(),
  published: partialDate.optional(),
  /**
   * primary: the rule-maker's own text; secondary: a third party's summary (weaker: said so in docs);
   * platform: this platform's own policy; demo: simulated data, true of nothing outside the demo.
   */
  kind: z.enum(["primary", "secondary", "platform", "demo"]),
  /** What the source does not confirm, when something built on it is uncertain. */
  unconfirmed: z.string().optional(),
});

export type Source = z.output<typeof sourceSchema>;

/** A source as shown next to a reason or in a statement. */
export type Citation = { id: string; title: string; url: string; kind: Source["kind"] };

/** The header every file starts with; `formatVersion` changes only when the shape changes. */
export function fileHeader<F extends string>(format: F) {
  return {
    format: z.literal(format),
    formatVersion: z.literal(1),
    /** When the operator last revised the file's content (not its shape). */
    dataVersion: isoDate,
    description: z.string().optional(),
  };
}

export { registryNameSchema as registrySchema } from "../../registries/model";

/** Programme ids as ICVCM and ICAO name them (the registry is the programme's registry). */
export const programmeSchema = z.enum(["VCS", "GS", "ACR", "CAR", "ART", "ISOMETRIC", "ERS", "GCC", "CDM", "I-REC", "CCTS"]);
export type Programme = z.output<typeof programmeSchema>;
