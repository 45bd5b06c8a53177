export { createIndexer, IndexerError } from "./indexer";
export type { CreateIndexerParameters, Indexer, IndexerContext, IndexerNotification, IndexerStepResult } from "./indexer";
export { NOTIFY_CHANNEL } from "./store";
export type { ChainEvent, Checkpoint, Deployment } from "./types";
