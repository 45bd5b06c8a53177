import { keccak256, toHex } from "viem";
import { bridgeDomain, signQuorum } from "../chain/attestations";
import { batchIdOfSerial, depositAttestationOf } from "../chain/deposits";
import type { RegistryName } from "../registries/ids";
import { parseSerial } from "../registries/serials";
import type { RunningSimulator } from "../simulators";
import { DEV_ACCOUNT_INDEX, devAccount } from "./devAccounts";
import type { EmbeddedChain } from "./embeddedChain";

/** The platform's custody account at every simulated registry. */
export const PLATFORM_CUSTODY_ACCOUNT = "PLATFORM-CUSTODY";
export const SELLER_REGISTRY_ACCOUNT = "SELLER-001";

/** The block already tokenized at start-up (in custody, immobilized, minted to the demo seller). */
export const DEMO_DEPOSITED_SERIAL = "20001-2000000001-2000010000-VCS-VCU-500-VER-US-3352-01012024-31122024-0";

/** Blocks each simulator starts with: a platform custody account, a seller account and a few blocks. */
const DEMO_BLOCKS: Record<RegistryName, Array<{ serial?: string; quantity?: string; account: string; projectId?: string }>> = {
  VERRA: [
    { serial: "20002-2000010001-2000015000-VCS-VCU-500-VER-US-3352-01012024-31122024-0", account: SELLER_REGISTRY_ACCOUNT },
    { serial: "19627-957450860-957469821-VCS-VCU-352-VER-CL-14-1175-04112003-03112004-1", account: SELLER_REGISTRY_ACCOUNT },
  ],
  GOLD_STANDARD: [{ serial: "GS1-1-KE-GS7495-16-2025-30645-608-30350", account: SELLER_REGISTRY_ACCOUNT }],
  IREC: [{ quantity: "5000", account: SELLER_REGISTRY_ACCOUNT, projectId: "DEVICE-IN-SOLAR-1" }],
  IN_CCTS: [{ serial: "CCC-IN-CEMENT-CMT0001-2025-1-20000", account: SELLER_REGISTRY_ACCOUNT }],
};

/** Seeds a simulator with the demo accounts and blocks (in memory; gone when the process stops). */
export function seedSimulator(registry: RegistryName, simulator: RunningSimulator): void {
  simulator.admin.addAccount({ id: PLATFORM_CUSTODY_ACCOUNT, name: "Carbon custody platform", platform: true });
  simulator.admin.addAccount({ id: SELLER_REGISTRY_ACCOUNT, name: "Demo seller" });
  for (const block of DEMO_BLOCKS[registry]) simulator.admin.seedBlock(block);
  if (registry === "VERRA") {
    simulator.admin.seedBlock({ serial: DEMO_DEPOSITED_SERIAL, account: PLATFORM_CUSTODY_ACCOUNT, status: "IMMOBILIZED" });
  }
}

export type DemoWallet = { role: string; address: string; accountIndex: number };

export type SeedChainReturnType = { wallets: DemoWallet[]; depositedBatchId: bigint; depositedUnits: bigint };

const ONE_YEAR = 365 * 24 * 3600;
const COUNTRY = { GB: 826, US: 840, IN: 356 } as const;

/**
 * Makes the embedded chain usable at once: verified identities for the demo seller and buyers, test dollars for
 * the buyers, Settlement approved on both legs, and the demo block (in custody at the Verra simulator) minted to
 * the seller through a real 2-of-3 oracle attestation.
 */
export async function seedChain(chain: EmbeddedChain): Promise<SeedChainReturnType> {
  const { core, settlement } = chain;
  const { ethers } = chain.node.hre as unknown as { ethers: typeof import("hardhat").ethers };
  const signers = await ethers.getSigners();
  const signer = (index: number) => signers[index] as NonNullable<(typeof signers)[number]>;
  const seller = signer(DEV_ACCOUNT_INDEX.seller);
  const buyers = [signer(DEV_ACCOUNT_INDEX.buyer), signer(DEV_ACCOUNT_INDEX.secondBuyer)];
  const expiry = BigInt(Math.floor(Date.now() / 1000) + ONE_YEAR);
  const wait = async (tx: Promise<{ wait(): Promise<unknown> }>) => void (await (await tx).wait());

  await wait(core.identityRegistry.registerIdentity(seller.address, COUNTRY.GB, expiry));
  await wait(core.identityRegistry.registerIdentity(buyers[0]!.address, COUNTRY.US, expiry));
  await wait(core.identityRegistry.registerIdentity(buyers[1]!.address, COUNTRY.IN, expiry));
  await wait(core.creditToken.connect(seller).setApprovalForAll(chain.deployment.settlement, true));
  const paymentToken = settlement.paymentToken;
  if (paymentToken !== undefined) {
    for (const buyer of buyers) {
      await wait(paymentToken.mint(buyer.address, 1_000_000n * 10n ** 6n));
      await wait(paymentToken.connect(buyer).approve(chain.deployment.settlement, (1n << 256n) - 1n));
    }
  }

  const block = parseSerial({ serial: DEMO_DEPOSITED_SERIAL });
  const message = depositAttestationOf({
    depositId: keccak256(toHex(`demo-deposit:${DEMO_DEPOSITED_SERIAL}`)),
    holder: seller.address as `0x${string}`,
    block,
  });
  const domain = bridgeDomain({ chainId: chain.deployment.chainId, verifyingContract: chain.deployment.registryBridge });
  const quorum = chain.oracles.slice(0, Number(await core.registryBridge.threshold()));
  const signatures = await signQuorum({ accounts: quorum, domain, kind: "DepositConfirmed", message });
  // the first deposit of a fresh chain: no block below it, so the hint is 0
  await wait(core.registryBridge.confirmDeposit(message, signatures, 0n));

  const wallets: DemoWallet[] = [
    { role: "deployer / admin / agent", address: signer(DEV_ACCOUNT_INDEX.deployer).address, accountIndex: 0 },
    ...DEV_ACCOUNT_INDEX.oracles.map((index, i) => ({
      role: `oracle ${i + 1}`,
      address: devAccount(index).address,
      accountIndex: index,
    })),
    { role: "guardian", address: signer(DEV_ACCOUNT_INDEX.guardian).address, accountIndex: DEV_ACCOUNT_INDEX.guardian },
    { role: "seller (holds the demo batch)", address: seller.address, accountIndex: DEV_ACCOUNT_INDEX.seller },
    { role: "buyer (1,000,000 TUSD)", address: buyers[0]!.address, accountIndex: DEV_ACCOUNT_INDEX.buyer },
    { role: "second buyer (1,000,000 TUSD)", address: buyers[1]!.address, accountIndex: DEV_ACCOUNT_INDEX.secondBuyer },
    {
      role: "relayer (oracle quorum transactions)",
      address: signer(DEV_ACCOUNT_INDEX.relayer).address,
      accountIndex: DEV_ACCOUNT_INDEX.relayer,
    },
    {
      role: "keeper (delivers and settles attested deals)",
      address: devAccount(DEV_ACCOUNT_INDEX.keeper).address,
      accountIndex: DEV_ACCOUNT_INDEX.keeper,
    },
  ];
  return { wallets, depositedBatchId: batchIdOfSerial(block), depositedUnits: block.quantity ?? 0n };
}
