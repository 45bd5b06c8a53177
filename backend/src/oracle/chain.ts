/**
 * What an oracle node and the aggregator read from the chain themselves (never from the platform's index): the
 * request as the bridge stores it (status and the parameter tag that binds holder, batch, amount and details or
 * destination), deposit and serial-block use (and the deposit hint), reserves, batch registration, deals, and the
 * current oracle set.
 */
import { type Address, type Hex, type PublicClient, encodeAbiParameters, keccak256 } from "viem";
import { loadAbi } from "../chain/artifacts";
import type { Deployment } from "../indexer";

/** `IRegistryBridge.RequestKind` / `RequestStatus`. */
export const REQUEST_KIND = { retirement: 1, withdrawal: 2 } as const;
export const REQUEST_STATUS = { None: 0, Pending: 1, Confirmed: 2, Rejected: 3 } as const;
/** `ISettlement.DealStatus.Open` and `Delivering`. */
export const DEAL_OPEN = 1;
export const DEAL_DELIVERING = 2;

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

/**
 * The bridge's `paramsTag` of a request: the first 16 bytes of
 * `keccak256(abi.encode(uint8 kind, address holder, uint256 batchId, uint256 amount, bytes32 extra))`.
 */
export function paramsTagOf(kind: keyof typeof REQUEST_KIND, holder: Address, batchId: bigint, amount: bigint, extra: Hex): Hex {
  const hash = keccak256(
    encodeAbiParameters(
      [{ type: "uint8" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "bytes32" }],
      [REQUEST_KIND[kind], holder, batchId, amount, extra],
    ),
  );
  return hash.slice(0, 34).toLowerCase() as Hex;
}

export function createChainReader(client: PublicClient, deployment: Pick<Deployment, "registryBridge" | "creditToken" | "settlement">) {
  const bridgeAbi = loadAbi("RegistryBridge");
  const tokenAbi = loadAbi("CreditToken");
  const settlementAbi = loadAbi("Settlement");
  const bridge = <T>(functionName: string, args: readonly unknown[] = []) =>
    client.readContract({ address: deployment.registryBridge, abi: bridgeAbi, functionName, args }) as Promise<T>;
  return {
    async requestOf(requestId: Hex): Promise<OnChainRequest> {
      const r = await bridge<{ kind: number; status: number; paramsTag: Hex }>("requestOf", [requestId]);
      return { kind: Number(r.kind), status: Number(r.status), paramsTag: r.paramsTag.toLowerCase() as Hex };
    },
    isDepositUsed: (depositId: Hex) => bridge<boolean>("isDepositUsed", [depositId]),
    isBlockDeposited: (batchId: bigint, blockStart: bigint, blockEnd: bigint) =>
      bridge<boolean>("isBlockDeposited", [batchId, blockStart, blockEnd]),
    /** `RegistryBridge.depositHintOf`: the start of the deposited block nearest below `blockStart`, 0 when none. */
    depositHintOf: async (batchId: bigint, blockStart: bigint) => BigInt(await bridge<bigint>("depositHintOf", [batchId, blockStart])),
    async reserveAsOf(batchId: bigint): Promise<bigint> {
      const [, asOf] = await bridge<readonly [bigint, bigint]>("reserveOf", [batchId]);
      return BigInt(asOf);
    },
    async batchRegistered(batchId: bigint): Promise<boolean> {
      const id = await client.readContract({ address: deployment.creditToken, abi: tokenAbi, functionName: "batchRegistry", args: [batchId] });
      return Number(id) !== 0;
    },
    async deal(dealId: Hex): Promise<OnChainDeal> {
      const d = (await client.readContract({ address: deployment.settlement, abi: settlementAbi, functionName: "deal", args: [dealId] })) as OnChainDeal;
      return { ...d, status: Number(d.status), conditions: Number(d.conditions), satisfied: Number(d.satisfied), deadline: BigInt(d.deadline) };
    },
    /** The latest block's timestamp (Unix seconds): the chain's clock, which deal deadlines are measured by. */
    async latestTimestamp(): Promise<bigint> {
      return (await client.getBlock({ blockTag: "latest" })).timestamp;
    },
    /** The current oracle set (lowercase) and threshold. */
    async oracleSet(): Promise<{ members: Set<string>; threshold: number }> {
      const [members, threshold] = await Promise.all([bridge<readonly Address[]>("oracles"), bridge<number>("threshold")]);
      return { members: new Set(members.map((m) => m.toLowerCase())), threshold: Number(threshold) };
    },
  };
}
