import type { Pool, PoolClient } from "pg";

/**
 * What a store function runs its statements on: the pool (each statement on its own), or the client of a
 * transaction (`withTransaction`), so one function serves both and the caller decides what commits together.
 */
export type Queryable = Pick<Pool | PoolClient, "query">;
