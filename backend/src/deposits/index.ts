/**
 * The deposit flow up to attestation, and the owner of `deposit_intents` (`store.ts`) and `deposits` (`claims.ts`):
 * intents (declared through api/routes/deposits.ts), the arrival watcher, the immobilize handler.
 */
export * from "./arrival";
export * from "./claims";
export * from "./immobilize";
export * from "./intent";
export * from "./store";
export * from "./watcher";
export * from "./errors";
