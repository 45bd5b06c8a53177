import type { Config } from "./config";
import { type Database, type StartDatabaseParameters, migrate, startDatabase } from "./db";
import { type Logger, createLogger } from "./logger";
import { type Metrics, createMetrics } from "./metrics";
import { type Readiness, createReadiness } from "./readiness";
import { type Shutdown, createShutdown } from "./shutdown";

/**
 * The small object every factory receives (ponder's style, no DI container): `createIndexer(ctx)`,
 * `buildApp(ctx)`, ... A component that needs stopping registers with `ctx.shutdown` in the right phase; one that
 * can make the process unfit for traffic registers a check with `ctx.readiness`.
 */
export type Context = {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  readiness: Readiness;
  shutdown: Shutdown;
};

export type CreateContextParameters = {
  logger?: Logger;
  metrics?: Metrics;
  /** Apply pending migrations after connecting (default true). */
  migrate?: boolean;
  database?: StartDatabaseParameters;
};

/** Starts the database (embedded unless `DATABASE_URL`), migrates it, and wires shutdown of the db phase. */
export async function createContext(config: Config, parameters: CreateContextParameters = {}): Promise<Context> {
  const logger = parameters.logger ?? createLogger({ level: config.logLevel });
  const metrics = parameters.metrics ?? createMetrics();
  const shutdown = createShutdown(logger);
  const db = await startDatabase(config, logger, parameters.database);
  shutdown.register("db", "database", () => db.stop());
  try {
    if (parameters.migrate ?? true) await migrate({ url: db.url, logger });
  } catch (error) {
    await db.stop();
    throw error;
  }
  return { config, logger, metrics, db, readiness: createReadiness(), shutdown };
}
