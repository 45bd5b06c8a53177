import { type Account, type Chain, type PublicClient, createPublicClient, createWalletClient, defineChain, http } from "viem";
import type { Deployment } from "./deployment";

/**
 * The public client every platform process reads the chain with: one RPC URL, response caching off (viem would
 * otherwise answer block numbers and receipts up to 4 s old, which the indexer, the oracle nodes and the relayer's
 * callers must not see). Transactions are sent by the relayer, which keeps a client of its own.
 */
export function platformPublicClient(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: http(rpcUrl), cacheTime: 0 });
}

/** The platform's chain as viem wants it for signing (chain id from the deployment, the one RPC URL). */
export function platformChain(deployment: Pick<Deployment, "chainId">, rpcUrl: string): Chain {
  return defineChain({
    id: deployment.chainId,
    name: `chain ${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * A wallet client sending as `account` and a public client, on the platform chain. Only for one-shot commands that
 * send a single plain transaction of their own (`carbon audit anchor-log`'s zero-value anchor); services send
 * through the relayer.
 */
export function platformClients(account: Account, deployment: Pick<Deployment, "chainId">, rpcUrl: string) {
  const chain = platformChain(deployment, rpcUrl);
  return {
    walletClient: createWalletClient({ account, chain, transport: http(rpcUrl) }),
    publicClient: createPublicClient({ chain, transport: http(rpcUrl), cacheTime: 0 }),
  };
}
