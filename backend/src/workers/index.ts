export * from "./custody";
export * from "./dispatch";
export * from "./handlers";
export * from "./runner";
