/**
 * Deploys Settlement on top of the custody core (`scripts/lib/deployCore.ts`): grants it `REQUESTER_ROLE` on the
 * bridge (fill-and-retire, registry delivery of deals), registers it as a verified platform identity (country 0,
 * expiry `type(uint64).max`) so it can hold escrow, lists the payment tokens fills and deals may use (Settlement
 * refuses any other), and on local chains deploys the 6-decimal test payment token and lists it.
 * Run it with the core's deployer before `finalizeCoreAdmin` (the deployer still holds the bridge's
 * DEFAULT_ADMIN_ROLE and the identity registry's KYC_AGENT_ROLE then). Uses the typechain factories, so it needs
 * no Hardhat runtime.
 */
import type { Signer } from "ethers";
import { MAX_UINT64, PLATFORM_COUNTRY } from "./deployCore";
import {
  Settlement__factory,
  TestPaymentToken__factory,
  type CreditToken,
  type IdentityRegistry,
  type RegistryBridge,
  type Settlement,
  type TestPaymentToken,
} from "../../typechain-types";

/** The part of a core deployment Settlement needs (a `CoreDeployment` fits). */
export type SettlementCore = {
  identityRegistry: IdentityRegistry;
  creditToken: CreditToken;
  registryBridge: RegistryBridge;
  /** Holds DEFAULT_ADMIN_ROLE on the bridge and KYC_AGENT_ROLE on the identity registry. */
  deployer: Signer;
};

export type DeploySettlementParameters = {
  /** DEFAULT_ADMIN_ROLE and MARKET_ADMIN_ROLE on Settlement (defaults to the deployer). */
  admin?: string | undefined;
  /** Platform fee recipient (defaults to the admin) and rate in basis points (defaults to 0, at most 1,000). */
  feeRecipient?: string | undefined;
  feeBps?: number | undefined;
  /** Deploy `TestPaymentToken` (defaults to true on local chains, 31337 and 1337); it is listed as a payment token. */
  deployTestPaymentToken?: boolean | undefined;
  /**
   * ERC-20 payment tokens to list (`Settlement.setPaymentToken`), e.g. a production stablecoin. Listed here when
   * the deployer is the admin (the default); otherwise returned in `unlistedPaymentTokens` for the admin to list.
   */
  paymentTokens?: readonly string[] | undefined;
};

export type DeploySettlementReturnType = {
  settlement: Settlement;
  /** Present when a test payment token was deployed. */
  paymentToken: TestPaymentToken | undefined;
  /** Payment tokens the deployer could not list (it is not the admin): the admin must `setPaymentToken(t, true)`. */
  unlistedPaymentTokens: string[];
  addresses: { settlement: string; paymentToken: string | undefined };
};

const LOCAL_CHAIN_IDS = new Set([31337n, 1337n]);

export async function deploySettlement(
  core: SettlementCore,
  params: DeploySettlementParameters = {},
): Promise<DeploySettlementReturnType> {
  const deployer = core.deployer;
  const admin = params.admin ?? (await deployer.getAddress());
  const settlement = await new Settlement__factory(deployer).deploy(
    await core.creditToken.getAddress(),
    await core.registryBridge.getAddress(),
    admin,
    params.feeRecipient ?? admin,
    params.feeBps ?? 0,
  );
  await settlement.waitForDeployment();
  const settlementAddress = await settlement.getAddress();

  const requesterRole = await core.registryBridge.REQUESTER_ROLE();
  await (await core.registryBridge.connect(deployer).grantRole(requesterRole, settlementAddress)).wait();
  await (
    await core.identityRegistry.connect(deployer).registerIdentity(settlementAddress, PLATFORM_COUNTRY, MAX_UINT64)
  ).wait();
  // Agents' forced transfers and recoveries must not reach into deal escrow (CreditToken.setCustodian).
  await (await core.creditToken.connect(deployer).setCustodian(settlementAddress, true)).wait();

  const provider = deployer.provider;
  const chainId = provider === null ? 0n : (await provider.getNetwork()).chainId;
  let paymentToken: TestPaymentToken | undefined;
  if (params.deployTestPaymentToken ?? LOCAL_CHAIN_IDS.has(chainId)) {
    paymentToken = await new TestPaymentToken__factory(deployer).deploy("Test USD", "TUSD");
    await paymentToken.waitForDeployment();
  }
  const tokens = [...(params.paymentTokens ?? []), ...(paymentToken === undefined ? [] : [await paymentToken.getAddress()])];
  const canList = await settlement.hasRole(await settlement.MARKET_ADMIN_ROLE(), await deployer.getAddress());
  for (const token of canList ? tokens : []) {
    await (await settlement.connect(deployer).setPaymentToken(token, true)).wait();
  }
  return {
    settlement,
    paymentToken,
    unlistedPaymentTokens: canList ? [] : tokens,
    addresses: {
      settlement: settlementAddress,
      paymentToken: paymentToken === undefined ? undefined : await paymentToken.getAddress(),
    },
  };
}
