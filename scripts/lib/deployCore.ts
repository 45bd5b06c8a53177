/**
 * Deploys and wires the custody core (IdentityRegistry, CreditToken, RegistryBridge) on any network Hardhat is
 * pointed at. Used by `scripts/deploy.ts`, the embedded stack and `test/contracts/fixtures.ts`.
 *
 * Wiring (docs/contracts-design.md): the token reads the identity registry (immutable) and gets FREEZER_ROLE there
 * for its agent freeze functions; the bridge is set once on the token; the bridge is a verified identity with
 * country 0 and expiry `type(uint64).max`. The deployer keeps DEFAULT_ADMIN_ROLE and KYC_AGENT_ROLE until
 * `finalizeCoreAdmin`, so a later step (Settlement: `scripts/lib/deploySettlement.ts`) can grant REQUESTER_ROLE and
 * register its own identity with the same signer.
 */
import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { CreditToken, IdentityRegistry, RegistryBridge } from "../../typechain-types";

export const MAX_UINT64 = (1n << 64n) - 1n;
/** Country code of platform-owned identities (bridge, settlement). */
export const PLATFORM_COUNTRY = 0;

export type CoreConfig = {
  /** Final DEFAULT_ADMIN_ROLE holder of every contract (defaults to the deployer). */
  admin?: string | undefined;
  /** GUARDIAN_ROLE on the bridge (per-registry pause). */
  guardian: string;
  /** AGENT_ROLE on the token (freezes, forced transfers, recovery). */
  agent: string;
  /** KYC_AGENT_ROLE on the identity registry. */
  kycAgent: string;
  /** PAUSER_ROLE on the token (defaults to the guardian). */
  pauser?: string | undefined;
  /** Oracle addresses (N) and the quorum (M, 2 <= M <= N). */
  oracles: string[];
  threshold: number;
  /** Seconds from a retirement/withdrawal request to its overdue deadline. */
  requestWindowSeconds: number;
  /** ERC-1155 metadata URI template. */
  tokenUri?: string | undefined;
};

export type CoreContracts = {
  identityRegistry: IdentityRegistry;
  creditToken: CreditToken;
  registryBridge: RegistryBridge;
};

export type CoreAddresses = {
  identityRegistry: string;
  creditToken: string;
  registryBridge: string;
};

export type CoreDeployment = CoreContracts & {
  addresses: CoreAddresses;
  deployer: Signer;
  config: CoreConfig;
  /** Block number of the first deployment transaction (where an indexer starts). */
  startBlock: number;
};

type Hre = Pick<HardhatRuntimeEnvironment, "ethers">;

/** Deploys the three custody contracts and wires them; the deployer stays admin (see `finalizeCoreAdmin`). */
export async function deployCore(hre: Hre, config: CoreConfig, deployer?: Signer): Promise<CoreDeployment> {
  const { ethers } = hre;
  const signer = deployer ?? (await ethers.getSigners())[0];
  if (signer === undefined) throw new Error("deployCore: no deployer signer available");
  const me = await signer.getAddress();
  const startBlock = await ethers.provider.getBlockNumber();

  const identityRegistry = (await (await ethers.getContractFactory("IdentityRegistry", signer)).deploy(
    me,
  )) as unknown as IdentityRegistry;
  await identityRegistry.waitForDeployment();
  const creditToken = (await (await ethers.getContractFactory("CreditToken", signer)).deploy(
    await identityRegistry.getAddress(),
    me,
    config.tokenUri ?? "",
  )) as unknown as CreditToken;
  await creditToken.waitForDeployment();
  const registryBridge = (await (await ethers.getContractFactory("RegistryBridge", signer)).deploy(
    await creditToken.getAddress(),
    me,
    config.oracles,
    config.threshold,
    config.requestWindowSeconds,
  )) as unknown as RegistryBridge;
  await registryBridge.waitForDeployment();

  const addresses: CoreAddresses = {
    identityRegistry: await identityRegistry.getAddress(),
    creditToken: await creditToken.getAddress(),
    registryBridge: await registryBridge.getAddress(),
  };
  await wireCore({ identityRegistry, creditToken, registryBridge }, addresses, config, me);
  return { identityRegistry, creditToken, registryBridge, addresses, deployer: signer, config, startBlock };
}

async function wireCore(c: CoreContracts, a: CoreAddresses, config: CoreConfig, me: string): Promise<void> {
  const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => {
    await (await tx).wait();
  };
  const kyc = await c.identityRegistry.KYC_AGENT_ROLE();
  await send(c.creditToken.setBridge(a.registryBridge));
  await send(c.identityRegistry.grantRole(await c.identityRegistry.FREEZER_ROLE(), a.creditToken));
  await send(c.identityRegistry.grantRole(kyc, me));
  await send(c.identityRegistry.registerIdentity(a.registryBridge, PLATFORM_COUNTRY, MAX_UINT64));
  await send(c.identityRegistry.grantRole(kyc, config.kycAgent));
  await send(c.creditToken.grantRole(await c.creditToken.AGENT_ROLE(), config.agent));
  await send(c.creditToken.grantRole(await c.creditToken.PAUSER_ROLE(), config.pauser ?? config.guardian));
  await send(c.registryBridge.grantRole(await c.registryBridge.GUARDIAN_ROLE(), config.guardian));
  const admin = config.admin;
  if (admin !== undefined && admin.toLowerCase() !== me.toLowerCase()) {
    const adminRole = await c.identityRegistry.DEFAULT_ADMIN_ROLE();
    await send(c.identityRegistry.grantRole(adminRole, admin));
    await send(c.creditToken.grantRole(adminRole, admin));
    await send(c.registryBridge.grantRole(adminRole, admin));
  }
}

/**
 * Hands the contracts to the configured admin: when `config.admin` differs from the deployer, the deployer
 * renounces KYC_AGENT_ROLE and DEFAULT_ADMIN_ROLE everywhere. Call after every deployment step that needs them.
 */
export async function finalizeCoreAdmin(core: CoreDeployment): Promise<void> {
  const me = await core.deployer.getAddress();
  const admin = core.config.admin;
  if (admin === undefined || admin.toLowerCase() === me.toLowerCase()) return;
  const adminRole = await core.identityRegistry.DEFAULT_ADMIN_ROLE();
  await (await core.identityRegistry.renounceRole(await core.identityRegistry.KYC_AGENT_ROLE(), me)).wait();
  for (const contract of [core.identityRegistry, core.creditToken, core.registryBridge]) {
    await (await contract.renounceRole(adminRole, me)).wait();
  }
}

/** Reads the core configuration from the environment (comma-separated oracle list). */
export function coreConfigFromEnv(env: NodeJS.ProcessEnv, fallback: string): CoreConfig {
  const list = (name: string): string[] =>
    (env[name] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const oracles = list("ORACLE_ADDRESSES");
  if (oracles.length === 0) throw new Error("ORACLE_ADDRESSES: set a comma-separated list of oracle addresses");
  const threshold = Number(env.ORACLE_THRESHOLD ?? Math.floor(oracles.length / 2) + 1);
  if (!Number.isInteger(threshold)) throw new Error(`ORACLE_THRESHOLD: not an integer: ${env.ORACLE_THRESHOLD}`);
  return {
    admin: env.ADMIN_ADDRESS ?? fallback,
    guardian: env.GUARDIAN_ADDRESS ?? fallback,
    agent: env.AGENT_ADDRESS ?? fallback,
    kycAgent: env.KYC_AGENT_ADDRESS ?? fallback,
    pauser: env.PAUSER_ADDRESS ?? env.GUARDIAN_ADDRESS ?? fallback,
    oracles,
    threshold,
    requestWindowSeconds: Number(env.REQUEST_WINDOW_SECONDS ?? 7 * 24 * 3600),
    tokenUri: env.TOKEN_URI ?? "",
  };
}
