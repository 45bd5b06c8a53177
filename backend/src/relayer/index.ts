export { createRelayer, createRelayerFromConfig } from "./relayer";
export type { CreateRelayerParameters, FeeMode, Relayer, RelayerCall, RelayerContext, RelayerMode, RelayerReceipt } from "./relayer";
export { RelayerRevertError, RelayerSendError, RelayerTimeoutError, RelayerTransportError, classifyRelayerError } from "./errors";
export { createCallBatcher, createRetirementConfirmationBatcher } from "./batcher";
export type { CallBatcher, CreateCallBatcherParameters, CreateRetirementConfirmationBatcherParameters } from "./batcher";
