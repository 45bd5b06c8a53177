/**
 * The one component that sends the platform's transactions (attestation confirmations, guardian pauses, ...).
 *
 * Per sender a nonce manager serializes what must be serial and no more:
 * - `sequential` (Hardhat automine): one transaction in flight; the next is signed only after the previous receipt,
 *   because automine refuses a nonce that arrives before its predecessor.
 * - `pipelined` (interval mining, Besu): estimate, take the next nonce, sign and send under the sender's lock, then
 *   wait for receipts concurrently; nonces make them land in order.
 * Gas is estimated before a nonce is taken, so a call the contract refuses never uses a nonce and surfaces as a
 * `RelayerRevertError` naming the custom error. Where the chain charges fees, a transaction not mined after
 * `bumpAfterMs` is replaced with the same nonce and fees raised by `bumpPercent` (>= 10%, the replacement rule of
 * geth and Besu); where gas is free (QBFT with zero base fee) it is rebroadcast unchanged instead.
 */
import {
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
  type TransactionReceipt,
  createPublicClient,
  encodeFunctionData,
  http,
  keccak256,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { platformErrorsAbi } from "../chain/abi";
import type { Secret } from "../config";
import type { Context } from "../context";
import type { BaseError } from "../errors";
import { sleep } from "../sleep";
import {
  RelayerRevertError,
  RelayerSendError,
  RelayerTimeoutError,
  RelayerTransportError,
  classifyRelayerError,
  decodeRevert,
} from "./errors";

export type RelayerMode = "auto" | "sequential" | "pipelined";
export type FeeMode = "auto" | "free" | "eip1559";

export type CreateRelayerParameters = {
  rpcUrl: string;
  chain?: Chain;
  /** Sender keys (config `RELAYER_KEY`, ...). Only `reveal()`ed to build the signing account; never logged. */
  keys: readonly Secret<`0x${string}`>[];
  /** `auto` asks the node (`hardhat_getAutomine`): automine -> sequential, anything else -> pipelined. */
  mode?: RelayerMode;
  /** `auto`: free when the latest block has a zero (or no) base fee and `eth_gasPrice` is 0. */
  fees?: FeeMode;
  receiptTimeoutMs?: number;
  /** Replace (fees) or rebroadcast (free gas) a transaction not mined after this long. */
  bumpAfterMs?: number;
  /** Fee increase per replacement in percent; at least 10. */
  bumpPercent?: number;
  pollIntervalMs?: number;
  /** Attempts per RPC call on transport errors before giving up with a retryable error. */
  transportAttempts?: number;
  /** Extra errors to decode reverts with (the platform contracts' errors are always included). */
  errorsAbi?: Abi;
};

export type RelayerCall = {
  to: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
  /** Skip estimation (and its revert check) with a fixed gas limit. */
  gas?: bigint;
  /** Sender address; the first key when absent. */
  from?: Address;
};

export type RelayerReceipt = { hash: Hex; receipt: TransactionReceipt; nonce: number; replacements: number };

export type RelayerContext = Pick<Context, "logger" | "metrics"> & Partial<Pick<Context, "shutdown">>;

export type Relayer = {
  send(call: RelayerCall): Promise<RelayerReceipt>;
  senders(): Address[];
  /** Resolved sending mode and fee mode (after the first send, or `init()`). */
  init(): Promise<{ mode: "sequential" | "pipelined"; fees: "free" | "eip1559"; chainId: number }>;
  /** Waits for sends in flight; new sends are refused. */
  close(): Promise<void>;
};

type Sender = { account: PrivateKeyAccount; nextNonce: number | undefined; lock: Promise<unknown> };
type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: 0n };

export function createRelayer(ctx: RelayerContext, params: CreateRelayerParameters): Relayer {
  if (params.keys.length === 0) throw new RelayerSendError("relayer: no sender keys configured", undefined, "RELAYER_CONFIG");
  const bumpPercent = params.bumpPercent ?? 12.5;
  if (bumpPercent < 10) throw new RelayerSendError("relayer: bumpPercent must be at least 10", undefined, "RELAYER_CONFIG");
  const receiptTimeoutMs = params.receiptTimeoutMs ?? 120_000;
  const bumpAfterMs = params.bumpAfterMs ?? 15_000;
  const pollIntervalMs = params.pollIntervalMs ?? 250;
  const attempts = params.transportAttempts ?? 3;
  const errorsAbi: Abi = [...platformErrorsAbi(), ...(params.errorsAbi ?? [])];
  const log = ctx.logger.child({ component: "relayer" });
  const client: PublicClient = createPublicClient({
    ...(params.chain === undefined ? {} : { chain: params.chain }),
    transport: http(params.rpcUrl, { retryCount: 0 }),
    cacheTime: 0,
  });
  const senders = new Map<string, Sender>();
  for (const key of params.keys) {
    const account = privateKeyToAccount(key.reveal());
    senders.set(account.address.toLowerCase(), { account, nextNonce: undefined, lock: Promise.resolve() });
  }
  const sendsCounter = ctx.metrics.counter({
    name: "relayer_sends_total",
    help: "Transactions by outcome",
    labelNames: ["outcome"],
  });
  const bumpsCounter = ctx.metrics.counter({
    name: "relayer_replacements_total",
    help: "Fee bumps and rebroadcasts",
    labelNames: ["kind"],
  });
  const inflightGauge = ctx.metrics.gauge({ name: "relayer_inflight", help: "Transactions sent and not yet mined" });

  let settings: Promise<{ mode: "sequential" | "pipelined"; fees: "free" | "eip1559"; chainId: number }> | undefined;
  let closed = false;
  const inflight = new Set<Promise<unknown>>();

  /** An RPC call with retries on transport errors; anything else is classified at once. */
  async function rpc<T>(what: string, call: () => Promise<T>, txHash?: Hex): Promise<T> {
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const classified = classifyRelayerError(error, errorsAbi, txHash);
        if (!(classified instanceof RelayerTransportError) || attempt >= attempts) throw classified;
        log.warn({ what, attempt, err: classified.message }, "relayer RPC failed, retrying");
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  function init() {
    settings ??= (async () => {
      const chainId = await rpc("eth_chainId", () => client.getChainId());
      let mode: "sequential" | "pipelined";
      if (params.mode === "sequential" || params.mode === "pipelined") mode = params.mode;
      else {
        const automine = await client.request({ method: "hardhat_getAutomine" as "eth_chainId" }).catch(() => false);
        mode = automine === true ? "sequential" : "pipelined";
      }
      let fees: "free" | "eip1559";
      if (params.fees === "free" || params.fees === "eip1559") fees = params.fees;
      else {
        const block = await rpc("eth_getBlockByNumber", () => client.getBlock());
        const gasPrice = await rpc("eth_gasPrice", () => client.getGasPrice());
        fees = (block.baseFeePerGas ?? 0n) === 0n && gasPrice === 0n ? "free" : "eip1559";
      }
      log.info({ chainId, mode, fees, senders: [...senders.values()].map((s) => s.account.address) }, "relayer ready");
      return { chainId, mode, fees };
    })();
    settings.catch(() => {
      settings = undefined;
    });
    return settings;
  }

  async function initialFees(kind: "free" | "eip1559"): Promise<Fees> {
    if (kind === "free") return { gasPrice: 0n };
    const estimate = await rpc("fees", () => client.estimateFeesPerGas());
    return { maxFeePerGas: estimate.maxFeePerGas, maxPriorityFeePerGas: estimate.maxPriorityFeePerGas };
  }

  function bump(fees: Fees): Fees {
    if ("gasPrice" in fees) return fees;
    const up = (value: bigint) => (value * BigInt(Math.round((100 + bumpPercent) * 100)) + 9_999n) / 10_000n + 1n;
    return { maxFeePerGas: up(fees.maxFeePerGas), maxPriorityFeePerGas: up(fees.maxPriorityFeePerGas) };
  }

  /**
   * Gas for the call, which is also the revert check. Pipelined sends estimate against the pending state (earlier
   * transactions of the sender may not be mined yet); a node that does not take a block tag there is asked again
   * without one.
   */
  async function estimate(from: Address, to: Address, data: Hex, value: bigint | undefined, mode: "sequential" | "pipelined") {
    if (mode === "pipelined") {
      try {
        return await rpc("eth_estimateGas", () => client.estimateGas({ account: from, to, data, value, blockTag: "pending" }));
      } catch (error) {
        if (error instanceof RelayerRevertError || error instanceof RelayerTransportError) throw error;
      }
    }
    return rpc("eth_estimateGas", () => client.estimateGas({ account: from, to, data, value }));
  }

  function withLock<T>(sender: Sender, body: () => Promise<T>): Promise<T> {
    const run = sender.lock.then(body, body);
    sender.lock = run.catch(() => undefined);
    return run;
  }

  async function signAndSend(sender: Sender, tx: Parameters<PrivateKeyAccount["signTransaction"]>[0]): Promise<Hex> {
    const raw = await sender.account.signTransaction(tx);
    const hash = keccak256(raw);
    try {
      await rpc("eth_sendRawTransaction", () => client.sendRawTransaction({ serializedTransaction: raw }), hash);
    } catch (error) {
      const message = (error as BaseError).cause instanceof Error ? ((error as BaseError).cause as Error).message : "";
      // Already in the pool (a resend), or mined and reverted under automine: the hash is ours either way.
      if (/already known|known transaction|already imported/i.test(message)) return hash;
      if (error instanceof RelayerRevertError) return hash;
      throw error;
    }
    return hash;
  }

  async function revertOf(
    call: RelayerCall & { data: Hex },
    from: Address,
    receipt: TransactionReceipt,
  ): Promise<RelayerRevertError> {
    // Replay the call on the state before its block to read the revert data (best effort: a revert caused by an
    // earlier transaction of the same block may not reproduce, and then the name is unknown).
    try {
      await client.call({
        account: from,
        to: call.to,
        data: call.data,
        value: call.value,
        blockNumber: receipt.blockNumber - 1n,
      });
      return new RelayerRevertError({ errorName: undefined, txHash: receipt.transactionHash });
    } catch (error) {
      const classified = classifyRelayerError(error, errorsAbi, receipt.transactionHash);
      if (classified instanceof RelayerRevertError) return classified;
      return new RelayerRevertError({ ...decodeRevert(errorsAbi, undefined), txHash: receipt.transactionHash, cause: error });
    }
  }

  async function waitMined(
    sender: Sender,
    tx: Parameters<PrivateKeyAccount["signTransaction"]>[0],
    firstHash: Hex,
    kind: "free" | "eip1559",
  ) {
    const hashes: Hex[] = [firstHash];
    const started = Date.now();
    let lastSend = started;
    let current = tx;
    for (;;) {
      for (const hash of hashes) {
        // Not found yet, or the node is unreachable for a moment: the transaction is out there either way, so keep
        // polling until the timeout rather than report an outcome we do not know.
        const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt !== undefined) return { receipt, replacements: hashes.length - 1 };
      }
      if (Date.now() - started > receiptTimeoutMs) {
        throw new RelayerTimeoutError(`no receipt within ${receiptTimeoutMs} ms`, { hashes, nonce: tx.nonce });
      }
      if (Date.now() - lastSend > bumpAfterMs) {
        lastSend = Date.now();
        if (kind === "eip1559") {
          current = { ...current, ...bump(current as unknown as Fees) } as typeof tx;
          hashes.push(await signAndSend(sender, current).catch(() => hashes[hashes.length - 1] as Hex));
          bumpsCounter.inc({ kind: "fee_bump" });
          log.info(
            { from: sender.account.address, nonce: tx.nonce, hash: hashes[hashes.length - 1] },
            "replaced with higher fees",
          );
        } else {
          await signAndSend(sender, current).catch(() => undefined);
          bumpsCounter.inc({ kind: "rebroadcast" });
        }
      }
      await sleep(pollIntervalMs);
    }
  }

  async function send(call: RelayerCall): Promise<RelayerReceipt> {
    if (closed) throw new RelayerSendError("relayer closed", undefined, "RELAYER_CLOSED");
    const { chainId, mode, fees: feeKind } = await init();
    const sender = call.from === undefined ? [...senders.values()][0] : senders.get(call.from.toLowerCase());
    if (sender === undefined) throw new RelayerSendError(`relayer: no key for sender ${call.from}`, undefined, "RELAYER_CONFIG");
    const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args ?? [] } as Parameters<
      typeof encodeFunctionData
    >[0]);
    const from = sender.account.address;
    const full = { ...call, data };

    const prepareAndSend = async () => {
      const gas = call.gas ?? (await estimate(from, call.to, data, call.value, mode));
      const fees = await initialFees(feeKind);
      sender.nextNonce ??= await rpc("eth_getTransactionCount", () =>
        client.getTransactionCount({ address: from, blockTag: "pending" }),
      );
      const nonce = sender.nextNonce;
      const tx = {
        chainId,
        nonce,
        to: call.to,
        data,
        value: call.value ?? 0n,
        gas: (gas * 12n) / 10n,
        ...("gasPrice" in fees ? { type: "legacy" as const, gasPrice: 0n } : { type: "eip1559" as const, ...fees }),
      };
      try {
        const hash = await signAndSend(sender, tx);
        sender.nextNonce = nonce + 1;
        return { tx, hash };
      } catch (error) {
        // Not sent: forget the local nonce so the next send asks the node again (no gap is left behind).
        sender.nextNonce = undefined;
        throw error;
      }
    };
    const prepareAndSendResyncing = async () => {
      try {
        return await prepareAndSend();
      } catch (error) {
        // Another process used this key: one more try with the node's nonce.
        if ((error as BaseError).code !== "RELAYER_NONCE_TOO_LOW") throw error;
        log.warn({ from }, "nonce too low: resynchronised with the node");
        return prepareAndSend();
      }
    };

    const lifecycle = async (): Promise<RelayerReceipt> => {
      const sent = mode === "sequential" ? await prepareAndSendResyncing() : await withLock(sender, prepareAndSendResyncing);
      inflightGauge.inc();
      try {
        const { receipt, replacements } = await waitMined(sender, sent.tx, sent.hash, feeKind);
        if (receipt.status === "reverted") throw await revertOf(full, from, receipt);
        sendsCounter.inc({ outcome: "success" });
        log.debug({ from, nonce: sent.tx.nonce, hash: receipt.transactionHash }, "transaction mined");
        return { hash: receipt.transactionHash, receipt, nonce: sent.tx.nonce, replacements };
      } finally {
        inflightGauge.dec();
      }
    };

    const promise = (mode === "sequential" ? withLock(sender, lifecycle) : lifecycle()).catch((error: unknown) => {
      const classified = classifyRelayerError(error, errorsAbi);
      const outcome = classified instanceof RelayerRevertError ? "reverted" : classified.retryable ? "retryable" : "failed";
      sendsCounter.inc({ outcome });
      log.warn(
        { from, to: call.to, functionName: call.functionName, outcome, code: classified.code, error: classified.message },
        "send failed",
      );
      throw classified;
    });
    inflight.add(promise);
    void promise.catch(() => undefined).finally(() => inflight.delete(promise));
    return promise;
  }

  const relayer: Relayer = {
    send,
    senders: () => [...senders.values()].map((s) => s.account.address),
    init,
    async close() {
      closed = true;
      await Promise.allSettled([...inflight]);
    },
  };
  ctx.shutdown?.register("services", "relayer", () => relayer.close());
  return relayer;
}

/**
 * The platform relayer from configuration: `RELAYER_KEY` signs, `RPC_URL` (or the embedded node's URL given as
 * `rpcUrl`) is the node, mode and fees are detected from the chain.
 */
export function createRelayerFromConfig(ctx: RelayerContext & Pick<Context, "config">, rpcUrl?: string): Relayer {
  const key = ctx.config.keys.relayer;
  const url = rpcUrl ?? ctx.config.chain.rpcUrl;
  if (key === undefined) throw new RelayerSendError("RELAYER_KEY is not set", undefined, "RELAYER_CONFIG");
  if (url === undefined)
    throw new RelayerSendError("no RPC URL: set RPC_URL or pass the embedded node's URL", undefined, "RELAYER_CONFIG");
  return createRelayer(ctx, { rpcUrl: url, keys: [key] });
}
