import { Writable } from "node:stream";
import { Pool } from "pg";
import type { ApiContext } from "../../../backend/src/api/app";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import { createReadiness } from "../../../backend/src/readiness";

export type LogCapture = { lines: () => Array<Record<string, unknown>>; text: () => string };

/** An API context over `pool` whose log lines are kept in memory for assertions. */
export function apiContext(pool: Pool): { ctx: ApiContext; logs: LogCapture } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: "info", destination });
  const ctx: ApiContext = { logger, metrics: createMetrics(), readiness: createReadiness(), db: { pool } };
  const text = () => chunks.join("");
  const lines = () =>
    text()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ctx, logs: { lines, text } };
}

/** A pool to a port nothing listens on: every query fails with ECONNREFUSED. */
export function deadPool(port: number): Pool {
  const pool = new Pool({ connectionString: `postgres://nobody:pw@127.0.0.1:${port}/none`, connectionTimeoutMillis: 1000 });
  pool.on("error", () => undefined);
  return pool;
}
