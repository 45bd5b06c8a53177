/**
 * The NOTIFY channels processes wake each other with. A channel is a contract between a writer and its listeners
 * in other modules (and other processes), so the names live here, below both, instead of with either side.
 */

/** Sent by the indexer after each committed step that stored events (payload `{fromBlock, toBlock, count}`). */
export const CHAIN_EVENTS_CHANNEL = "carbon_chain_events";

/** Sent by a trigger on `jobs` (migration 0004) whenever a job becomes queued (payload: its kind). */
export const JOBS_CHANNEL = "carbon_jobs";
