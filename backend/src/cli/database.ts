import pino from "pino";
import { loadConfig } from "../config";
import { type Database, migrate, startDatabase } from "../db";
import { createLogger } from "../logger";

/**
 * For one-shot commands: opens the database of the configuration (DATABASE_URL, or the embedded one under DATA_DIR
 * when no platform process holds it), applies pending migrations, runs `work`, and always closes it again. Logs go
 * to stderr (quieter than `info` by default) so stdout stays the command's answer.
 */
export async function withCommandDatabase<T>(env: NodeJS.ProcessEnv, work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel, destination: pino.destination(2) });
  const db = await startDatabase(config, logger, { max: 2 });
  try {
    await migrate({ url: db.url, logger });
    return await work(db);
  } finally {
    await db.stop().catch(() => undefined);
  }
}
