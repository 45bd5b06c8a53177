import fs from "node:fs";
import { expect } from "chai";
import { SERVER_TIMEOUTS } from "../../../backend/src/api/app";
import { startApi } from "../../../backend/src/api/server";
import { loadConfig } from "../../../backend/src/config";
import { createContext } from "../../../backend/src/context";
import { MIGRATIONS_DIR } from "../../../backend/src/db";
import { createLogger } from "../../../backend/src/logger";
import { createShutdown, handleSignals } from "../../../backend/src/shutdown";
import { type TestDatabase, createTestDatabase } from "../../support/database";

const logger = createLogger({ level: "silent" });

describe("api: server and context lifecycle", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  it("creates a migrated context, serves over HTTP, and shuts down api → services → db", async () => {
    const loaded = loadConfig({ DATABASE_URL: db.url, PORT: "1", LOG_LEVEL: "silent" });
    const config = { ...loaded, api: { ...loaded.api, port: 0 } }; // any free port; PORT itself must be 1-65535
    const ctx = await createContext(config, { logger });
    const order: string[] = [];
    const { app, address } = await startApi(ctx);
    // A service registered after the API: it must still find the API closed and the database open.
    ctx.shutdown.register("services", "indexer", async () => {
      const { rows } = await ctx.db.pool.query("select 1 as one");
      order.push(`indexer: api listening ${app.server.listening}, db answers ${rows[0].one === 1}`);
    });

    expect(app.server.requestTimeout).to.equal(SERVER_TIMEOUTS.requestTimeout);
    expect(app.server.keepAliveTimeout).to.equal(SERVER_TIMEOUTS.keepAliveTimeout);
    expect(app.server.timeout).to.equal(SERVER_TIMEOUTS.connectionTimeout);

    const ready = await fetch(`${address}/health/ready`);
    expect(ready.status).to.equal(200);
    expect(ready.headers.get("x-request-id")).to.be.a("string");
    const { rows } = await ctx.db.pool.query("select count(*)::int as n from pgmigrations");
    const files = fs.readdirSync(MIGRATIONS_DIR).filter((file) => /^\d{4}_.+\.sql$/.test(file));
    expect(rows[0].n).to.equal(files.length);

    expect(await ctx.shutdown.run("test")).to.equal(true);
    order.push(`pool ended: ${ctx.db.pool.ended}`);
    expect(order).to.deep.equal(["indexer: api listening false, db answers true", "pool ended: true"]);
    expect(app.server.listening).to.equal(false);
    let refused = false;
    await fetch(`${address}/health/live`).catch(() => {
      refused = true;
    });
    expect(refused).to.equal(true);
  });

  it("runs phases in order, keeps going past a failing hook, and runs only once", async () => {
    const shutdown = createShutdown(logger);
    const order: string[] = [];
    shutdown.register("db", "pool", () => {
      order.push("db");
    });
    shutdown.register("services", "broken", () => {
      throw new Error("boom");
    });
    shutdown.register("services", "workers", async () => {
      order.push("workers");
    });
    shutdown.register("api", "http", () => {
      order.push("api");
    });
    const first = shutdown.run("a");
    const second = shutdown.run("b");
    expect(first).to.equal(second);
    expect(await first).to.equal(false);
    expect(order).to.deep.equal(["api", "workers", "db"]);
  });

  it("turns SIGTERM into one ordered shutdown and an exit code; a second signal exits at once", async () => {
    const shutdown = createShutdown(logger);
    const exits: number[] = [];
    let release: () => void = () => undefined;
    shutdown.register("api", "slow", () => new Promise<void>((resolve) => (release = resolve)));
    const remove = handleSignals({ shutdown, logger }, { exit: (code) => exits.push(code), signals: ["SIGUSR2"] });
    try {
      process.emit("SIGUSR2", "SIGUSR2");
      expect(shutdown.started).to.equal(true);
      process.emit("SIGUSR2", "SIGUSR2");
      expect(exits).to.deep.equal([1]);
      release();
      await shutdown.run("again");
      await new Promise((resolve) => setImmediate(resolve));
      expect(exits).to.deep.equal([1, 0]);
    } finally {
      remove();
    }
  });
});
