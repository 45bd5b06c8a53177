import type { HDAccount } from "viem/accounts";
import { deployCore, type CoreDeployment } from "../../../scripts/lib/deployCore";
import { deploySettlement, type DeploySettlementReturnType } from "../../../scripts/lib/deploySettlement";
import { type EmbeddedNode, startEmbeddedNode } from "../chain/embeddedNode";
import type { Deployment } from "../indexer/types";
import type { Logger } from "../logger";
import { DEV_ACCOUNT_INDEX, devAccount } from "./devAccounts";

export type EmbeddedChain = {
  node: EmbeddedNode;
  deployment: Deployment;
  core: CoreDeployment;
  settlement: DeploySettlementReturnType;
  oracles: HDAccount[];
  /** Switch from automine (fast deployment) to the configured block interval. */
  startMining(): Promise<void>;
  /** Mines `count` empty blocks one by one (each linked to its parent, unlike `hardhat_mine`). */
  mineBlocks(count: number): Promise<void>;
  close(): Promise<void>;
};

export type StartEmbeddedChainParameters = {
  port: number;
  blockTimeMs: number;
  threshold: number;
  /** Settlement platform fee in basis points. */
  feeBps?: number;
  logger: Logger;
};

/**
 * Starts the in-process Hardhat node and deploys the platform on it: custody core, Settlement and the test payment
 * token, with the oracle set of the three embedded oracle accounts. Deployment runs under automine so start-up
 * does not wait a block interval per transaction; `startMining()` then switches to interval mining.
 */
export async function startEmbeddedChain(params: StartEmbeddedChainParameters): Promise<EmbeddedChain> {
  const node = await startEmbeddedNode({ port: params.port, blockTimeMs: 0 });
  try {
    const { ethers } = node.hre as unknown as { ethers: typeof import("hardhat").ethers };
    const signers = await ethers.getSigners();
    const at = (index: number) => {
      const signer = signers[index];
      if (signer === undefined) throw new Error(`embedded chain: no account ${index} in the development mnemonic`);
      return signer;
    };
    const deployer = at(DEV_ACCOUNT_INDEX.deployer);
    const oracles = DEV_ACCOUNT_INDEX.oracles.map(devAccount);
    const core = await deployCore(
      node.hre,
      {
        guardian: at(DEV_ACCOUNT_INDEX.guardian).address,
        agent: deployer.address,
        kycAgent: deployer.address,
        oracles: oracles.map((account) => account.address),
        threshold: params.threshold,
        requestWindowSeconds: 7 * 24 * 3600,
      },
      deployer,
    );
    const settlement = await deploySettlement(core, { feeBps: params.feeBps ?? 50, deployTestPaymentToken: true });
    const network = await ethers.provider.getNetwork();
    const deployment: Deployment = {
      chainId: Number(network.chainId),
      creditToken: core.addresses.creditToken as `0x${string}`,
      identityRegistry: core.addresses.identityRegistry as `0x${string}`,
      registryBridge: core.addresses.registryBridge as `0x${string}`,
      settlement: settlement.addresses.settlement as `0x${string}`,
      paymentToken: settlement.addresses.paymentToken as `0x${string}` | undefined,
      deployBlock: core.startBlock,
    };
    params.logger.info({ deployment }, "contracts deployed on the embedded chain");
    return {
      node,
      deployment,
      core,
      settlement,
      oracles,
      async startMining() {
        if (params.blockTimeMs <= 0) return;
        await node.hre.network.provider.request({ method: "evm_setAutomine", params: [false] });
        await node.hre.network.provider.request({ method: "evm_setIntervalMining", params: [params.blockTimeMs] });
      },
      async mineBlocks(count) {
        for (let i = 0; i < count; i++) await node.hre.network.provider.request({ method: "evm_mine", params: [] });
      },
      close: () => node.close(),
    };
  } catch (error) {
    await node.close();
    throw error;
  }
}
