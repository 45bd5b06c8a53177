import { type Account, type Chain, createPublicClient, createWalletClient, defineChain, http } from "viem";
import type { Deployment } from "../indexer/types";

/** The platform's chain as viem wants it for signing (chain id from the deployment, the one RPC URL). */
export function platformChain(deployment: Pick<Deployment, "chainId">, rpcUrl: string): Chain {
  return defineChain({
    id: deployment.chainId,
    name: `chain ${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** A wallet client sending as `account` (a local key: guardian, agent) and a public client, on the platform chain. */
export function platformClients(account: Account, deployment: Pick<Deployment, "chainId">, rpcUrl: string) {
  const chain = platformChain(deployment, rpcUrl);
  return {
    walletClient: createWalletClient({ account, chain, transport: http(rpcUrl) }),
    publicClient: createPublicClient({ chain, transport: http(rpcUrl), cacheTime: 0 }),
  };
}
