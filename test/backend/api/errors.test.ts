import { expect } from "chai";
import { z } from "zod";
import { type App, buildApp } from "../../../backend/src/api/app";
import { BaseError, ValidationError } from "../../../backend/src/errors";
import { freePort } from "../../support/database";
import { type LogCapture, apiContext, deadPool } from "./helpers";

/** Routes that exist only in this test, to drive every branch of the error handler. */
async function appWithTestRoutes(): Promise<{ app: App; logs: LogCapture }> {
  const { ctx, logs } = apiContext(deadPool(await freePort()));
  const app = await buildApp(ctx);
  app.post(
    "/test/orders",
    {
      schema: {
        body: z.object({
          batchId: z.string().regex(/^\d+$/, "expected a decimal token id"),
          amount: z.string().regex(/^[1-9]\d*$/, "expected a positive integer as a decimal string"),
          buyer: z.object({ account: z.string().min(3) }),
        }),
        querystring: z.object({ dryRun: z.enum(["true", "false"]).optional() }),
      },
    },
    async () => ({ ok: true }),
  );
  app.get("/test/validation-error", async () => {
    throw new ValidationError("serial", "expected 13 fields, got 9");
  });
  app.get("/test/rate-limited", async () => {
    throw new BaseError("Verra answered 429 for account CUSTODY-1", {
      code: "REGISTRY_RATE_LIMITED",
      retryable: true,
      retryAfterMs: 2_500,
    });
  });
  app.get("/test/crash", async () => {
    throw new Error("duplicate key in relation secret_table; password=hunter2 at /srv/app/db.ts:42");
  });
  await app.ready();
  return { app, logs };
}

describe("api: error handler", () => {
  let app: App;
  let logs: LogCapture;

  before(async () => {
    ({ app, logs } = await appWithTestRoutes());
  });
  after(async () => {
    await app?.close();
  });

  it("answers 400 naming every bad field from the zod schema", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/test/orders?dryRun=maybe",
      payload: { batchId: "7", amount: "5", buyer: { account: "xyz" } },
    });
    expect(response.statusCode).to.equal(400);
    const body = response.json();
    expect(body.error).to.equal("validation");
    expect(body.requestId).to.equal(response.headers["x-request-id"]);
    // fastify validates params, body, query string, headers in turn and stops at the first part that fails
    expect(body.fields.map((f: { field: string }) => f.field)).to.deep.equal(["querystring.dryRun"]);

    const second = await app.inject({
      method: "POST",
      url: "/test/orders",
      payload: { batchId: "7", amount: "-5", buyer: { account: "x" } },
    });
    const fields = second.json().fields;
    expect(fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.amount", "body.buyer.account"]);
    expect(second.json().message).to.contain("body.amount: expected a positive integer as a decimal string");
    expect(second.json().message).to.contain("body.buyer.account:");
  });

  it("names a missing field", async () => {
    const response = await app.inject({ method: "POST", url: "/test/orders", payload: { batchId: "7" } });
    expect(response.statusCode).to.equal(400);
    expect(response.json().fields.map((f: { field: string }) => f.field)).to.deep.equal(["body.amount", "body.buyer"]);
  });

  it("answers 400 with the field of a ValidationError thrown by a handler", async () => {
    const response = await app.inject({ method: "GET", url: "/test/validation-error" });
    expect(response.statusCode).to.equal(400);
    expect(response.json()).to.deep.include({
      error: "validation",
      message: "serial: expected 13 fields, got 9",
      fields: [{ field: "serial", message: "expected 13 fields, got 9" }],
    });
  });

  it("answers 503 with Retry-After for a retryable error, without the upstream text", async () => {
    const response = await app.inject({ method: "GET", url: "/test/rate-limited" });
    expect(response.statusCode).to.equal(503);
    expect(response.headers["retry-after"]).to.equal("3");
    expect(response.json()).to.include({ error: "unavailable", code: "REGISTRY_RATE_LIMITED" });
    expect(response.body).not.to.contain("CUSTODY-1");
  });

  it("answers 500 with a safe message and logs the error with the request id", async () => {
    const response = await app.inject({
      method: "GET",
      url: "/test/crash",
      headers: { "x-request-id": "trace-abc-123" },
    });
    expect(response.statusCode).to.equal(500);
    expect(response.json()).to.deep.equal({
      error: "internal",
      message: "Internal server error",
      requestId: "trace-abc-123",
    });
    for (const leak of ["hunter2", "secret_table", "db.ts", "stack"]) expect(response.body).not.to.contain(leak);
    const logged = logs.lines().find((line) => line.msg === "unhandled error");
    expect(logged).to.include({ reqId: "trace-abc-123", level: 50 });
    expect(JSON.stringify(logged)).to.contain("duplicate key in relation secret_table");
  });

  it("replaces an unsafe client request id with a generated one", async () => {
    const response = await app.inject({ method: "GET", url: "/health/live", headers: { "x-request-id": "a b\nc" } });
    expect(response.headers["x-request-id"]).to.match(/^[0-9a-f-]{36}$/);
  });

  it("answers 404 for an unknown route and 400 for malformed JSON, in the same shape", async () => {
    const missing = await app.inject({ method: "GET", url: "/nope" });
    expect(missing.statusCode).to.equal(404);
    expect(missing.json()).to.include({ error: "not_found", message: "Route GET /nope not found" });
    const malformed = await app.inject({
      method: "POST",
      url: "/test/orders",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).to.equal(400);
    expect(malformed.json().error).to.equal("bad_request");
  });
});
