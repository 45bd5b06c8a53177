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
          { name: "client", description: "What a client needs: GET /config, typed data to sign (docs/first-trade.md)" },
        ],
        components: {
          securitySchemes: {
            siweSession: {
              type: "http",
              scheme: "bearer",
              description:
                "A wallet's session token from Sign-In with Ethereum: GET /auth/nonce, sign the EIP-4361 message, POST " +
                  "/auth/siwe",
            },
            apiKey: {
              type: "apiKey",
              in: "header",
              name: "X-Api-Key",
              description: "An operator key (`carbon api-key create`; npm start prints one)",
            },
          },
        },
      },
      // Guarded routes declare a 401 answer; which credential they take follows from the guard (operator routes
      // live under /jobs, /reconciliation and the operator read of a deposit intent).
      transform: (input) => {
        const out = jsonSchemaTransform(input) as { schema: Record<string, unknown>; url: string };
        const responses = (input.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
        if ("401" in responses && out.schema.security === undefined) {
          const operator = /^\/(jobs|reconciliation)/.test(input.url);
          const both = input.url === "/deposits/intents/:intentId";
          out.schema.security = both
            ? [{ siweSession: [] }, { apiKey: [] }]
            : operator
              ? [{ apiKey: [] }]
              : [{ siweSession: [] }];
        }
        return out as never;
      },
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
  },
  { name: "swagger" },
);
