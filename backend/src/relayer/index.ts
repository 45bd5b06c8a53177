export { createRelayer, createRelayerFromConfig } from "./relayer";
export type {
  CreateRelayerParameters,
  FeeMode,
  Relayer,
  RelayerCall,
  RelayerContext,
  RelayerMode,
  RelayerReceipt,
} from "./relayer";
export { RelayerRevertError, RelayerSendError, RelayerTimeoutError, RelayerTransportError, classifyRelayerError } from "./errors";
export { sendUnlessUnchanged } from "./idempotent";
export { createAttestationBatcher, createCallBatcher, createRetirementConfirmationBatcher } from "./batcher";
export type {
  BatchedAttestations,
  CallBatcher,
  CreateAttestationBatcherParameters,
  CreateCallBatcherParameters,
  CreateRetirementConfirmationBatcherParameters,
} from "./batcher";
