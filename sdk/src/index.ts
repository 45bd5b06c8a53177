/**
 * `@carbon-custody/sdk`: what a client of the platform needs without reading its code. ABIs and EIP-712 types come
 * from the compiled contracts (`generated/`, drift-checked by test/backend/sdk/drift.test.ts); the helpers build,
 * hash and sign orders and deals and encode the contract calls (fill, fill-and-retire, the on-chain cancel, deal
 * steps, retirement and withdrawal requests). `docs/first-trade.md` walks through a trade with them.
 */
export * from "./generated/abis";
export * from "./generated/eip712";
export * from "./eip712";
export * from "./orders";
export * from "./deals";
export * from "./retirements";
