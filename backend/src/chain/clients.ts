import { type PublicClient, createPublicClient, http } from "viem";

/**
 * The public client every platform process reads the chain with: one RPC URL, response caching off (viem would
 * otherwise answer block numbers and receipts up to 4 s old, which the indexer, the oracle nodes and the relayer's
 * callers must not see). Transactions are sent by the relayer, which keeps a client of its own.
 */
export function platformPublicClient(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: http(rpcUrl), cacheTime: 0 });
}
