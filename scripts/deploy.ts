/**
 * Deploys the platform to the network Hardhat is pointed at (`--network`, RPC URL from hardhat.config.ts) and
 * writes the addresses to `deployments/<network>.json`.
 *
 * Environment: ORACLE_ADDRESSES (comma-separated, required), ORACLE_THRESHOLD (default majority),
 * ADMIN_ADDRESS, GUARDIAN_ADDRESS, AGENT_ADDRESS, KYC_AGENT_ADDRESS, PAUSER_ADDRESS (default: the deployer),
 * REQUEST_WINDOW_SECONDS (default 7 days), TOKEN_URI.
 *
 * Settlement hook: when `scripts/lib/deploySettlement.ts` exists (owned by the Settlement engineer) its
 * `deploySettlement({ identity, token, bridge }, { deployer, admin })` runs after the core while the deployer is still
 * admin (it grants REQUESTER_ROLE and registers the Settlement identity); the addresses it returns are merged.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { type CoreDeployment, coreConfigFromEnv, deployCore, finalizeCoreAdmin } from "./lib/deployCore";

type Addressable = { getAddress(): Promise<string> };
type SettlementHook = (
  core: { identity: unknown; token: unknown; bridge: unknown },
  params: { deployer: CoreDeployment["deployer"]; admin?: string },
) => Promise<{ settlement: Addressable; paymentToken?: Addressable | undefined }>;

async function runSettlementHook(hook: SettlementHook, core: CoreDeployment): Promise<Record<string, string>> {
  const admin = core.config.admin;
  const params = admin === undefined ? { deployer: core.deployer } : { deployer: core.deployer, admin };
  const { settlement, paymentToken } = await hook(
    { identity: core.identityRegistry, token: core.creditToken, bridge: core.registryBridge },
    params,
  );
  const out: Record<string, string> = { settlement: await settlement.getAddress() };
  if (paymentToken !== undefined) out.paymentToken = await paymentToken.getAddress();
  return out;
}

async function loadSettlementHook(): Promise<SettlementHook | undefined> {
  const file = path.join(__dirname, "lib", "deploySettlement.ts");
  if (!fs.existsSync(file)) return undefined;
  const mod = (await import(file)) as { deploySettlement?: SettlementHook };
  return mod.deploySettlement;
}

async function main(): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined) throw new Error("no deployer account configured for this network");
  const config = coreConfigFromEnv(process.env, deployer.address);
  const core = await deployCore(hre, config, deployer);
  const hook = await loadSettlementHook();
  const extra = hook === undefined ? {} : await runSettlementHook(hook, core);
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
