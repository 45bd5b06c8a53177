import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Metrics } from "../../metrics";

/** Prometheus text exposition of this process's registry. */
const metricsRoutes: FastifyPluginAsyncZod<{ metrics: Metrics }> = async (app, options) => {
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["health"],
        summary: "Prometheus metrics (text exposition format)",
        produces: ["text/plain"],
      },
      logLevel: "warn",
    },
    async (_request, reply) => {
      const { contentType, body } = await options.metrics.render();
      return reply.type(contentType).send(body);
    },
  );
};

export default metricsRoutes;
