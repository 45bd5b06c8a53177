/**
 * Sector equivalent-product plugins: `(outputs[], conversionFactors) → equivalent tonnes`, the denominator of GEI.
 *
 *   P_eq [t] = Σ_p Q_p × f_p
 *
 * with Q_p the plant's output of product p (t) and f_p the conversion factor of p for the sector, taken from the
 * caller's `conversionFactors` (the plant's verified, plant-specific figures: e.g. cement's clinker-factor ratios)
 * or, when not given, from the notification's table (`backend/data/ccts/equivalent-product.json`). Only reference
 * products (f = 1) and plain unit conversions are in that table: every other factor is a placeholder (null) there,
 * and an output of such a product without a caller factor is a ValidationError naming it. The record lists each
 * factor with where it came from (`notification` or `caller`).
 */
import { z } from "zod";
import { ValidationError } from "../errors";
import { type CalculationRecord, type DecimalInput, Decimal, RecordBuilder, decimalString, parseNonNegative } from "../mrv";
import data from "../../data/ccts/equivalent-product.json";

export const CCTS_SECTORS = ["aluminium", "cement", "chlor_alkali", "pulp_paper"] as const;
export type CctsSector = (typeof CCTS_SECTORS)[number];

const productSchema = z.object({
  factor: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .nullable(),
  status: z.enum(["definition", "placeholder"]),
  note: z.string(),
});
const fileSchema = z.object({
  description: z.string(),
  notifications: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      validFrom: z.string(),
      sectors: z.record(z.string(), z.object({ note: z.string(), products: z.record(z.string(), productSchema) })),
    }),
  ),
});
const TABLES = fileSchema.parse(data);

export type SectorOutput = { product: string; quantityT: DecimalInput };

export type EquivalentProductPlugin = {
  sector: CctsSector;
  products: readonly string[];
  compute(
    outputs: readonly SectorOutput[],
    conversionFactors?: { [product: string]: DecimalInput },
    notification?: string,
  ): CalculationRecord;
};

function plugin(sector: CctsSector): EquivalentProductPlugin {
  const tableFor = (notification: string) => {
    const n = TABLES.notifications.find((x) => x.id === notification);
    if (n === undefined) throw new ValidationError("notification", `unknown notification ${JSON.stringify(notification)}`);
    const table = n.sectors[sector];
    if (table === undefined) throw new ValidationError("sector", `notification ${notification} has no ${sector} table`);
    return table;
  };
  const latest = TABLES.notifications[TABLES.notifications.length - 1]?.id ?? "";
  return {
    sector,
    products: Object.keys(tableFor(latest).products),
    compute(outputs, conversionFactors = {}, notification = latest) {
      const table = tableFor(notification);
      if (outputs.length === 0) throw new ValidationError("outputs", "must list at least one product");
      const b = new RecordBuilder("equivalent_product", "1", "P_eq[t] = Σ Q_p × f_p", {
        sector,
        notification,
        outputs: outputs.map((o, i) => ({
          product: o.product,
          quantityT: decimalString(parseNonNegative(`outputs.${i}.quantityT`, o.quantityT)),
        })),
        conversionFactors: Object.fromEntries(
          Object.entries(conversionFactors).map(([p, f]) => [p, decimalString(parseNonNegative(`conversionFactors.${p}`, f))]),
        ),
      });
      let total = new Decimal(0);
      outputs.forEach((o, i) => {
        const row = table.products[o.product];
        if (row === undefined) {
          throw new ValidationError(
            `outputs.${i}.product`,
            `unknown ${sector} product ${JSON.stringify(o.product)}; known: ${Object.keys(table.products).join(", ")}`,
          );
        }
        const given = conversionFactors[o.product];
        const factorText =
          given !== undefined ? decimalString(parseNonNegative(`conversionFactors.${o.product}`, given)) : row.factor;
        if (factorText === null) {
          throw new ValidationError(
            `conversionFactors.${o.product}`,
            `required: the ${sector} factor for ${o.product} is not public (placeholder in ${notification})`,
          );
        }
        b.factor(`f.${o.product}`, {
          id: given !== undefined ? `caller.${sector}.${o.product}` : `${notification}.${sector}.${o.product}`,
          version: notification,
          value: factorText,
          unit: "t/t",
          status: given !== undefined ? "unconfirmed" : "confirmed",
        });
        const q = parseNonNegative(`outputs.${i}.quantityT`, o.quantityT);
        total = total.plus(b.step(`${o.product}.equivalentT`, `Q_${o.product} × f_${o.product}`, q.times(factorText), "t"));
      });
      b.step("equivalentOutputT", "Σ", total, "t");
      return b.seal({ equivalentOutputT: { value: total, unit: "t" } });
    },
  };
}

export const EQUIVALENT_PRODUCT_PLUGINS: { readonly [S in CctsSector]: EquivalentProductPlugin } = {
  aluminium: plugin("aluminium"),
  cement: plugin("cement"),
  chlor_alkali: plugin("chlor_alkali"),
  pulp_paper: plugin("pulp_paper"),
};

export function equivalentProductPlugin(sector: unknown): EquivalentProductPlugin {
  if (typeof sector !== "string" || !(CCTS_SECTORS as readonly string[]).includes(sector)) {
    throw new ValidationError("sector", `unknown CCTS sector ${JSON.stringify(sector)}; known: ${CCTS_SECTORS.join(", ")}`);
  }
  return EQUIVALENT_PRODUCT_PLUGINS[sector as CctsSector];
}
