export * from "./bridgePauser";
export * from "./rateLimit";
export * from "./registryGuard";
export * from "./status";
export * from "./errors";
