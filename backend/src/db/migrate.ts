import path from "node:path";
import type * as NodePgMigrate from "node-pg-migrate/dist/bundle";
import type { Logger } from "../logger";

// The package's `types` field points at a file it no longer ships, so under `moduleResolution: node10` the
// types come from the bundle path and the code from the package entry (ESM, loaded with require on Node 20.19+).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package entry's types are missing (above)
const { runner } = require("node-pg-migrate") as typeof NodePgMigrate;

export const MIGRATIONS_DIR = path.join(__dirname, "migrations");

export type MigrateParameters = {
  /** Connection URL of the database to migrate. */
  url: string;
  logger: Logger;
  direction?: "up" | "down";
  /** Number of migrations to run; default all (up) or one (down). */
  count?: number;
};

/**
 * Applies the numbered SQL files in `db/migrations` with node-pg-migrate. Already-applied files are skipped
 * (recorded in `pgmigrations`), so running it at every start is safe. Pending files run in one transaction, under
 * node-pg-migrate's advisory lock in `wait` mode: two processes starting together apply them once, the second
 * one waits and then finds nothing to do. Returns the names of the migrations it ran.
 */
export async function migrate(parameters: MigrateParameters): Promise<string[]> {
  const { logger } = parameters;
  const log = logger.child({ component: "migrations" });
  const ran = await runner({
    databaseUrl: parameters.url,
    dir: MIGRATIONS_DIR,
    migrationsTable: "pgmigrations",
    direction: parameters.direction ?? "up",
    ...(parameters.count === undefined ? {} : { count: parameters.count }),
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: "wait",
    logger: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
  });
  const names = ran.map((migration) => migration.name);
  if (names.length > 0) log.info({ migrations: names, direction: parameters.direction ?? "up" }, "migrations applied");
  return names;
}
