/**
 * The emission factor library: versioned rows loaded from `backend/data/factors/*.json` and checked on load.
 *
 * Every row has an id, a kind, a value as a decimal string, a unit (`num/den` for ratios such as `kg/TJ`), a
 * version, a valid-from date, the source (document, table, row, page, url) and a `check` saying whether the value
 * was confirmed against a public copy of the table (`confirmed`), is still to be confirmed (`unconfirmed`), was
 * computed from other rows (`derived`) or stands in for a figure that is not public (`placeholder`). docs/mrv.md
 * lists which is which. A calculation records the id, version and value of every row it used (lineage.ts), so a
 * later edit of the data files cannot silently change an old result: recomputing shows the difference.
 *
 * Selection rules:
 * - IPCC rows by fuel id (snake-case IPCC name), gas and combustion category (`energy` = Table 2.2, energy
 *   industries; `manufacturing` = Table 2.3, manufacturing industries and construction), version `2006`.
 * - CEA grid rows by variant and version. With no version named, the version in force for a period is the newest
 *   one whose validFrom (publication) is on or before the period's last day: the newest factor available when the
 *   period's figures are reported. A period ending before the oldest shipped version is an error that asks for an
 *   explicit version rather than borrowing a later one.
 * - GWP rows by set (SAR, AR4, AR5, AR6) and gas.
 */
import { z } from "zod";
import { ValidationError } from "../../errors";
import { Decimal } from "../decimal";
import ceaData from "../../../data/factors/cea-co2-baseline.json";
import gwpData from "../../../data/factors/gwp.json";
import ipccData from "../../../data/factors/ipcc-2006-v2.json";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const rowSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(["ncv", "carbon_content", "emission_factor", "grid_emission_factor", "gwp"]),
  value: z.string().regex(/^\d+(\.\d+)?$/),
  unit: z.string().min(1),
  version: z.string().min(1),
  validFrom: isoDate,
  fuel: z.string().optional(),
  gas: z.string().optional(),
  category: z.enum(["energy", "manufacturing"]).optional(),
  variant: z.string().optional(),
  set: z.string().optional(),
  dataYear: z.string().optional(),
  source: z.object({
    document: z.string().min(1),
    table: z.string().optional(),
    row: z.string().optional(),
    page: z.string().optional(),
    url: z.string().optional(),
  }),
  check: z.object({ status: z.enum(["confirmed", "unconfirmed", "derived", "placeholder"]), note: z.string().min(1) }),
});
const fileSchema = z.object({ library: z.string(), description: z.string(), rows: z.array(rowSchema).min(1) });

export type FactorRow = z.infer<typeof rowSchema>;
export type CombustionCategory = "energy" | "manufacturing";
export type GridVariant =
  "weighted_average" | "operating_margin" | "build_margin" | "combined_margin" | "combined_margin_wind_solar";
export const GRID_VARIANTS: readonly GridVariant[] = [
  "weighted_average",
  "operating_margin",
  "build_margin",
  "combined_margin",
  "combined_margin_wind_solar",
];

/** A loaded, indexed library. `loadFactorLibrary` builds one from any rows (tests add versions this way). */
export type FactorLibrary = {
  readonly rows: readonly FactorRow[];
  byId(id: string): FactorRow | undefined;
};

export function loadFactorLibrary(files: readonly unknown[]): FactorLibrary {
  const rows: FactorRow[] = [];
  const index = new Map<string, FactorRow>();
  for (const file of files) {
    const parsed = fileSchema.parse(file);
    for (const row of parsed.rows) {
      if (index.has(row.id)) throw new Error(`factor library: duplicate row id ${row.id}`);
      index.set(row.id, row);
      rows.push(row);
    }
  }
  return { rows, byId: (id) => index.get(id) };
}

/** The library shipped in backend/data/factors (loaded once). */
export const FACTORS: FactorLibrary = loadFactorLibrary([ipccData, ceaData, gwpData]);

/** The value of a row as a Decimal. */
export function factorValue(row: FactorRow): Decimal {
  return new Decimal(row.value);
}

/** `"kg/TJ"` → `["kg", "TJ"]`; a unit without `/` is `[unit, undefined]`. */
export function splitRatioUnit(unit: string): [string, string | undefined] {
  const slash = unit.indexOf("/");
  return slash < 0 ? [unit, undefined] : [unit.slice(0, slash), unit.slice(slash + 1)];
}

type Indexes = {
  fuel: Map<string, FactorRow>;
  gwp: Map<string, Map<string, FactorRow>>;
  grid: Map<string, FactorRow>;
  versions: { version: string; validFrom: string; dataYear: string | undefined }[];
};
const INDEXES = new WeakMap<FactorLibrary, Indexes>();

/** Lookup maps of a library, built on first use (calculators run per plant and per reading batch). */
function indexes(library: FactorLibrary): Indexes {
  let ix = INDEXES.get(library);
  if (ix !== undefined) return ix;
  ix = { fuel: new Map(), gwp: new Map(), grid: new Map(), versions: [] };
  const versions = new Map<string, { version: string; validFrom: string; dataYear: string | undefined }>();
  for (const r of library.rows) {
    if (r.fuel !== undefined) ix.fuel.set(`${r.fuel}|${r.version}|${r.kind}|${r.gas ?? ""}|${r.category ?? ""}`, r);
    if (r.kind === "gwp") {
      const set = ix.gwp.get(r.set as string) ?? new Map<string, FactorRow>();
      set.set(r.gas as string, r);
      ix.gwp.set(r.set as string, set);
    }
    if (r.kind === "grid_emission_factor") {
      ix.grid.set(`${r.version}|${r.variant}`, r);
      if (!versions.has(r.version)) versions.set(r.version, { version: r.version, validFrom: r.validFrom, dataYear: r.dataYear });
    }
  }
  ix.versions = [...versions.values()].sort((a, b) => (a.validFrom < b.validFrom ? -1 : 1));
  INDEXES.set(library, ix);
  return ix;
}

/** The fuel ids the library has IPCC factors for, sorted. */
export function ipccFuels(library: FactorLibrary = FACTORS): string[] {
  return [...new Set(library.rows.filter((r) => r.kind === "ncv").map((r) => r.fuel as string))].sort();
}

export type FuelFactors = { ncv: FactorRow; co2: FactorRow; ch4: FactorRow; n2o: FactorRow };

/** NCV and CO2/CH4/N2O factors for `fuel` in `category`; ValidationError naming `field` for an unknown fuel. */
export function fuelFactors(
  field: string,
  fuel: unknown,
  category: CombustionCategory,
  options: { version?: string; library?: FactorLibrary } = {},
): FuelFactors {
  const library = options.library ?? FACTORS;
  const version = options.version ?? "2006";
  const ix = indexes(library).fuel;
  const ncv = typeof fuel === "string" ? ix.get(`${fuel}|${version}|ncv||`) : undefined;
  if (typeof fuel !== "string" || ncv === undefined) {
    throw new ValidationError(
      field,
      `unknown fuel ${JSON.stringify(fuel)} (IPCC ${version}); known: ${ipccFuels(library).join(", ")}`,
    );
  }
  const co2 = ix.get(`${fuel}|${version}|emission_factor|CO2|`);
  const ch4 = ix.get(`${fuel}|${version}|emission_factor|CH4|${category}`);
  const n2o = ix.get(`${fuel}|${version}|emission_factor|N2O|${category}`);
  if (co2 === undefined || ch4 === undefined || n2o === undefined) {
    throw new ValidationError(field, `fuel ${fuel} has no complete factor set for category ${category} (IPCC ${version})`);
  }
  return { ncv, co2, ch4, n2o };
}

/** The GWP rows of a set, by gas; ValidationError naming `field` for an unknown set. */
export function gwpSet(field: string, set: unknown, library: FactorLibrary = FACTORS): Map<string, FactorRow> {
  const sets = indexes(library).gwp;
  const rows = typeof set === "string" ? sets.get(set) : undefined;
  if (rows === undefined)
    throw new ValidationError(field, `unknown GWP set ${JSON.stringify(set)}; known: ${[...sets.keys()].join(", ")}`);
  return rows;
}

/** The CEA versions shipped, oldest first (by validFrom). */
export function gridVersions(
  library: FactorLibrary = FACTORS,
): { version: string; validFrom: string; dataYear: string | undefined }[] {
  return indexes(library).versions;
}

/** The CEA version in force for a period ending on `periodEnd` (YYYY-MM-DD): see the module doc. */
export function gridVersionInForce(field: string, periodEnd: string, library: FactorLibrary = FACTORS): string {
  const candidates = gridVersions(library).filter((v) => v.validFrom <= periodEnd);
  const last = candidates[candidates.length - 1];
  if (last === undefined) {
    const oldest = gridVersions(library)[0];
    throw new ValidationError(
      field,
      `no CEA grid factor version was published by ${periodEnd} (oldest shipped: ${oldest?.version} from ` +
        `${oldest?.validFrom}); name the version explicitly`,
    );
  }
  return last.version;
}

/** One CEA grid factor row by version and variant; ValidationError naming `field` when there is none. */
export function gridFactor(field: string, version: unknown, variant: GridVariant, library: FactorLibrary = FACTORS): FactorRow {
  const row = indexes(library).grid.get(`${String(version)}|${variant}`);
  if (row === undefined) {
    const known = gridVersions(library)
      .map((v) => v.version)
      .join(", ");
    throw new ValidationError(field, `no CEA grid factor ${variant} for version ${JSON.stringify(version)}; versions: ${known}`);
  }
  return row;
}
