import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import fp from "fastify-plugin";
import { jsonSchemaTransform } from "fastify-type-provider-zod";

/**
 * OpenAPI 3 generated from the zod schemas of the routes (registered before any route so every route is
 * seen). UI at `/docs`, the document at `/docs/json`.
 */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title: "Carbon custody platform API",
          description: "Tokenized carbon-credit custody and settlement: platform service.",
          version: "0.1.0",
        },
        tags: [
          { name: "health", description: "Liveness, readiness and metrics" },
        ],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
  },
  { name: "swagger" },
);
