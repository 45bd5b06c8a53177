/**
 * Chain records of one batch: its custody export (the existing auditor's `buildExport`), the Settlement fills of
 * the batch, the oracle attestations behind its retirement confirmations (from the confirming transactions'
 * calldata, with `findConfirmationCall` of the auditor) and the signed orders behind its fills (from the fill
 * transactions' calldata). Chain-only: nothing here reads the platform's database.
 */
import {
  type Abi,
  type AbiEvent,
  type Address,
  type Hex,
  type PublicClient,
  decodeFunctionData,
  getAddress,
  isAddressEqual,
  recoverAddress,
} from "viem";
import { type CustodyExport, buildExport } from "../../audit/exportHistory";
import { getLogsChunked } from "../../audit/history";
import { findConfirmationCall } from "../../audit/verifyCertificate";
import { settlementAbi } from "../../chain/abi";
import { attestationTypes, bridgeDomain, hashAttestation } from "../../chain/attestations";
import { type Order, hashOrder, orderTypes, settlementDomain } from "../../chain/orders";
import type { AttestationRecord, CollectContext, OrderRecord, TypedRecord } from "./types";

/** Every bigint as a decimal string, recursively (the package's JSON has no numbers beyond indexes). */
export function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

const typedRecord = (
  domain: { name?: string; version?: string; chainId?: number | bigint; verifyingContract?: Address },
  types: TypedRecord["types"],
  primaryType: string,
  message: unknown,
): TypedRecord => ({
  domain: {
    name: String(domain.name),
    version: String(domain.version),
    chainId: String(domain.chainId),
    verifyingContract: domain.verifyingContract as Address,
  },
  types,
  primaryType,
  message: jsonValue(message) as Record<string, unknown>,
});

/** Operators of the batch's movements other than the holders themselves and the bridge: where fills come from. */
function settlementCandidates(exp: CustodyExport): Address[] {
  const seen = new Set<string>();
  for (const e of exp.events) {
    if (e.event !== "TransferSingle" && e.event !== "TransferBatch") continue;
    const { operator, from } = e.args as { operator: string; from: string };
    if (operator.toLowerCase() !== from.toLowerCase() && operator.toLowerCase() !== exp.contracts.registryBridge.toLowerCase())
      seen.add(getAddress(operator));
  }
  return [...seen] as Address[];
}

const orderFilledEvent = () =>
  (settlementAbi as Abi).filter((i): i is AbiEvent => i.type === "event" && i.name === "OrderFilled");

async function fillsOf(
  ctx: CollectContext,
  exp: CustodyExport,
): Promise<{ settlement: Address | undefined; fills: CustodyExport["events"] }> {
  const candidates = ctx.settlement !== undefined ? [getAddress(ctx.settlement)] : settlementCandidates(exp);
  for (const address of candidates) {
    const logs = await getLogsChunked(ctx.client, {
      address,
      events: orderFilledEvent(),
      fromBlock: BigInt(exp.fromBlock),
      toBlock: BigInt(exp.toBlock),
      chunk: ctx.chunk,
    });
    const mine = logs.filter((l) => l.eventName === "OrderFilled" && String(l.args.batchId) === exp.batchId);
    if (mine.length > 0 || ctx.settlement !== undefined) {
      const fills = mine.map((l, index) => ({
        index,
        contract: "Settlement" as never,
        address: getAddress(l.address),
        event: l.eventName,
        blockNumber: l.blockNumber.toString(),
        blockHash: l.blockHash,
        transactionHash: l.transactionHash,
        transactionIndex: l.transactionIndex,
        logIndex: l.logIndex,
        args: jsonValue(l.args) as CustodyExport["events"][number]["args"],
      }));
      return { settlement: address, fills };
    }
  }
  return { settlement: undefined, fills: [] };
}

/** The orders (with signatures) named by fills, decoded from the fill transactions' calldata. */
async function ordersOf(
  client: PublicClient,
  chainId: number,
  settlement: Address,
  fills: CustodyExport["events"],
): Promise<OrderRecord[]> {
  const abi = settlementAbi;
  const domain = settlementDomain({ chainId, verifyingContract: settlement });
  const wanted = new Set(fills.map((f) => String(f.args.orderHash).toLowerCase()));
  const found = new Map<string, OrderRecord>();
  for (const hash of new Set(fills.map((f) => f.transactionHash))) {
    const tx = await client.getTransaction({ hash });
    if (tx.to === null || !isAddressEqual(tx.to, settlement)) continue; // relayed through another contract: not decoded
    let decoded: { functionName: string; args: readonly unknown[] };
    try {
      decoded = decodeFunctionData({ abi, data: tx.input }) as typeof decoded;
    } catch {
      continue;
    }
    const signed: Array<{ order: Order; signature: Hex }> =
      decoded.functionName === "fillBatch"
        ? (decoded.args[0] as Array<{ order: Order; signature: Hex }>).map((f) => ({ order: f.order, signature: f.signature }))
        : decoded.functionName === "fill" || decoded.functionName === "fillAndRetire"
          ? [{ order: decoded.args[0] as Order, signature: decoded.args[2] as Hex }]
          : [];
    for (const { order, signature } of signed) {
      const orderHash = hashOrder({ domain, order }).toLowerCase() as Hex;
      if (!wanted.has(orderHash) || found.has(orderHash)) continue;
      found.set(orderHash, {
        ...typedRecord(domain, orderTypes as unknown as TypedRecord["types"], "Order", order),
        orderHash,
        signature,
        sources: ["chain"],
      });
    }
  }
  return [...found.values()];
}

/** The oracle quorum behind each RetirementConfirmed in `requestIds` (one record per confirming transaction). */
async function attestationsOf(
  client: PublicClient,
  exp: CustodyExport,
  requestIds: ReadonlySet<string>,
): Promise<AttestationRecord[]> {
  const bridge = exp.contracts.registryBridge;
  const domain = bridgeDomain({ chainId: exp.chainId, verifyingContract: bridge });
  const out = new Map<string, AttestationRecord>();
  for (const e of exp.events) {
    const requestId = String(e.args.requestId ?? "").toLowerCase() as Hex;
    if (e.event !== "RetirementConfirmed" || !requestIds.has(requestId) || out.has(e.transactionHash)) continue;
    const tx = await client.getTransaction({ hash: e.transactionHash });
    const call = findConfirmationCall(tx.input, requestId, tx.to !== null && isAddressEqual(tx.to, bridge));
    if (call === undefined) continue;
    const kind = call.functionName === "confirmRetirement" ? "RetirementConfirmed" : "RetirementConfirmedBatch";
    const message = kind === "RetirementConfirmed" ? call.items[0] : { items: call.items };
    const digest = hashAttestation({ domain, kind, message } as never);
    const signers = await Promise.all(
      call.signatures.map((signature) =>
        recoverAddress({ hash: digest, signature }).then(
          (a) => a.toLowerCase(),
          () => "unrecoverable",
        ),
      ),
    );
    out.set(e.transactionHash, {
      ...typedRecord(domain, attestationTypes[kind] as unknown as TypedRecord["types"], kind, message),
      kind,
      transactionHash: e.transactionHash,
      blockNumber: e.blockNumber,
      entryPoint: call.offset === 0 ? call.functionName : `${call.functionName} embedded at byte ${call.offset}`,
      requestIds: call.items.map((i) => i.requestId.toLowerCase() as Hex),
      signatures: [...call.signatures],
      signers,
    });
  }
  return [...out.values()];
}

export type ChainRecords = {
  export: CustodyExport;
  fills: CustodyExport["events"];
  settlement: Address | undefined;
  attestations: AttestationRecord[];
  orders: OrderRecord[];
};

/**
 * Everything the chain holds about `batchId` up to the latest block; `keep` narrows fills (and so orders) and
 * retirement requests to a subject, e.g. one retirement's holder.
 */
export async function collectChainRecords(
  ctx: CollectContext,
  batchId: bigint,
  keep: { fill?: (args: Record<string, unknown>) => boolean; requestIds?: ReadonlySet<string> } = {},
): Promise<ChainRecords> {
  const exp = await buildExport({ client: ctx.client, bridge: ctx.bridge, batchId, chunk: ctx.chunk });
  const { settlement, fills: allFills } = await fillsOf(ctx, exp);
  const fills = keep.fill === undefined ? allFills : allFills.filter((f) => keep.fill?.(f.args as Record<string, unknown>));
  const requestIds =
    keep.requestIds ??
    new Set(exp.events.filter((e) => e.event === "RetirementConfirmed").map((e) => String(e.args.requestId).toLowerCase()));
  const attestations = await attestationsOf(ctx.client, exp, requestIds);
  const orders = settlement === undefined ? [] : await ordersOf(ctx.client, exp.chainId, settlement, fills);
  return { export: exp, fills, settlement, attestations, orders };
}
