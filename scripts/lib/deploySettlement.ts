/**
 * Deploys Settlement on top of the core contracts (identity registry, credit token, registry bridge): grants it
 * `REQUESTER_ROLE` on the bridge (fill-and-retire, registry delivery of deals), registers it as a verified
 * platform identity (country 0, no expiry) so it can hold escrow, and on local networks deploys the 6-decimal
 * test payment token. Idempotent parts are not re-run: call it once per core deployment.
 */
import hre from "hardhat";
import type { Signer } from "ethers";
import type { CreditToken, IdentityRegistry, RegistryBridge, Settlement, TestPaymentToken } from "../../typechain-types";

/** The part of the core deployment Settlement needs. */
export type SettlementCore = {
  identity: IdentityRegistry;
  token: CreditToken;
  bridge: RegistryBridge;
};

export type DeploySettlementParameters = {
  /** Deploys; must hold `DEFAULT_ADMIN_ROLE` on the bridge and `KYC_AGENT_ROLE` on the identity registry. */
  deployer: Signer;
  /** Receives `DEFAULT_ADMIN_ROLE` and `MARKET_ADMIN_ROLE` on Settlement (defaults to the deployer). */
  admin?: string;
  /** Platform fee recipient (defaults to the admin) and rate in basis points (defaults to 0, at most 1,000). */
  feeRecipient?: string;
  feeBps?: number;
  /** Deploy `TestPaymentToken`; defaults to true on the local chains (31337). */
  deployTestPaymentToken?: boolean;
};

export type DeploySettlementReturnType = {
  settlement: Settlement;
  /** Present when a test payment token was deployed. */
  paymentToken: TestPaymentToken | undefined;
};

const LOCAL_CHAIN_IDS = new Set([31337n, 1337n]);
const PLATFORM_COUNTRY = 0;
const NO_EXPIRY = (1n << 64n) - 1n;

export async function deploySettlement(
  core: SettlementCore,
  params: DeploySettlementParameters,
): Promise<DeploySettlementReturnType> {
  const { ethers } = hre;
  const deployer = params.deployer;
  const deployerAddress = await deployer.getAddress();
  const admin = params.admin ?? deployerAddress;
  const factory = await ethers.getContractFactory("Settlement", deployer);
  const settlement = (await factory.deploy(
    await core.token.getAddress(),
    await core.bridge.getAddress(),
    admin,
    params.feeRecipient ?? admin,
    params.feeBps ?? 0,
  )) as unknown as Settlement;
  await settlement.waitForDeployment();
  const settlementAddress = await settlement.getAddress();

  const requesterRole = await core.bridge.REQUESTER_ROLE();
  await (await core.bridge.connect(deployer).grantRole(requesterRole, settlementAddress)).wait();
  await (await core.identity.connect(deployer).registerIdentity(settlementAddress, PLATFORM_COUNTRY, NO_EXPIRY)).wait();

  const chainId = (await ethers.provider.getNetwork()).chainId;
  let paymentToken: TestPaymentToken | undefined;
  if (params.deployTestPaymentToken ?? LOCAL_CHAIN_IDS.has(chainId)) {
    const tokenFactory = await ethers.getContractFactory("TestPaymentToken", deployer);
    paymentToken = (await tokenFactory.deploy("Test USD", "TUSD")) as unknown as TestPaymentToken;
    await paymentToken.waitForDeployment();
  }
  return { settlement, paymentToken };
}
