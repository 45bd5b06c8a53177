/**
 * `carbon reconcile [--json] [--pending-lag <ms>]`: one reconciliation run against DATABASE_URL (or the embedded
 * PostgreSQL under DATA_DIR, started and stopped around the run), migrations applied first. Prints the run summary
 * (JSON with --json, on stdout; logs go to stderr).
 *
 * Exit codes: 0 clean; 2 discrepancies found (stored, and listed in the output); 1 error (the run could not be made).
 */
import { Command, InvalidArgumentError } from "commander";
import { type DiscrepancyRecord, type ReconciliationSummary, reconcile } from "../reconciliation";
import { withCommandDatabase } from "./database";

export const EXIT_CLEAN = 0;
export const EXIT_ERROR = 1;
export const EXIT_DISCREPANCIES = 2;

export type ReconcileCommandOptions = { json?: boolean; pendingLag?: number };

export type ReconcileIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
};

const processIo: ReconcileIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export function formatSummary(summary: ReconciliationSummary, found: DiscrepancyRecord[]): string {
  const lines = [
    `Reconciliation run ${summary.runId}: ${summary.status}`,
    `  batches ${summary.batches} (${summary.unobserved} with supply and no custody snapshot), registry blocks ` +
      `${summary.blocks}, ${summary.durationMs} ms` +
      (summary.checkpointBlock === null ? "" : `, indexed to block ${summary.checkpointBlock}`),
    ...Object.entries(summary.discrepancies).map(([cls, count]) => `  ${cls.padEnd(16)} ${count}`),
  ];
  for (const d of found.slice(0, 50)) {
    lines.push(
      `  - ${d.class} batch ${d.batchId ?? "?"} (${d.registryId ?? "?"}): expected ` +
        `${d.expected ?? "-"}, actual ${d.actual ?? "-"}`,
    );
  }
  if (found.length > 50)
    lines.push(`  ... and ${found.length - 50} more (GET /reconciliation/discrepancies?runId=${summary.runId})`);
  return `${lines.join("\n")}\n`;
}

/** The command's body; returns the exit code (tests call it directly). */
export async function runReconcileCommand(options: ReconcileCommandOptions, io: ReconcileIo = processIo): Promise<number> {
  try {
    const { summary, found } = await withCommandDatabase(io.env, (db) =>
      reconcile(db.pool, { pendingLagMs: options.pendingLag }),
    );
    if (options.json === true) io.stdout(`${JSON.stringify({ ...summary, found }, null, 2)}\n`);
    else io.stdout(formatSummary(summary, found));
    return summary.total === 0 ? EXIT_CLEAN : EXIT_DISCREPANCIES;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (options.json === true) io.stdout(`${JSON.stringify({ status: "error", error: message })}\n`);
    io.stderr(`reconcile failed: ${message}\n`);
    return EXIT_ERROR;
  }
}

function parseMs(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`expected milliseconds, got ${text}`);
  return Number(text);
}

export function reconcileCommand(): Command {
  return new Command("reconcile")
    .description(
      "run one reconciliation (registry custody snapshots vs chain state vs index); exit 0 clean, 2 discrepancies, 1 error",
    )
    .option("--json", "print the summary as JSON")
    .option("--pending-lag <ms>", "age after which a pending request the registry already shows is pending_lag", parseMs)
    .action(async (options: ReconcileCommandOptions) => {
      process.exitCode = await runReconcileCommand(options);
    });
}
