/**
 * The registry job queue for operators: every job with its attempts and last error, the counts per registry,
 * kind and state, and the one operator action on it: re-driving a dead letter (after fixing what killed it). A
 * re-driven job runs again under the same idempotency key, so the worker's memo lookup still guarantees one
 * registry instruction.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import { JOB_STATES, type Job, countJobs, getJob, listJobs, redriveJob } from "../../queue";
import {
  CURSOR_DECIMAL,
  authErrors,
  decodeCursor,
  errors,
  iso,
  notFound,
  page,
  pageQuery,
  replyError,
  text,
  timestamp,
  toPage,
} from "../http";
import { requireOperator } from "../plugins/app/auth";
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

function jobView(job: Job): z.infer<typeof jobBody> {
  return {
    id: job.id,
    kind: job.kind,
    key: job.key,
    registry: job.registry,
    payload: job.payload,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    runAt: job.runAt.toISOString(),
    lastError: job.lastError,
    lastErrorCode: job.lastErrorCode,
    redrivenBy: job.redrivenBy,
    redrivenAt: iso(job.redrivenAt),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: iso(job.finishedAt),
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
        querystring: pageQuery.extend({
          state: state.optional(),
          kind: text().max(64).optional(),
          registry: text().max(64).optional(),
        }),
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
      const row = await getJob(pool, request.params.id);
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
      const before = await getJob(pool, id);
      if (before === undefined) return replyError(reply, 404, "not_found", `Job ${id} not found`);
      if (before.state !== "dead") {
        return replyError(reply, 409, "conflict", `Job ${id} is ${before.state}; only dead letters can be re-driven`);
      }
      const principal = request.principal;
      const operator = principal?.kind === "operator" ? `${principal.name} (key ${principal.keyId})` : "unknown";
      try {
        return jobView(await redriveJob(pool, id, operator));
      } catch (error) {
        // Another operator (or a concurrent call) re-drove it between the read and the update.
        if ((error as { code?: string }).code === "QUEUE_NOT_DEAD") {
          return replyError(reply, 409, "conflict", `Job ${id} is no longer a dead letter`);
        }
        throw error;
      }
    },
  );
};

export default jobRoutes;
