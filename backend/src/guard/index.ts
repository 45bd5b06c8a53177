export * from "./bridge-pauser";
export * from "./rate-limit";
export * from "./registry-guard";
export * from "./status";
