import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import {
  CURSOR_DECIMAL,
  authErrors,
  decodeCursor,
  errors,
  iso,
  page,
  pageQuery,
  timestamp,
  toPage,
  uint256,
  uint256Param,
} from "../http";
import { requireOperator } from "../plugins/app/auth";
import { type DiscrepancyRow, type RunRow, listDiscrepancies, listRuns } from "../queries/reconciliation";

const runBody = z.object({
  id: z.string(),
  status: z.enum(["running", "clean", "discrepancies", "failed"]),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  checkpointBlock: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
});

const discrepancyClass = z.enum(["ghost_credit", "shortfall", "pending_lag", "status_mismatch", "index_drift"]);

const discrepancyBody = z.object({
  id: z.string(),
  runId: z.string(),
  class: discrepancyClass,
  registryId: z.string().nullable(),
  batchId: uint256.nullable(),
  expected: uint256.nullable(),
  actual: uint256.nullable(),
  details: z.record(z.string(), z.unknown()),
  detectedAt: timestamp,
  resolvedAt: timestamp.nullable(),
});

function runView(row: RunRow): z.infer<typeof runBody> {
  return {
    id: row.id,
    status: row.status as z.infer<typeof runBody>["status"],
    startedAt: row.started_at.toISOString(),
    finishedAt: iso(row.finished_at),
    checkpointBlock: row.checkpoint_block,
    summary: row.summary,
    error: row.error,
  };
}

function discrepancyView(row: DiscrepancyRow): z.infer<typeof discrepancyBody> {
  return {
    id: row.id,
    runId: row.run_id,
    class: row.class as z.infer<typeof discrepancyClass>,
    registryId: row.registry_id,
    batchId: row.batch_id,
    expected: row.expected,
    actual: row.actual,
    details: row.details,
    detectedAt: row.detected_at.toISOString(),
    resolvedAt: iso(row.resolved_at),
  };
}

/** Operator keys need this scope (or `*`) to read reconciliation results. */
export const RECONCILIATION_SCOPE = "reconciliation:read";

/** Reconciliation runs and discrepancies, for operators (X-Api-Key). Empty until the engine writes them. */
const reconciliationRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  const guard = requireOperator(pool, RECONCILIATION_SCOPE);

  app.get(
    "/reconciliation/runs",
    {
      schema: {
        tags: ["reconciliation"],
        summary: "Reconciliation runs, newest first (operator key with scope reconciliation:read)",
        querystring: pageQuery,
        response: { 200: page(runBody), ...authErrors, ...errors },
      },
      preHandler: guard,
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listRuns(pool, { before: decodeCursor(cursor, [CURSOR_DECIMAL])?.[0], limit });
      return toPage(rows, limit, runView, (row) => [row.id]);
    },
  );

  app.get(
    "/reconciliation/discrepancies",
    {
      schema: {
        tags: ["reconciliation"],
        summary: "Discrepancies found by reconciliation, newest first (operator key with scope reconciliation:read)",
        querystring: pageQuery.extend({
          runId: z.string().regex(/^\d{1,18}$/, "expected a run id").optional(),
          batchId: uint256Param.optional(),
          class: discrepancyClass.optional(),
          open: z.enum(["true", "false"]).optional().describe("true: unresolved only; false: resolved only"),
        }),
        response: { 200: page(discrepancyBody), ...authErrors, ...errors },
      },
      preHandler: guard,
    },
    async (request) => {
      const { limit, cursor, open, ...filters } = request.query;
      const rows = await listDiscrepancies(pool, {
        ...filters,
        open: open === undefined ? undefined : open === "true",
        before: decodeCursor(cursor, [CURSOR_DECIMAL])?.[0],
        limit,
      });
      return toPage(rows, limit, discrepancyView, (row) => [row.id]);
    },
  );
};

export default reconciliationRoutes;
