export * from "./custody";
export * from "./handlers";
export * from "./runner";
export * from "./errors";
