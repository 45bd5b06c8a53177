import fp from "fastify-plugin";
import type { Metrics } from "../../../metrics";

/** Echoes the request id to the client and records every answer in the request-duration histogram. */
export default fp<{ metrics: Metrics }>(
  async (app, options) => {
    const duration = options.metrics.histogram<"method" | "route" | "status_code">({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method, route pattern and status code",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    app.addHook("onRequest", async (request, reply) => {
      reply.header("x-request-id", request.id);
    });
    app.addHook("onResponse", async (request, reply) => {
      duration.observe(
        {
          method: request.method,
          // The pattern (`/orders/:id`), never the raw URL, so label cardinality stays bounded.
          route: request.routeOptions.url ?? "unmatched",
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: "request-context" },
);
