/**
 * The deal keeper: moves conditional escrow deals on once the oracle quorum has attested their conditions, so
 * neither party has to watch for the moment. Every `intervalMs` it reads the index for
 *
 * - `deliver`: an open deal with a REGISTRY_DELIVERY condition whose other conditions all hold and whose delivery has
 *   not started (without a fiat leg, only before the deadline) -> `Settlement.startDelivery`;
 * - `settle`: an open deal whose conditions all hold -> `Settlement.settleDeal`.
 *
 * Both calls are permissionless and checked by Settlement itself; the keeper only saves the parties a transaction.
 * The relayer estimates each call before sending it, so a deal the chain has already moved on (a party was first,
 * another keeper, an index a block behind) reverts at estimation with Settlement's error and costs nothing. A deal
 * whose call fails is left alone for `retryAfterMs`, so one stuck deal is reported once per period, not every pass.
 */
import type { Address, Hex } from "viem";
import { settlementAbi } from "../chain/abi";
import type { Context } from "../context";
import { type Relayer, RelayerRevertError } from "../relayer";
import { createServicePasses } from "../serviceLoop";

export type DealAction = "deliver" | "settle";

export type DealKeeperOptions = {
  relayer: Pick<Relayer, "send">;
  settlement: Address;
  /** Pause between the end of one pass and the start of the next (default 1 s). */
  intervalMs?: number;
  /** How long a deal whose call failed is left alone (default 30 s). */
  retryAfterMs?: number;
  /** Most deals per pass, oldest first (default 100). */
  batchSize?: number;
};

export type DealKeeperPass = {
  sent: Array<{ dealId: Hex; action: DealAction; txHash: Hex }>;
  /** Calls Settlement refused at estimation because the deal had already moved on. */
  alreadyDone: number;
  failed: number;
};

export type DealKeeper = {
  /** One pass now (waits for a pass in progress first). */
  runOnce(): Promise<DealKeeperPass>;
  start(): void;
  stop(): Promise<void>;
};

const FUNCTION: Record<DealAction, string> = { deliver: "startDelivery", settle: "settleDeal" };
/** Settlement's answer for a deal another caller (or this keeper, a block ago) has already moved on. */
const ALREADY_DONE = "SettlementDealWrongStatus";

/** The deals to move, from the indexer's `deals` projection (conditions are jsonb arrays of condition names). */
const CANDIDATES = `
  SELECT deal_id, action FROM (
    SELECT deal_id, 'deliver' AS action, created_at FROM deals
     WHERE status = 'open' AND delivery_request_id IS NULL AND conditions ? 'REGISTRY_DELIVERY'
       AND (conditions - 'REGISTRY_DELIVERY') <@ conditions_satisfied
       AND (conditions ? 'FIAT_PAYMENT_RECEIVED' OR deadline > now())
    UNION ALL
    SELECT deal_id, 'settle', created_at FROM deals
     WHERE status = 'open' AND conditions <@ conditions_satisfied
  ) candidates
  WHERE NOT deal_id = ANY($2::text[])
  ORDER BY created_at, deal_id LIMIT $1`;

export function createDealKeeper(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "shutdown">,
  options: DealKeeperOptions,
): DealKeeper {
  const log = ctx.logger.child({ component: "deal-keeper" });
  const retryAfterMs = options.retryAfterMs ?? 30_000;
  const calls = ctx.metrics.counter({
    name: "deal_keeper_calls_total",
    help: "Settlement calls of the deal keeper by action and outcome (sent, already_done, failed)",
    labelNames: ["action", "outcome"] as const,
  });
  /** Deal id -> when it may be tried again after a failure (resting deals are not even read, so they starve nothing). */
  const restingUntil = new Map<Hex, number>();

  async function move(dealId: Hex, action: DealAction, pass: DealKeeperPass): Promise<void> {
    try {
      const { hash } = await options.relayer.send({
        to: options.settlement,
        abi: settlementAbi,
        functionName: FUNCTION[action],
        args: [dealId],
      });
      pass.sent.push({ dealId, action, txHash: hash });
      calls.inc({ action, outcome: "sent" });
      log.info({ dealId, action, txHash: hash }, `deal keeper: ${FUNCTION[action]} sent`);
    } catch (error) {
      const errorName = error instanceof RelayerRevertError ? error.errorName : undefined;
      // Refused at estimation (no transaction hash): nothing was sent.
      if (errorName === ALREADY_DONE && (error as RelayerRevertError).txHash === undefined) {
        pass.alreadyDone += 1;
        calls.inc({ action, outcome: "already_done" });
        log.debug({ dealId, action, errorName }, "deal keeper: the deal has moved on already");
        return;
      }
      restingUntil.set(dealId, Date.now() + retryAfterMs);
      pass.failed += 1;
      calls.inc({ action, outcome: "failed" });
      log.warn(
        { dealId, action, errorName, err: error },
        `deal keeper: ${FUNCTION[action]} failed; tried again in ${retryAfterMs} ms`,
      );
    }
  }

  async function execute(): Promise<DealKeeperPass> {
    const pass: DealKeeperPass = { sent: [], alreadyDone: 0, failed: 0 };
    const now = Date.now();
    for (const [dealId, until] of restingUntil) if (until <= now) restingUntil.delete(dealId);
    const { rows } = await ctx.db.pool.query<{ deal_id: Hex; action: DealAction }>(CANDIDATES, [
      options.batchSize ?? 100,
      [...restingUntil.keys()],
    ]);
    for (const row of rows) await move(row.deal_id, row.action, pass);
    return pass;
  }

  return createServicePasses(ctx.shutdown, {
    name: "deal-keeper",
    intervalMs: options.intervalMs ?? 1_000,
    pass: execute,
    onError: (error) => log.error({ err: error }, "deal keeper pass failed"),
  });
}
