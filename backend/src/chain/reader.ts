/**
 * The backend's one reader of contract state: what oracle nodes, the aggregator, the deposit watcher, the guard's
 * pause status and the deal keeper read from the chain themselves (never from the platform's index). The request
 * as the bridge stores it (status and the parameter tag that binds holder, batch, amount and details or
 * destination), deposit and block-key use, reserves, batch registration, registry pauses, deals, the chain's clock
 * and the current oracle set. Typed by the ABI source (`abi/`); enum codes are plain numbers (see `bridge.ts`).
 */
import type { Address, Hex, PublicClient } from "viem";
import { creditTokenAbi, registryBridgeAbi, settlementAbi } from "./abi";
import type { Deployment } from "./deployment";

export type OnChainRequest = { kind: number; status: number; paramsTag: Hex };
export type OnChainDeal = {
  status: number;
  conditions: number;
  satisfied: number;
  amount: bigint;
  batchId: bigint;
  /** Zero: a fiat leg settled off-chain. */
  paymentToken: Address;
  /** `amount * unitPrice`, in the payment token's (or the fiat currency's) smallest unit. */
  price: bigint;
  /** Unix seconds. */
  deadline: bigint;
  buyerRegistryAccount: Hex;
  deliveryRequestId: Hex;
};

export type ChainReader = ReturnType<typeof createChainReader>;

export type ChainReaderClient = Pick<PublicClient, "readContract" | "getBlock">;

export function createChainReader(
  client: ChainReaderClient,
  deployment: Pick<Deployment, "registryBridge" | "creditToken" | "settlement">,
) {
  const bridge = { address: deployment.registryBridge, abi: registryBridgeAbi } as const;
  return {
    async requestOf(requestId: Hex): Promise<OnChainRequest> {
      const r = await client.readContract({ ...bridge, functionName: "requestOf", args: [requestId] });
      return { kind: Number(r.kind), status: Number(r.status), paramsTag: r.paramsTag.toLowerCase() as Hex };
    },
    isDepositUsed: (depositId: Hex) => client.readContract({ ...bridge, functionName: "isDepositUsed", args: [depositId] }),
    isBlockDeposited: (batchId: bigint, blockStart: bigint, blockEnd: bigint) =>
      client.readContract({ ...bridge, functionName: "isBlockDeposited", args: [batchId, blockStart, blockEnd] }),
    /** `RegistryBridge.depositHintOf`: the start of the deposited block nearest below `blockStart`, 0 when none. */
    depositHintOf: (batchId: bigint, blockStart: bigint) =>
      client.readContract({ ...bridge, functionName: "depositHintOf", args: [batchId, blockStart] }),
    isRegistryPaused: (registryId: number) =>
      client.readContract({ ...bridge, functionName: "isRegistryPaused", args: [registryId] }),
    async reserveAsOf(batchId: bigint): Promise<bigint> {
      const [, asOf] = await client.readContract({ ...bridge, functionName: "reserveOf", args: [batchId] });
      return BigInt(asOf);
    },
    async batchRegistered(batchId: bigint): Promise<boolean> {
      const id = await client.readContract({
        address: deployment.creditToken,
        abi: creditTokenAbi,
        functionName: "batchRegistry",
        args: [batchId],
      });
      return Number(id) !== 0;
    },
    async deal(dealId: Hex): Promise<OnChainDeal> {
      const d = await client.readContract({
        address: deployment.settlement,
        abi: settlementAbi,
        functionName: "deal",
        args: [dealId],
      });
      return {
        ...d,
        status: Number(d.status),
        conditions: Number(d.conditions),
        satisfied: Number(d.satisfied),
        deadline: BigInt(d.deadline),
      };
    },
    /** The latest block's timestamp (Unix seconds): the chain's clock, which deal deadlines are measured by. */
    async latestTimestamp(): Promise<bigint> {
      return (await client.getBlock({ blockTag: "latest" })).timestamp;
    },
    /** The current oracle set (lowercase) and threshold. */
    async oracleSet(): Promise<{ members: Set<string>; threshold: number }> {
      const [members, threshold] = await Promise.all([
        client.readContract({ ...bridge, functionName: "oracles" }),
        client.readContract({ ...bridge, functionName: "threshold" }),
      ]);
      return { members: new Set(members.map((m) => m.toLowerCase())), threshold: Number(threshold) };
    },
  };
}
