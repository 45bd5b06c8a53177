import { Command } from "commander";
import { apiKeyCommand } from "./apiKey";
import { auditCommand } from "./audit";
import { cctsCommand } from "./ccts";
import { embeddedChainCommand } from "./embeddedChain";
import { kycCommand } from "./kyc";
import { aggregatorCommand, oracleCommand } from "./oracle";
import { reconcileCommand } from "./reconcile";
import { serialCommand } from "./serial";
import { simulateCommand } from "./simulate";
import { startCommand } from "./start";
import { workerCommand } from "./worker";

/** Builds the `carbon` command tree. Each area registers its subcommands here. */
export function buildCli(): Command {
  const program = new Command("carbon").description("Carbon custody platform: operator and auditor commands");
  program.showHelpAfterError();
  program.addCommand(serialCommand());
  program.addCommand(simulateCommand());
  program.addCommand(auditCommand());
  program.addCommand(startCommand());
  program.addCommand(apiKeyCommand());
  program.addCommand(reconcileCommand());
  program.addCommand(workerCommand());
  program.addCommand(oracleCommand());
  program.addCommand(aggregatorCommand());
  program.addCommand(cctsCommand());
  program.addCommand(kycCommand());
  program.addCommand(embeddedChainCommand(), { hidden: true });
  return program;
}

/** Entry point used by `bin/carbon.js`. Exits non-zero with the error message on failure. */
export function main(argv: string[]): void {
  buildCli()
    .parseAsync(argv)
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    });
}
