/**
 * The oracle network (ARCHITECTURE.md §3.2): independent nodes that each read the registries and the chain
 * themselves and sign attestations with their own key, and an aggregator that relays a message once the on-chain
 * threshold of current oracle members signed exactly it, batching confirmations. See docs/oracle.md.
 */
export { startOracleNode, type OracleNode, type OracleNodeContext, type OracleNodeOptions } from "./node";
export { OracleBatchUnsignedError } from "./errors";
export {
  startOracleAggregator,
  type OracleAggregator,
  type OracleAggregatorContext,
  type OracleAggregatorOptions,
} from "./aggregator";
export { digestOf, domainsOf, fromJson, recoverSigner, signMessage, toJson, type ObservationKind } from "./messages";
export { publishObservation } from "./store";
