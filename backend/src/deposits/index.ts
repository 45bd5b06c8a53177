/** The deposit flow up to attestation: intents (API in api/routes/deposits.ts), arrival watcher, immobilization. */
export * from "./arrival";
export * from "./immobilize";
export * from "./intent";
export * from "./store";
export * from "./watcher";
