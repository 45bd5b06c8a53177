/**
 * Retirement and withdrawal requests: the owner of the `requests` table (`store.ts`, whose module doc is the status
 * machine: who moves which column in which direction) and the dispatcher that gives every request pending on chain
 * exactly one registry job (`dispatch.ts`).
 */
export * from "./dispatch";
export * from "./store";
