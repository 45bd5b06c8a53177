/**
 * The action hook for custody discrepancies: freezes the batch on-chain with the agent's
 * `CreditToken.freezeBatch(uint256 batchId, uint16 reasonCode)` (no mint, no transfer; burns still go through, so
 * registry-confirmed exits are still recorded). Idempotent: a batch already frozen (indexed `frozen` flag in the
 * discrepancy's evidence), frozen by this freezer before, or being frozen right now is not frozen again, and the
 * contract's `CreditTokenBatchFrozenUnchanged` revert (frozen by someone else meanwhile) counts as done. A batch is
 * tried at most once per run; a failed attempt (node down) is logged, and retried by the next run.
 *
 * Which discrepancies freeze: `shortfall` and `status_mismatch` (hold, cancellation) by default, and a
 * `ghost_credit` that is an outside retirement (`details.outsideRetirement`: the registry retired units backing
 * supply, a status change in ARCHITECTURE.md §3.3's words) unless `freezeOnOutsideRetirement: false`. The other
 * ghost credit (units burned on-chain the registry still shows active) needs registry action, not a freeze.
 */
import type { Address, Hex } from "viem";
import { creditTokenAbi } from "../chain/abi";
import type { Logger } from "../logger";
import { type Relayer, sendUnlessUnchanged } from "../relayer";
import type { DiscrepancyClass, DiscrepancyRecord } from "./engine";

/** Reason codes the reconciliation engine freezes with (uint16, in `BatchFrozen.reasonCode`). */
export const FREEZE_REASON: Partial<Record<DiscrepancyClass, number>> = {
  shortfall: 0x5201,
  status_mismatch: 0x5202,
  ghost_credit: 0x5203,
};

/** The classes that freeze a batch by default (ARCHITECTURE.md §3.3: "a shortfall or a status change"). */
export const DEFAULT_FREEZE_CLASSES: readonly DiscrepancyClass[] = ["shortfall", "status_mismatch"];

export type CreateBatchFreezerParameters = {
  /** Sends as the CreditToken agent (a relayer holding AGENT_KEY): resolves once mined, rejects on a revert. */
  relayer: Pick<Relayer, "send">;
  creditToken: Address;
  classes?: readonly DiscrepancyClass[];
  logger?: Logger;
  /** Default true: freeze on a ghost credit that is an outside retirement. */
  freezeOnOutsideRetirement?: boolean;
};

export type BatchFreezer = {
  /** The `onDiscrepancy` hook. Resolves once the freeze transaction was mined (or skipped). */
  onDiscrepancy(discrepancy: DiscrepancyRecord): Promise<void>;
  /** Batches this freezer froze (batch id -> tx hash). */
  readonly frozen: ReadonlyMap<string, Hex | "already-frozen">;
  /** Forget a batch (after an agent unfroze it), so a new discrepancy freezes it again. */
  forget(batchId: string): void;
};

export function createBatchFreezer(parameters: CreateBatchFreezerParameters): BatchFreezer {
  const classes = new Set(parameters.classes ?? DEFAULT_FREEZE_CLASSES);
  const frozen = new Map<string, Hex | "already-frozen">();
  const inFlight = new Map<string, Promise<void>>();
  // One attempt per batch per run: a batch with two discrepancies is frozen once; a failed attempt is retried by
  // the next run.
  const attempted = new Map<string, string>();
  const log = parameters.logger?.child({ component: "reconciliation-freezer" });

  async function freeze(batchId: string, cls: DiscrepancyClass): Promise<void> {
    const reasonCode = FREEZE_REASON[cls] ?? 0x5200;
    try {
      const hash = await sendUnlessUnchanged(
        parameters.relayer,
        { to: parameters.creditToken, abi: creditTokenAbi, functionName: "freezeBatch", args: [BigInt(batchId), reasonCode] },
        "CreditTokenBatchFrozenUnchanged",
      );
      if (hash === "unchanged") {
        frozen.set(batchId, "already-frozen");
        return;
      }
      frozen.set(batchId, hash);
      log?.warn({ batchId, class: cls, reasonCode, txHash: hash }, "batch frozen on-chain by reconciliation");
    } catch (error) {
      log?.error(
        { batchId, class: cls, err: error instanceof Error ? error.message : String(error) },
        "freezing the batch failed",
      );
      throw error;
    }
  }

  return {
    frozen,
    forget(batchId) {
      frozen.delete(batchId);
      attempted.delete(batchId);
    },
    async onDiscrepancy(discrepancy) {
      const outsideRetirement =
        discrepancy.class === "ghost_credit" &&
        discrepancy.details.outsideRetirement === true &&
        (parameters.freezeOnOutsideRetirement ?? true);
      if ((!classes.has(discrepancy.class) && !outsideRetirement) || discrepancy.batchId === null) return;
      const batchId = discrepancy.batchId;
      if (discrepancy.details.frozen === true || frozen.has(batchId)) return;
      const running = inFlight.get(batchId);
      if (running !== undefined) return running;
      if (attempted.get(batchId) === discrepancy.runId) return;
      attempted.set(batchId, discrepancy.runId);
      const attempt = freeze(batchId, discrepancy.class).finally(() => inFlight.delete(batchId));
      inFlight.set(batchId, attempt);
      return attempt;
    },
  };
}
