import { Command } from "commander";
import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { type ChainProcessOptions, runChainProcess } from "../platform/chainProcess";

/** Internal: the embedded chain process `npm start` forks (platform/chainProcess.ts). Not for operators. */
export function embeddedChainCommand(): Command {
  return new Command("embedded-chain")
    .description("internal: run the embedded chain for `carbon start` (needs the IPC channel of its parent)")
    .argument("<options>", "JSON: port, blockTimeMs, threshold, confirmations")
    .action(async (options: string) => {
      if (process.send === undefined) throw new Error("embedded-chain is started by `carbon start`, not by hand");
      const logger = createLogger({ level: loadConfig().logLevel }).child({ component: "chain" });
      await runChainProcess(JSON.parse(options) as ChainProcessOptions, logger);
    });
}
