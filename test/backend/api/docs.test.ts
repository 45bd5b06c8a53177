import Ajv from "ajv";
import { expect } from "chai";
import { z } from "zod";
import { type App, buildApp } from "../../../backend/src/api/app";
import { freePort } from "../../support/database";
import { apiContext, deadPool } from "./helpers";

type Operation = {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  requestBody?: { content?: Record<string, { schema?: object }> };
};
type OpenApi = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

describe("api: OpenAPI document", () => {
  let app: App;
  let doc: OpenApi;

  before(async () => {
    const { ctx } = apiContext(deadPool(await freePort()));
    app = await buildApp(ctx);
    app.post(
      "/test/echo",
      {
        schema: {
          body: z.object({ amount: z.string().describe("decimal string") }),
          response: { 200: z.object({ amount: z.string() }) },
        },
      },
      async (request) => ({ amount: request.body.amount }),
    );
    await app.ready();
    const response = await app.inject({ method: "GET", url: "/docs/json" });
    expect(response.statusCode).to.equal(200);
    doc = response.json() as OpenApi;
  });
  after(async () => {
    await app?.close();
  });

  it("is an OpenAPI 3 document listing the routes, including ones added after buildApp", () => {
    expect(doc.openapi).to.match(/^3\.0\.\d+$/);
    expect(doc.info.title).to.be.a("string").and.not.equal("");
    expect(doc.info.version).to.be.a("string");
    expect(Object.keys(doc.paths)).to.include.members(["/health/live", "/health/ready", "/metrics", "/test/echo"]);
    expect(Object.keys(doc.paths).some((path) => path.startsWith("/docs"))).to.equal(false);
  });

  it("has well-formed operations whose schemas compile as JSON Schema", () => {
    const ajv = new Ajv({ strict: false });
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith("/"), path).to.equal(true);
      for (const [method, operation] of Object.entries(item)) {
        expect(METHODS.has(method), `${method} ${path}`).to.equal(true);
        expect(Object.keys(operation.responses ?? {}), `${method} ${path} responses`).to.not.have.lengthOf(0);
        const contents = [
          ...Object.values(operation.responses ?? {}).map((response) => response.content ?? {}),
          operation.requestBody?.content ?? {},
        ];
        for (const content of contents) {
          for (const media of Object.values(content)) {
            if (media.schema !== undefined) ajv.compile(media.schema);
          }
        }
      }
    }
    const ready = doc.paths["/health/ready"]?.get;
    expect(Object.keys(ready?.responses ?? {})).to.include.members(["200", "503"]);
    const echo = doc.paths["/test/echo"]?.post;
    expect(JSON.stringify(echo?.requestBody)).to.contain("decimal string");
  });

  it("serves the UI at /docs", async () => {
    const response = await app.inject({ method: "GET", url: "/docs/" });
    expect(response.statusCode).to.equal(200);
    expect(response.headers["content-type"]).to.match(/text\/html/);
  });
});
