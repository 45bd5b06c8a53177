import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isDatabaseUnavailable } from "../../../db/errors";
import { BaseError, ValidationError } from "../../../errors";
import type { ErrorBody } from "../../schemas";

/**
 * The one error handler (fastify/demo). Every error is logged with the request id; a client sees:
 * - 400 naming each bad field for schema validation (`body.amount: ...`) and for a thrown `ValidationError`;
 * - fastify's own 4xx (bad JSON, body too large, wrong content type) with fastify's message;
 * - 503 with `Retry-After` (when the error says how long) for a `BaseError` that a retry can fix, and for a database
 *   that cannot be reached (down or restarting: `DATABASE_UNAVAILABLE`, retry after 1 s);
 * - 500 with a fixed message for anything else: no stack, no SQL, no upstream text.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const fields = error.validation.map((issue) => ({
          field: fieldName(error.validationContext, issue.instancePath),
          message: issue.message ?? "invalid",
        }));
        request.log.info({ fields }, "request validation failed");
        return send(reply, 400, {
          error: "validation",
          message: fields.map((field) => `${field.field}: ${field.message}`).join("; "),
          fields,
        });
      }
      if (error instanceof ValidationError) {
        request.log.info({ field: error.field, err: error }, "validation error");
        return send(reply, 400, {
          error: "validation",
          message: error.message,
          code: error.code,
          fields: [{ field: error.field, message: error.message.slice(error.field.length + 2) }],
        });
      }
      if (error instanceof BaseError && error.retryable) {
        request.log.warn({ err: error }, "retryable error");
        return unavailable(reply, error.code, error.retryAfterMs);
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, "database unavailable");
        return unavailable(reply, "DATABASE_UNAVAILABLE", 1_000);
      }
      const status = typeof error.statusCode === "number" ? error.statusCode : 500;
      if (status >= 400 && status < 500 && !(error instanceof BaseError)) {
        request.log.info({ err: error }, "client error");
        return send(reply, status, { error: clientErrorName(status), message: error.message });
      }
      request.log.error({ err: error }, "unhandled error");
      return send(reply, 500, {
        error: "internal",
        message: "Internal server error",
        ...(error instanceof BaseError ? { code: error.code } : {}),
      });
    });

    app.setNotFoundHandler((request, reply) =>
      send(reply, 404, { error: "not_found", message: `Route ${request.method} ${request.url} not found` }),
    );
  },
  { name: "error-handler" },
);

/** `body` + `/items/0/amount` → `body.items.0.amount`. */
function fieldName(context: string | undefined, instancePath: string): string {
  const path = instancePath.split("/").filter(Boolean).join(".");
  const prefix = context ?? "request";
  return path === "" ? prefix : `${prefix}.${path}`;
}

function clientErrorName(status: number): string {
  if (status === 404) return "not_found";
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 429) return "rate_limited";
  return "bad_request";
}

function unavailable(reply: FastifyReply, code: string, retryAfterMs: number | undefined) {
  if (retryAfterMs !== undefined) reply.header("retry-after", Math.ceil(retryAfterMs / 1000));
  return send(reply, 503, { error: "unavailable", message: "Temporarily unavailable; retry later", code });
}

function send(reply: FastifyReply, status: number, body: Omit<ErrorBody, "requestId">) {
  const request: FastifyRequest = reply.request;
  return reply.code(status).type("application/json; charset=utf-8").send({ ...body, requestId: request.id });
}
