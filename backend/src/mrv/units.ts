/**
 * Units of measure for MRV quantities: mathjs unit algebra with BigNumber values, behind an allow-list.
 *
 * Why mathjs, and why an allow-list on top:
 * - mathjs does the dimension algebra and the conversion factors (kWh = 3.6 MJ, Gg = kt, l = 0.001 m3) so that
 *   nobody types a conversion constant by hand; with `number: "BigNumber"` the factors come out exact for every
 *   unit we accept (checked in the tests: MWh → GJ, kt → Gg, l → m3 ...).
 * - mathjs also knows units that would be dangerous to accept silently: `ton` is the US short ton (907.18 kg),
 *   `tonne`/`t` the metric one. A meter export saying `ton` must be refused, not converted. So only the units in
 *   `UNITS` below are accepted; everything else is a ValidationError naming the field.
 * - CO2-equivalent mass is its own dimension (`tCO2e`, `kgCO2e`, `MtCO2e`): a tonne of CH4 is not a tonne of CO2e,
 *   and only a GWP multiplies one into the other. Masses of individual gases stay plain mass (`t`, `kg`).
 *
 * Conversion factors are computed once per unit pair and cached as decimal.js values; converting a quantity is one
 * decimal multiplication. The VEE hot path does not convert at all (it compares unit strings, see vee/).
 */
import { all, create, type BigNumber, type FactoryFunctionMap, type Unit } from "mathjs";
import { ValidationError } from "../errors";
import { Decimal } from "./decimal";

export type Dimension = "energy" | "mass" | "volume" | "co2e";

/** Every unit the MRV core accepts, with its dimension. Spelling is exact (case-sensitive: `MWh`, not `mwh`). */
export const UNITS: Readonly<Record<string, Dimension>> = {
  J: "energy",
  kJ: "energy",
  MJ: "energy",
  GJ: "energy",
  TJ: "energy",
  PJ: "energy",
  Wh: "energy",
  kWh: "energy",
  MWh: "energy",
  GWh: "energy",
  TWh: "energy",
  g: "mass",
  kg: "mass",
  t: "mass",
  kt: "mass",
  Mt: "mass",
  Gg: "mass",
  m3: "volume",
  l: "volume",
  L: "volume",
  kl: "volume",
  kL: "volume",
  kgCO2e: "co2e",
  tCO2e: "co2e",
  ktCO2e: "co2e",
  MtCO2e: "co2e",
};

const math = create(all as FactoryFunctionMap, { number: "BigNumber", precision: 64 });
math.createUnit("tCO2e");
math.createUnit("kgCO2e", "0.001 tCO2e");
math.createUnit("ktCO2e", "1000 tCO2e");
math.createUnit("MtCO2e", "1000000 tCO2e");

const factorCache = new Map<string, Decimal>();

/** The dimension of `unit`; ValidationError naming `field` when the unit is not one we accept. */
export function dimensionOf(field: string, unit: unknown): Dimension {
  if (typeof unit !== "string" || !Object.hasOwn(UNITS, unit)) {
    throw new ValidationError(field, `unknown unit ${JSON.stringify(unit)}; accepted: ${Object.keys(UNITS).join(", ")}`);
  }
  return UNITS[unit] as Dimension;
}

/** True when `unit` is an accepted unit (no throw), for hot paths that flag instead of failing. */
export function isKnownUnit(unit: unknown): unit is string {
  return typeof unit === "string" && Object.hasOwn(UNITS, unit);
}

/**
 * The exact factor k with `1 from = k to`. Both units must be accepted and of one dimension; otherwise a
 * ValidationError naming `field` (`"fuels.0.unit: unit \"MWh\" is energy, expected mass"`).
 */
export function conversionFactor(field: string, from: string, to: string): Decimal {
  const fromDim = dimensionOf(field, from);
  const toDim = dimensionOf(field, to);
  if (fromDim !== toDim)
    throw new ValidationError(field, `unit ${JSON.stringify(from)} is ${fromDim}, expected ${toDim} (${to})`);
  const key = `${from}>${to}`;
  let factor = factorCache.get(key);
  if (factor === undefined) {
    const one = math.unit(math.bignumber(1), from) as Unit;
    const value = one.toNumeric(to) as unknown as BigNumber;
    factor = new Decimal(value.toString()).toSignificantDigits(50); // exact for our units except repeating ratios (TJ → MWh)
    factorCache.set(key, factor);
  }
  return factor;
}

/** `value` in `from` expressed in `to` (exact decimal multiplication). */
export function convert(field: string, value: Decimal, from: string, to: string): Decimal {
  return from === to ? (dimensionOf(field, from), value) : value.times(conversionFactor(field, from, to));
}

/** Requires `unit` to be of `dimension` (e.g. a fuel quantity must be mass, energy or volume). */
export function requireDimension(field: string, unit: unknown, allowed: readonly Dimension[]): Dimension {
  const dim = dimensionOf(field, unit);
  if (!allowed.includes(dim)) {
    throw new ValidationError(field, `unit ${JSON.stringify(unit)} is ${dim}, expected ${allowed.join(" or ")}`);
  }
  return dim;
}
