export { IndexerError } from "./errors";
export { createIndexer } from "./indexer";
export type { CreateIndexerParameters, Indexer, IndexerContext, IndexerNotification, IndexerStepResult } from "./indexer";
export type { ChainEvent, Checkpoint } from "./types";
