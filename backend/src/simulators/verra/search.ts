import { z } from "zod";
import { SimError } from "../core/types";

/**
 * The S&P-style `publicReportPageSearch` contract, quirks included: `limit` above 400 fails, `start` is silently
 * capped at 10,000, rows come back in a stable order only when sorted by `entityId` (otherwise they are
 * shuffled per request, so paging loses rows), and unknown filters are silently ignored.
 */
export const VERRA_MAX_LIMIT = 400;
export const VERRA_MAX_START = 10_000;

const filterSchema = z.looseObject({
  filter: z.union([z.string(), z.number()]),
  type: z.string().optional(),
  filterType: z.string().optional(),
});

export const searchBodySchema = z.object({
  searchFilter: z.object({
    pagination: z.object({
      start: z.number().int().nonnegative().default(0),
      limit: z.number().int().positive().default(50),
      sortOptions: z.array(z.object({ sort: z.string(), dir: z.enum(["ASC", "DESC"]).default("ASC") })).default([]),
    }),
    filterModel: z.record(z.string(), filterSchema).default({}),
  }),
});

export type SearchBody = z.output<typeof searchBodySchema>;
export type Row = Record<string, unknown> & { entityId: number };

function matches(row: Row, field: string, filter: z.output<typeof filterSchema>): boolean {
  const value = row[field];
  const wanted = String(filter.filter);
  if (filter.type === "contains") return String(value ?? "").includes(wanted);
  if (filter.type === "greaterThan") return Number(value) > Number(wanted);
  return String(value ?? "") === wanted;
}

/** Applies filters (known ones only), sort and pagination. Returns `{entities, totalEntities}`. */
export function searchRows(
  rows: Row[],
  body: unknown,
  knownFilters: readonly string[],
  ignoredFilters: ReadonlySet<string>,
): { entities: Row[]; totalEntities: number } {
  const { pagination, filterModel } = searchBodySchema.parse(body).searchFilter;
  if (pagination.limit > VERRA_MAX_LIMIT) {
    throw new SimError(400, "LIMIT_TOO_LARGE", `pagination.limit must not exceed ${VERRA_MAX_LIMIT}`);
  }
  let result = rows;
  for (const [field, filter] of Object.entries(filterModel)) {
    if (!knownFilters.includes(field) || ignoredFilters.has(field)) continue;
    result = result.filter((row) => matches(row, field, filter));
  }
  const sort = pagination.sortOptions[0];
  if (sort?.sort === "entityId") {
    const sign = sort.dir === "DESC" ? -1 : 1;
    result = [...result].sort((a, b) => sign * (a.entityId - b.entityId));
  } else {
    result = [...result].sort(() => Math.random() - 0.5);
  }
  const start = Math.min(pagination.start, VERRA_MAX_START);
  return { entities: result.slice(start, start + pagination.limit), totalEntities: result.length };
}
