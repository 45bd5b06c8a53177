/**
 * Deploys the platform to the network Hardhat is pointed at (`--network`, RPC URL from hardhat.config.ts) and
 * writes the addresses to `deployments/<network>.json`.
 *
 * Environment: ORACLE_ADDRESSES (comma-separated, required), ORACLE_THRESHOLD (default majority),
 * ADMIN_ADDRESS, GUARDIAN_ADDRESS, AGENT_ADDRESS, KYC_AGENT_ADDRESS, PAUSER_ADDRESS (default: the deployer),
 * REQUEST_WINDOW_SECONDS (default 7 days), TOKEN_URI.
 *
 * Settlement (`scripts/lib/deploySettlement.ts`) runs after the core while the deployer is still admin (it grants
 * REQUESTER_ROLE and registers the Settlement identity). FEE_RECIPIENT_ADDRESS (default: the admin) and FEE_BPS
 * (default 0) set its platform fee; PAYMENT_TOKENS (comma-separated ERC-20 addresses) are listed as payment tokens
 * (Settlement refuses any other); on local chains it also deploys the test payment token and lists it. When the
 * admin is not the deployer, the tokens are printed for the admin to list (`setPaymentToken(token, true)`).
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { type CoreDeployment, coreConfigFromEnv, deployCore, finalizeCoreAdmin } from "./lib/deployCore";
import { deploySettlement } from "./lib/deploySettlement";

async function runSettlement(core: CoreDeployment): Promise<Record<string, string>> {
  const fee = process.env.FEE_BPS;
  const paymentTokens = (process.env.PAYMENT_TOKENS ?? "").split(",").map((t) => t.trim()).filter((t) => t !== "");
  const { addresses, unlistedPaymentTokens } = await deploySettlement(core, {
    admin: core.config.admin,
    feeRecipient: process.env.FEE_RECIPIENT_ADDRESS,
    feeBps: fee === undefined ? undefined : Number(fee),
    paymentTokens,
  });
  for (const token of unlistedPaymentTokens) {
    console.log(`the Settlement admin must list payment token ${token}: setPaymentToken(${token}, true)`);
  }
  const out: Record<string, string> = { settlement: addresses.settlement };
  if (addresses.paymentToken !== undefined) out.paymentToken = addresses.paymentToken;
  return out;
}

async function main(): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined) throw new Error("no deployer account configured for this network");
  const config = coreConfigFromEnv(process.env, deployer.address);
  const core = await deployCore(hre, config, deployer);
  const extra = await runSettlement(core);
  await finalizeCoreAdmin(core);

  const network = await hre.ethers.provider.getNetwork();
  const out = {
    network: hre.network.name,
    chainId: Number(network.chainId),
    startBlock: core.startBlock,
    deployedAt: new Date().toISOString(),
    oracles: config.oracles,
    threshold: config.threshold,
    ...core.addresses,
    ...extra,
  };
  const dir = path.join(__dirname, "..", "deployments");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${hre.network.name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`deployed to ${hre.network.name} (chain ${out.chainId}); addresses in ${file}`);
  console.log(JSON.stringify(out, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
