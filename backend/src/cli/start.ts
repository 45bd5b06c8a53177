import { Command } from "commander";
import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { ensureContractsCompiled } from "../platform/compile";
import { handleSignals } from "../shutdown";
import { ensureWebBuilt } from "../platform/webBuild";
import { DEV_ACCOUNT_INDEX, DEV_MNEMONIC, devPrivateKey } from "../platform/devAccounts";
import { type Platform, startPlatform } from "../platform/start";

/** The start-up summary: where everything is, and which development wallets are funded. */
export function describePlatform(platform: Platform): string {
  const lines = [
    "",
    "Carbon custody platform is running.",
    "",
    ...(platform.appUrl === undefined
      ? []
      : [
          `  Open the app ${platform.appUrl}   (market, trading, retirements, certificates, verification, operations console)`,
          ...(platform.wallets.length > 0
            ? [
                `  Wallet       import development wallet #${DEV_ACCOUNT_INDEX.buyer} (buyer, 1,000,000 TUSD) into your ` +
                  `browser wallet: private key ${devPrivateKey(DEV_ACCOUNT_INDEX.buyer)}`,
                `               (or #${DEV_ACCOUNT_INDEX.seller}, the seller of the demo batch: ` +
                  `${devPrivateKey(DEV_ACCOUNT_INDEX.seller)}; public test keys, never for real funds)`,
                `               from the mnemonic below, add network ${platform.rpcUrl} (chain id ` +
                  `${platform.deployment.chainId}), then Connect and Sign in`,
                `               operator console: paste the operator API key below on the Console page`,
              ]
            : []),
          "",
        ]),
    `  API          ${platform.apiUrl}   (OpenAPI: ${platform.apiUrl}/docs, ready: ${platform.apiUrl}/health/ready)`,
    `  Chain RPC    ${platform.rpcUrl}   (chain id ${platform.deployment.chainId})`,
    `  PostgreSQL   ${platform.ctx.db.embedded ? "embedded, under DATA_DIR" : "DATABASE_URL"}`,
    `  Deployment   ${platform.deploymentFile}   (DEPLOYMENT_FILE of carbon worker, oracle, aggregator)`,
    "",
    "  Registries",
    ...Object.entries(platform.simulators).map(([registry, url]) => `    ${registry.padEnd(14)} ${url}`),
    "",
    `  Bank         ${platform.bank.url}   (fiat collection account ${platform.ctx.config.payments.collectionAccount}, ` +
      `${platform.ctx.config.payments.currency}` +
      `${platform.bank.simulated ? "; simulator: POST /_admin/credits books a transfer" : ""})`,
    "",
    "  Contracts",
    ...(["identityRegistry", "creditToken", "registryBridge", "settlement", "paymentToken"] as const)
      .filter((name) => platform.deployment[name] !== undefined)
      .map((name) => `    ${name.padEnd(17)} ${platform.deployment[name]}`),
  ];
  if (platform.wallets.length > 0) {
    lines.push("", `  Development wallets (public test keys from the mnemonic "${DEV_MNEMONIC}")`);
    for (const wallet of platform.wallets) {
      lines.push(`    #${wallet.accountIndex} ${wallet.address}  ${wallet.role}`);
    }
  }
  if (platform.operatorKey !== undefined) {
    lines.push("", `  Operator API key (this run only; header X-Api-Key): ${platform.operatorKey}`);
  }
  lines.push("", "Ctrl-C stops everything.", "");
  return lines.join("\n");
}

export function startCommand(): Command {
  return new Command("start")
    .description("run the whole platform (embedded chain, PostgreSQL and registry simulators unless configured)")
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger({ level: config.logLevel });
      await ensureContractsCompiled(logger);
      await ensureWebBuilt(logger);
      const platform = await startPlatform(config);
      handleSignals(platform.ctx);
      process.stdout.write(describePlatform(platform));
    });
}
