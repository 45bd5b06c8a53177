import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  type Abi,
  type Hex,
  InsufficientFundsError,
  NonceTooLowError,
  RpcRequestError,
  SocketClosedError,
  TimeoutError,
  TransactionRejectedRpcError,
  decodeErrorResult,
} from "viem";
import { BaseError } from "../errors";

/**
 * The relayer's errors, split by whether sending again can help (STYLE.md): a revert says the contract refuses
 * the call as it stands (non-retryable, with the custom error's name and arguments), a transport failure or a
 * receipt that did not come in time says nothing about the call (retryable).
 */

export class RelayerRevertError extends BaseError {
  override name = "RelayerRevertError";
  /** Custom error name, e.g. `RegistryBridgeRequestNotPending`; undefined when the data did not decode. */
  readonly errorName: string | undefined;
  readonly errorArgs: readonly unknown[];
  /** Set when the transaction was mined and reverted (the nonce is used); undefined when refused before sending. */
  readonly txHash: Hex | undefined;

  constructor(params: { errorName: string | undefined; errorArgs?: readonly unknown[]; txHash?: Hex; cause?: unknown }) {
    super(`reverted: ${params.errorName ?? "unknown reason"}${params.txHash === undefined ? "" : ` (tx ${params.txHash})`}`, {
      code: "RELAYER_REVERTED",
      retryable: false,
      details: { errorName: params.errorName, txHash: params.txHash },
      cause: params.cause,
    });
    this.errorName = params.errorName;
    this.errorArgs = params.errorArgs ?? [];
    this.txHash = params.txHash;
  }
}

export class RelayerTransportError extends BaseError {
  override name = "RelayerTransportError";
  constructor(message: string, cause: unknown) {
    super(message, { code: "RELAYER_TRANSPORT", retryable: true, cause });
  }
}

export class RelayerTimeoutError extends BaseError {
  override name = "RelayerTimeoutError";
  constructor(message: string, details: Record<string, unknown>) {
    super(message, { code: "RELAYER_RECEIPT_TIMEOUT", retryable: true, details });
  }
}

/** The node refused the transaction for a reason a resend cannot fix (funds, nonce, invalid). */
export class RelayerSendError extends BaseError {
  override name = "RelayerSendError";
  constructor(message: string, cause: unknown, code = "RELAYER_SEND_REFUSED") {
    super(message, { code, retryable: false, cause });
  }
}

function walk(error: unknown, fn: (e: unknown) => boolean): unknown {
  if (error instanceof ViemBaseError) return error.walk(fn) ?? undefined;
  let current: unknown = error;
  while (current !== undefined && current !== null) {
    if (fn(current)) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** Revert data (`0x...`) anywhere in the cause chain of an RPC error, as nodes report it. */
function revertData(error: unknown): Hex | undefined {
  const found = walk(error, (e) => {
    const data = (e as { data?: unknown }).data;
    return (typeof data === "string" && /^0x[0-9a-fA-F]*$/.test(data)) || (typeof data === "object" && data !== null && typeof (data as { data?: unknown }).data === "string");
  }) as { data?: unknown } | undefined;
  const data = found?.data;
  if (typeof data === "string") return data as Hex;
  if (typeof data === "object" && data !== null) return (data as { data: Hex }).data;
  return undefined;
}

/** Decodes revert data against `abi` (the platform's custom errors plus the standard Error/Panic). */
export function decodeRevert(abi: Abi, data: Hex | undefined): { errorName: string | undefined; errorArgs: readonly unknown[] } {
  if (data === undefined || data === "0x") return { errorName: undefined, errorArgs: [] };
  try {
    const decoded = decodeErrorResult({ abi, data });
    return { errorName: decoded.errorName, errorArgs: decoded.args ?? [] };
  } catch {
    return { errorName: undefined, errorArgs: [] };
  }
}

function isRevert(error: unknown): boolean {
  return (
    walk(error, (e) => e instanceof ContractFunctionRevertedError) !== undefined ||
    walk(error, (e) => /execution reverted|reverted with|VM Exception|revert/i.test((e as Error)?.message ?? "")) !== undefined
  );
}

/** Maps any error of an RPC call to the relayer's typed errors. */
export function classifyRelayerError(error: unknown, abi: Abi, txHash?: Hex): BaseError {
  if (error instanceof BaseError) return error;
  const reverted = walk(error, (e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | undefined;
  if (reverted !== undefined && reverted.data !== undefined) {
    return new RelayerRevertError({
      errorName: reverted.data.errorName,
      errorArgs: reverted.data.args ?? [],
      ...(txHash && { txHash }),
      cause: error,
    });
  }
  if (isRevert(error)) {
    return new RelayerRevertError({ ...decodeRevert(abi, revertData(error)), ...(txHash && { txHash }), cause: error });
  }
  const short = (error instanceof ViemBaseError ? error.shortMessage : (error as Error)?.message) ?? String(error);
  if (walk(error, (e) => e instanceof InsufficientFundsError))
    return new RelayerSendError(short, error, "RELAYER_INSUFFICIENT_FUNDS");
  if (walk(error, (e) => e instanceof NonceTooLowError)) return new RelayerSendError(short, error, "RELAYER_NONCE_TOO_LOW");
  if (walk(error, (e) => e instanceof TransactionRejectedRpcError)) return new RelayerSendError(short, error);
  if (
    walk(
      error,
      (e) =>
        e instanceof HttpRequestError ||
        e instanceof TimeoutError ||
        e instanceof SocketClosedError ||
        e instanceof RpcRequestError,
    )
  ) {
    return new RelayerTransportError(short, error);
  }
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && /ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN/.test(code)) return new RelayerTransportError(short, error);
  return new RelayerSendError(short, error, "RELAYER_SEND_FAILED");
}
