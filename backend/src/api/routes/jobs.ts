/**
 * The registry job queue for operators: every job with its attempts and last error, the counts per registry,
 * kind and state, and the one operator action on it: re-driving a dead letter (after fixing what killed it). A
 * re-driven job runs again under the same idempotency key, so the worker's memo lookup still guarantees one
 * registry instruction.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import { JOB_STATES, redriveJob } from "../../queue";
import { CURSOR_DECIMAL, authErrors, decodeCursor, errors, iso, notFound, page, pageQuery, replyError, timestamp, toPage } from "../http";
import { requireOperator } from "../plugins/app/auth";
import { type JobRow, countJobs, getJobRow, listJobs } from "../queries/jobs";
import { errorBody } from "../schemas";

/** Operator keys need this scope (or `*`) to read the queue. */
export const JOBS_READ_SCOPE = "jobs:read";
/** ... and this one to re-drive a dead letter. */
export const JOBS_REDRIVE_SCOPE = "jobs:redrive";

const state = z.enum(JOB_STATES);
const jobId = z.string().regex(/^[1-9]\d{0,17}$/, "expected a job id (a positive integer)");

const jobBody = z.object({
  id: z.string(),
  kind: z.string().describe("retire, withdraw, immobilize, ..."),
  key: z.string().describe("Idempotency key: the on-chain request id, or <kind>:<id>"),
  registry: z.string().nullable(),
  payload: z.unknown(),
  state,
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  runAt: timestamp.describe("When the job is due (next retry for a queued job)"),
  lastError: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  redrivenBy: z.string().nullable(),
  redrivenAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  finishedAt: timestamp.nullable(),
});

function jobView(row: JobRow): z.infer<typeof jobBody> {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    registry: row.registry,
    payload: row.payload,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at.toISOString(),
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    redrivenBy: row.redriven_by,
    redrivenAt: iso(row.redriven_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: iso(row.finished_at),
  };
}

const jobRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  const canRead = requireOperator(pool, JOBS_READ_SCOPE);

  app.get(
    "/jobs",
    {
      schema: {
        tags: ["jobs"],
        summary: "Registry jobs, newest first; state=dead lists the dead letters (scope jobs:read)",
        querystring: pageQuery.extend({ state: state.optional(), kind: z.string().max(64).optional(), registry: z.string().max(64).optional() }),
        response: { 200: page(jobBody), ...authErrors, ...errors },
      },
      preHandler: canRead,
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const rows = await listJobs(pool, { ...filters, before: decodeCursor(cursor, [CURSOR_DECIMAL])?.[0], limit });
      return toPage(rows, limit, jobView, (row) => [row.id]);
    },
  );

  app.get(
    "/jobs/counts",
    {
      schema: {
        tags: ["jobs"],
        summary: "Jobs per registry, kind and state (scope jobs:read)",
        response: {
          200: z.object({
            items: z.array(z.object({ registry: z.string().nullable(), kind: z.string(), state, count: z.number().int() })),
          }),
          ...authErrors,
          ...errors,
        },
      },
      preHandler: canRead,
    },
    async () => ({ items: await countJobs(pool) }),
  );

  app.get(
    "/jobs/:id",
    {
      schema: {
        tags: ["jobs"],
        summary: "One job with its attempts and last error (scope jobs:read)",
        params: z.object({ id: jobId }),
        response: { 200: jobBody, ...notFound, ...authErrors, ...errors },
      },
      preHandler: canRead,
    },
    async (request, reply) => {
      const row = await getJobRow(pool, request.params.id);
      if (row === undefined) return replyError(reply, 404, "not_found", `Job ${request.params.id} not found`);
      return jobView(row);
    },
  );

  app.post(
    "/jobs/:id/redrive",
    {
      schema: {
        tags: ["jobs"],
        summary: "Queue a dead letter again, attempts reset; recorded with the operator key's name (scope jobs:redrive)",
        params: z.object({ id: jobId }),
        response: {
          200: jobBody,
          409: errorBody.describe("The job is not a dead letter"),
          ...notFound,
          ...authErrors,
          ...errors,
        },
      },
      preHandler: requireOperator(pool, JOBS_REDRIVE_SCOPE),
    },
    async (request, reply) => {
      const { id } = request.params;
      const before = await getJobRow(pool, id);
      if (before === undefined) return replyError(reply, 404, "not_found", `Job ${id} not found`);
      if (before.state !== "dead") {
        return replyError(reply, 409, "conflict", `Job ${id} is ${before.state}; only dead letters can be re-driven`);
      }
      const principal = request.principal;
      const operator = principal?.kind === "operator" ? `${principal.name} (key ${principal.keyId})` : "unknown";
      try {
        await redriveJob(pool, id, operator);
      } catch (error) {
        // Another operator (or a concurrent call) re-drove it between the read and the update.
        if ((error as { code?: string }).code === "QUEUE_NOT_DEAD") {
          return replyError(reply, 409, "conflict", `Job ${id} is no longer a dead letter`);
        }
        throw error;
      }
      return jobView((await getJobRow(pool, id))!);
    },
  );
};

export default jobRoutes;
