import type { FastifyBaseLogger } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import type { Readiness, ReadinessCheck, ReadinessReport } from "../../readiness";

const dependencyBody = z.object({
  name: z.string().describe("The dependency, e.g. the registry VERRA"),
  state: z.string().describe("Its state as the check sees it, e.g. a circuit closed, half_open or open"),
  detail: z.string().optional().describe("What it last said while not healthy, e.g. the registry's maintenance text"),
});

const checkBody = z.object({
  name: z.string(),
  ok: z.boolean(),
  required: z.boolean().describe("False: a failure degrades the platform but leaves this process ready"),
  durationMs: z.number(),
  detail: z.string().optional(),
  dependencies: z.array(dependencyBody).optional(),
});

const failing = z.array(z.string()).describe("Names of the failing required checks");
const degraded = z.array(z.string()).describe("Names of the failing checks that are not required (dependency outages)");

const readyBody = z.object({ status: z.enum(["ready", "not_ready"]), failing, degraded, checks: z.array(checkBody) });
const healthBody = z.object({ status: z.enum(["ok", "degraded", "not_ready"]), failing, degraded, checks: z.array(checkBody) });

export type HealthRoutesOptions = { pool: Pool; readiness: Readiness };

/** The API's own dependency; other components add theirs to `ctx.readiness`. */
function databaseCheck(pool: Pool): ReadinessCheck {
  return async () => {
    await pool.query("SELECT 1");
  };
}

type HealthView = Omit<z.infer<typeof readyBody>, "status"> & { ready: boolean };

/** Runs every check, logs the failing ones (with the thrown error, which never reaches the client) and shapes the answer. */
async function healthView(options: HealthRoutesOptions, log: FastifyBaseLogger): Promise<HealthView> {
  const report: ReadinessReport = await options.readiness.run({ database: databaseCheck(options.pool) });
  const failed = report.checks.filter((check) => !check.ok);
  for (const check of failed) {
    const line = { check: check.name, detail: check.detail, err: check.error };
    if (check.required) log.warn(line, "readiness check failed");
    else log.warn(line, "dependency degraded");
  }
  return {
    ready: report.ready,
    failing: failed.filter((check) => check.required).map((check) => check.name),
    degraded: failed.filter((check) => !check.required).map((check) => check.name),
    checks: report.checks.map(({ name, ok, required, durationMs, detail, dependencies }) => ({
      name,
      ok,
      required,
      durationMs,
      ...(detail === undefined ? {} : { detail }),
      ...(dependencies === undefined ? {} : { dependencies }),
    })),
  };
}

/**
 * Liveness (the process answers), readiness (the database and every required check pass: this process can serve)
 * and `/health` (everything the checks know, including dependencies that are degraded, e.g. a registry in
 * maintenance). A registry outage never makes `/health/ready` fail: it is shown in `/health` and in the routes
 * that expose registry status, while everything else keeps serving (issue 12 §4.7).
 */
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
        summary: "Readiness: 200 when every required check passes (degraded dependencies named), 503 naming each failing one",
        response: { 200: readyBody, 503: readyBody },
      },
      logLevel: "warn",
    },
    async (request, reply) => {
      const { ready, ...view } = await healthView(options, request.log);
      return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", ...view });
    },
  );

  app.get(
    "/health",
    {
      schema: {
        tags: ["health"],
        summary: "Health details: ok, degraded (a dependency such as a registry is down) or not_ready; always 200",
        description:
          "Every check with its dependencies (for the registries: each registry, its circuit state and what it last " +
          "said while not closed, e.g. its maintenance text). Use /health/ready as the traffic probe.",
        response: { 200: healthBody },
      },
      logLevel: "warn",
    },
    async (request) => {
      const { ready, ...view } = await healthView(options, request.log);
      const status: z.infer<typeof healthBody>["status"] = !ready ? "not_ready" : view.degraded.length > 0 ? "degraded" : "ok";
      return { status, ...view };
    },
  );
};

export default healthRoutes;
