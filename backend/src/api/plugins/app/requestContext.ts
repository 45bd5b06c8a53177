import fp from "fastify-plugin";
import type { Metrics } from "../../../metrics";

/**
 * Echoes the request id to the client, records every answer in the request-duration histogram and writes the one
 * log line of the request (fastify's own request logging is off, see app.ts). The line names method, path, route
 * pattern, status, response time and (bound by fastify) `reqId`; never headers (Authorization, API keys, cookies)
 * nor the query string, where a client may have put a key. A route's `logLevel` (health probes: warn) keeps it out.
 */
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
      // The pattern (`/orders/:id`), never the raw URL, so label cardinality stays bounded.
      const route = request.routeOptions.url ?? "unmatched";
      duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
      request.log.info(
        {
          method: request.method,
          url: request.url.split("?", 1)[0],
          route,
          statusCode: reply.statusCode,
          responseTimeMs: Math.round(reply.elapsedTime * 1000) / 1000,
        },
        "request",
      );
    });
  },
  { name: "request-context" },
);
