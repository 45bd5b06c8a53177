import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import type { Readiness, ReadinessCheck } from "../../readiness";

const checkBody = z.object({
  name: z.string(),
  ok: z.boolean(),
  durationMs: z.number(),
  detail: z.string().optional(),
});

const readyBody = z.object({
  status: z.enum(["ready", "not_ready"]),
  failing: z.array(z.string()).describe("Names of the failing checks"),
  checks: z.array(checkBody),
});

export type HealthRoutesOptions = { pool: Pool; readiness: Readiness };

/** The API's own dependency; other components add theirs to `ctx.readiness`. */
function databaseCheck(pool: Pool): ReadinessCheck {
  return async () => {
    await pool.query("SELECT 1");
  };
}

/** Liveness (the process answers) and readiness (the database and every registered check pass). */
const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, options) => {
  app.get(
    "/health/live",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness: 200 while the process runs",
        response: { 200: z.object({ status: z.literal("ok") }) },
      },
      logLevel: "warn",
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/health/ready",
    {
      schema: {
        tags: ["health"],
        summary: "Readiness: 200 when every check passes, 503 naming each failing check",
        response: { 200: readyBody, 503: readyBody },
      },
      logLevel: "warn",
    },
    async (request, reply) => {
      const report = await options.readiness.run({ database: databaseCheck(options.pool) });
      const failing = report.checks.filter((check) => !check.ok);
      for (const check of failing) {
        request.log.warn({ check: check.name, detail: check.detail, err: check.error }, "readiness check failed");
      }
      const checks = report.checks.map(({ name, ok, durationMs, detail }) => ({
        name,
        ok,
        durationMs,
        ...(detail === undefined ? {} : { detail }),
      }));
      return reply.code(report.ready ? 200 : 503).send({
        status: report.ready ? "ready" : "not_ready",
        failing: failing.map((check) => check.name),
        checks,
      });
    },
  );
};

export default healthRoutes;
