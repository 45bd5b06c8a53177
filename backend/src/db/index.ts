import path from "node:path";
import { Client, Pool } from "pg";
import { type Config, redactUrl } from "../config";
import type { Logger } from "../logger";
import { startEmbeddedPostgres } from "./embedded";
import { DatabaseStartError } from "./errors";

export { DatabaseStartError } from "./errors";
export { migrate, MIGRATIONS_DIR } from "./migrate";

/** The database the backend works in. `stop()` ends the pool and, when embedded, stops the server. */
export type Database = {
  pool: Pool;
  /** Connection URL (holds a password: log it through `redactUrl`). */
  url: string;
  /** True when this process started the server (embedded PostgreSQL). */
  embedded: boolean;
  stop(): Promise<void>;
};

export type StartDatabaseParameters = {
  /** Pool size, default 10. */
  max?: number;
  /** Embedded only: trade durability for speed (tests). */
  fast?: boolean;
};

/** Database name created on the embedded server. */
export const EMBEDDED_DATABASE = "carbon";

/**
 * Connects to `config.database.url`, or, when it is absent, starts embedded PostgreSQL under `<dataDir>/pg`
 * (reusing the cluster from an earlier run) and creates the `carbon` database in it. Checks the connection
 * before returning. Does not run migrations: call `migrate({ url })` next.
 */
export async function startDatabase(
  config: Pick<Config, "database" | "dataDir">,
  logger: Logger,
  parameters: StartDatabaseParameters = {},
): Promise<Database> {
  const log = logger.child({ component: "db" });
  if (config.database.url !== undefined) {
    const url = config.database.url.reveal();
    const database = fromUrl(url, parameters.max);
    await checkConnection(database, url);
    log.info({ url: redactUrl(url) }, "database connected");
    return database;
  }
  const server = await startEmbeddedPostgres({
    dir: path.join(config.dataDir, "pg"),
    port: config.database.embeddedPort,
    logger: log,
    fast: parameters.fast ?? false,
  });
  try {
    await createDatabaseIfMissing(server.url(), EMBEDDED_DATABASE);
    const database = fromUrl(server.url(EMBEDDED_DATABASE), parameters.max);
    await checkConnection(database, database.url);
    return {
      ...database,
      embedded: true,
      async stop() {
        await database.stop();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function fromUrl(url: string, max = 10): Database {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // A client losing its connection (server restart) must not crash the process, whether idle in the pool (the pool's
  // "error") or checked out between queries (a LISTEN connection, a held lock: the client's own "error"). The holder's
  // next query fails with a connection error, the client is discarded on release, and the next checkout reconnects.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  let ended: Promise<void> | undefined;
  return {
    pool,
    url,
    embedded: false,
    stop: () => (ended ??= pool.end()),
  };
}

async function checkConnection(database: Database, url: string): Promise<void> {
  try {
    await database.pool.query("SELECT 1");
  } catch (error) {
    await database.stop();
    throw new DatabaseStartError(`Cannot reach PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`, {
      retryable: true,
      cause: error,
    });
  }
}

/** Creates `name` on the server of `adminUrl` unless it exists. */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
