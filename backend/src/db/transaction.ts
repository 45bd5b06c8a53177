import type { Pool, PoolClient } from "pg";

export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

export type WithTransactionParameters = {
  /** Default: the server's (read committed). */
  isolation?: IsolationLevel | undefined;
  /**
   * A transaction-scoped advisory lock taken right after BEGIN (`pg_advisory_xact_lock(hashtext(key))`): writers
   * that use the same key run one after another instead of interleaving. Released by COMMIT or ROLLBACK.
   */
  advisoryLock?: string | undefined;
};

const ISOLATION_SQL: Record<IsolationLevel, string> = {
  "read committed": "BEGIN ISOLATION LEVEL READ COMMITTED",
  "repeatable read": "BEGIN ISOLATION LEVEL REPEATABLE READ",
  serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE",
};

/**
 * Runs `fn` in one transaction on a client of its own: COMMIT when it resolves, ROLLBACK when it throws (the error
 * is rethrown). Returning early commits whatever `fn` wrote so far, so a function that decides to change nothing
 * simply returns. A client whose ROLLBACK fails (its connection is gone) is destroyed instead of going back to the
 * pool. The one way the backend writes several statements atomically; nothing else sends BEGIN.
 */
export async function withTransaction<T>(
  pool: Pick<Pool, "connect">,
  fn: (client: PoolClient) => Promise<T>,
  parameters: WithTransactionParameters = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(parameters.isolation === undefined ? "BEGIN" : ISOLATION_SQL[parameters.isolation]);
    if (parameters.advisoryLock !== undefined) {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [parameters.advisoryLock]);
    }
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
