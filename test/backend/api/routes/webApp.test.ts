import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type App, buildApp } from "../../../../backend/src/api/app";
import { WEB_APP_SECTIONS } from "../../../../backend/src/api/routes/webApp";
import { migrate } from "../../../../backend/src/db";
import { createLogger } from "../../../../backend/src/logger";
import { type TestDatabase, createTestDatabase } from "../../../support/database";
import { apiContext } from "../helpers";

describe("api: the web app served at / without shadowing the API", () => {
  let app: App;
  let db: TestDatabase;
  let root: string;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "web-dist-"));
    fs.mkdirSync(path.join(root, "assets"));
    fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><title>app</title><div id=root></div>");
    fs.writeFileSync(path.join(root, "assets", "index-Ab12Cd34.js"), "console.log('app')");
    fs.writeFileSync(path.join(root, "favicon.svg"), "<svg/>");
    db = await createTestDatabase();
    await migrate({ url: db.url, logger: createLogger({ level: "silent" }) });
    const { ctx } = apiContext(db.pool);
    ctx.web = { root };
    app = await buildApp(ctx);
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("serves index.html at / and at every page of the app, never cached", async () => {
    for (const url of ["/", "/market", "/trade/123", "/verify/0xabc?record=1", "/console"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).to.equal(200);
      expect(response.headers["content-type"], url).to.match(/^text\/html/);
      expect(response.headers["cache-control"], url).to.equal("no-cache");
      expect(response.body).to.contain('<div id=root>');
    }
  });

  it("serves hashed assets as immutable", async () => {
    const response = await app.inject({ method: "GET", url: "/assets/index-Ab12Cd34.js" });
    expect(response.statusCode).to.equal(200);
    expect(response.headers["cache-control"]).to.equal("public, max-age=31536000, immutable");
    expect(response.body).to.contain("console.log");
    expect((await app.inject({ method: "GET", url: "/favicon.svg" })).statusCode).to.equal(200);
    expect((await app.inject({ method: "GET", url: "/assets/missing.js" })).statusCode).to.equal(404);
  });

  it("an unknown API path still answers the JSON 404, and the API keeps its own answers", async () => {
    for (const url of ["/nope", "/batches/1/nonsense", "/orders-x", "/health/whatever"]) {
      const response = await app.inject({ method: "GET", url, headers: { accept: "text/html" } });
      expect(response.statusCode, url).to.equal(404);
      expect(response.headers["content-type"], url).to.match(/^application\/json/);
      expect(response.json().error).to.equal("not_found");
    }
    const live = await app.inject({ method: "GET", url: "/health/live", headers: { accept: "text/html" } });
    expect(live.json()).to.deep.equal({ status: "ok" });
    expect((await app.inject({ method: "GET", url: "/docs/json" })).json().openapi).to.equal("3.0.3");
  });

  it("no API route lives under a section of the app", async () => {
    // Every API route is in the OpenAPI document (the app's own routes are hidden from it).
    const api = Object.keys((await app.inject({ method: "GET", url: "/docs/json" })).json().paths as object);
    const clashes = api.filter((url) => WEB_APP_SECTIONS.includes(url.split("/")[1] as (typeof WEB_APP_SECTIONS)[number]));
    expect(api.length).to.be.greaterThan(5);
    expect(clashes).to.deep.equal([]);
  });
});
