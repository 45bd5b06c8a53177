/**
 * Coalescing of calls that arrive close together into one transaction. `createCallBatcher` is generic: items
 * added within `windowMs` (or until `maxItems`) are flushed together and each caller gets its own result.
 * `createAttestationBatcher` uses it for the bridge's batched entry points (`confirmDeposits`,
 * `confirmRetirements`, `confirmWithdrawals`): the oracle quorum signs one `...Batch` attestation over the items,
 * and a revert of the batch is bisected so one bad item fails alone (with its custom error) while the others land.
 * `confirmDeposits` also takes one unsigned hint per deposit (`extraArgs`, `chain/deposits.ts` `depositHintsOf`).
 */
import type { Address, Hex } from "viem";
import { registryBridgeAbi } from "../chain/abi";
import type { DepositConfirmed, RetirementConfirmed, WithdrawalConfirmed } from "../chain/attestations";
import { RelayerRevertError } from "./errors";
import type { Relayer, RelayerReceipt } from "./relayer";

export type CreateCallBatcherParameters<I, R> = {
  /** How long the first item of a batch waits for company (default 50 ms). */
  windowMs?: number;
  /** Flush at once when this many items wait (default 50). */
  maxItems?: number;
  /** Sends the items; returns one result per item, in order. */
  flush: (items: I[]) => Promise<R[]>;
};

export type CallBatcher<I, R> = {
  add(item: I): Promise<R>;
  /** Flushes what waits now. */
  flushNow(): Promise<void>;
  /** Flushes what waits and waits for flushes in progress. */
  close(): Promise<void>;
};

export function createCallBatcher<I, R>(params: CreateCallBatcherParameters<I, R>): CallBatcher<I, R> {
  const windowMs = params.windowMs ?? 50;
  const maxItems = params.maxItems ?? 50;
  let waiting: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  const running = new Set<Promise<void>>();

  function flushNow(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return Promise.resolve();
    const run = (async () => {
      try {
        const results = await params.flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.resolve(results[i] as R));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    })();
    running.add(run);
    void run.finally(() => running.delete(run));
    return run;
  }

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        if (waiting.length >= maxItems) void flushNow();
        else timer ??= setTimeout(() => void flushNow(), windowMs);
      });
    },
    flushNow,
    async close() {
      await flushNow();
      await Promise.allSettled([...running]);
    },
  };
}

/** The bridge's batched entry points and the items each takes (one quorum signs the `...Batch` attestation). */
export type BatchedAttestations = {
  confirmDeposits: DepositConfirmed;
  confirmRetirements: RetirementConfirmed;
  confirmWithdrawals: WithdrawalConfirmed;
};

export type CreateAttestationBatcherParameters<F extends keyof BatchedAttestations> = {
  relayer: Relayer;
  registryBridge: Address;
  functionName: F;
  /** The oracle quorum's signatures over the batch attestation of `items` (sorted by signer). */
  signBatch: (items: readonly BatchedAttestations[F][]) => Promise<Hex[]>;
  /**
   * Arguments after `(items, signatures)`, computed for each send (a bisected half gets its own): the deposit hints
   * of `confirmDeposits` (`depositHintsOf`).
   */
  extraArgs?: (items: readonly BatchedAttestations[F][]) => Promise<readonly unknown[]>;
  windowMs?: number;
  maxItems?: number;
};

/**
 * Coalesces attestations for one of the bridge's batched entry points. Each item resolves with the receipt of the
 * transaction that carried it; a reverted batch is bisected (and re-signed) until the failing items stand alone,
 * each rejected with its own `RelayerRevertError`.
 */
export function createAttestationBatcher<F extends keyof BatchedAttestations>(
  params: CreateAttestationBatcherParameters<F>,
): CallBatcher<BatchedAttestations[F], RelayerReceipt> {
  type Item = BatchedAttestations[F];
  async function sendItems(items: Item[]): Promise<Array<RelayerReceipt | RelayerRevertError>> {
    try {
      const signatures = await params.signBatch(items);
      const extra = params.extraArgs === undefined ? [] : await params.extraArgs(items);
      const receipt = await params.relayer.send({
        to: params.registryBridge,
        abi: registryBridgeAbi,
        functionName: params.functionName,
        args: [items, signatures, ...extra],
      });
      return items.map(() => receipt);
    } catch (error) {
      if (!(error instanceof RelayerRevertError)) throw error;
      if (items.length === 1) return [error];
      const middle = Math.ceil(items.length / 2);
      return [...(await sendItems(items.slice(0, middle))), ...(await sendItems(items.slice(middle)))];
    }
  }
  const inner = createCallBatcher<Item, RelayerReceipt | RelayerRevertError>({
    ...(params.windowMs === undefined ? {} : { windowMs: params.windowMs }),
    ...(params.maxItems === undefined ? {} : { maxItems: params.maxItems }),
    flush: sendItems,
  });
  return {
    async add(item) {
      const result = await inner.add(item);
      if (result instanceof RelayerRevertError) throw result;
      return result;
    },
    flushNow: inner.flushNow,
    close: inner.close,
  };
}

export type CreateRetirementConfirmationBatcherParameters = Omit<
  CreateAttestationBatcherParameters<"confirmRetirements">,
  "functionName"
>;

/** `confirmRetirements` batching (the attestation confirmations the registry workers produce most). */
export function createRetirementConfirmationBatcher(
  params: CreateRetirementConfirmationBatcherParameters,
): CallBatcher<RetirementConfirmed, RelayerReceipt> {
  return createAttestationBatcher({ ...params, functionName: "confirmRetirements" });
}
