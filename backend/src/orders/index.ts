/** The order book: signed orders posted through the API and their fills as indexed (`store.ts` owns `orders` and `fills`). */
export * from "./store";
