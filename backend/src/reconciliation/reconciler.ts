/**
 * The reconciliation service: runs the engine on demand (`runOnce`) and every `intervalMs` (`start`/`stop`, with a
 * shutdown hook in the `services` phase). Runs never overlap. Every discrepancy is an alert: logged at error level
 * and counted in `carbon_reconciliation_discrepancies_total{class}`; then handed to each `onDiscrepancy` hook (the
 * platform wires `createBatchFreezer(...).onDiscrepancy`). A failing hook is logged and does not fail the run.
 */
import type { Context } from "../context";
import { createServicePasses } from "../serviceLoop";
import { type DiscrepancyRecord, type ReconciliationSummary, reconcile } from "./engine";

export type DiscrepancyHook = (discrepancy: DiscrepancyRecord) => Promise<void> | void;

export type ReconcilerOptions = {
  /** Pause between the end of one run and the start of the next (default 60 s). */
  intervalMs?: number;
  pendingLagMs?: number;
  onDiscrepancy?: DiscrepancyHook | DiscrepancyHook[];
};

export type Reconciler = {
  /** One run now (waits for a run in progress first). */
  runOnce(): Promise<ReconciliationSummary>;
  start(): void;
  stop(): Promise<void>;
  readonly running: boolean;
  readonly lastSummary: ReconciliationSummary | undefined;
};

export function createReconciler(
  ctx: Pick<Context, "db" | "logger" | "metrics" | "shutdown">,
  options: ReconcilerOptions = {},
): Reconciler {
  const intervalMs = options.intervalMs ?? 60_000;
  const hooks = options.onDiscrepancy === undefined ? [] : [options.onDiscrepancy].flat();
  const log = ctx.logger.child({ component: "reconciliation" });
  const discrepanciesTotal = ctx.metrics.counter({
    name: "reconciliation_discrepancies_total",
    help: "Discrepancies found by reconciliation runs, by class",
    labelNames: ["class"],
  });
  const runsTotal = ctx.metrics.counter({
    name: "reconciliation_runs_total",
    help: "Reconciliation runs, by outcome (clean, discrepancies, failed)",
    labelNames: ["status"],
  });
  const duration = ctx.metrics.histogram({
    name: "reconciliation_run_duration_seconds",
    help: "Duration of a reconciliation run",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });

  let lastSummary: ReconciliationSummary | undefined;

  async function execute(): Promise<ReconciliationSummary> {
    try {
      const { summary, found } = await reconcile(ctx.db.pool, { pendingLagMs: options.pendingLagMs });
      runsTotal.inc({ status: summary.status });
      duration.observe(summary.durationMs / 1000);
      for (const discrepancy of found) {
        discrepanciesTotal.inc({ class: discrepancy.class });
        log.error(
          { runId: summary.runId, class: discrepancy.class, batchId: discrepancy.batchId, registryId: discrepancy.registryId,
            expected: discrepancy.expected, actual: discrepancy.actual, details: discrepancy.details },
          `reconciliation: ${discrepancy.class} on batch ${discrepancy.batchId ?? "?"}`,
        );
      }
      for (const discrepancy of found) {
        for (const hook of hooks) {
          try {
            await hook(discrepancy);
          } catch (error) {
            log.error({ err: error, class: discrepancy.class, batchId: discrepancy.batchId }, "onDiscrepancy hook failed");
          }
        }
      }
      log.info(summary, "reconciliation run finished");
      lastSummary = summary;
      return summary;
    } catch (error) {
      runsTotal.inc({ status: "failed" });
      log.error({ err: error }, "reconciliation run failed");
      throw error;
    }
  }

  // First run right away, then every intervalMs after each run ends; stop() also waits for an on-demand run.
  // A failed run is logged by execute().
  const passes = createServicePasses(ctx.shutdown, { name: "reconciliation", intervalMs, pass: execute });

  return {
    runOnce: passes.runOnce,
    start: passes.start,
    stop: passes.stop,
    get running() {
      return passes.started;
    },
    get lastSummary() {
      return lastSummary;
    },
  };
}
