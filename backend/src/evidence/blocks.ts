/**
 * The chain data a package carries so that its records can be checked offline: for each block that holds a
 * recorded event, the RLP-encoded header (whose keccak-256 is the block hash) and every receipt of the block in
 * its EIP-2718 encoding (whose Merkle Patricia Trie root is the header's receiptsRoot). Both are rebuilt here from
 * the node's JSON-RPC answers and checked before they go into a package, so a node whose header fields do not hash
 * to its own block hash is caught at build time, not by the verifier.
 */
import type { Hex, PublicClient } from "viem";
import { EvidenceInputError, EvidenceSourceError } from "./errors";
import { verifierModules } from "./verifier";

type RpcBlock = Record<string, unknown> & { hash: Hex; number: Hex; transactions: Hex[]; receiptsRoot: Hex };
type RpcLog = { address: Hex; topics: Hex[]; data: Hex; logIndex: Hex; transactionIndex: Hex };
type RpcReceipt = {
  type?: Hex;
  status?: Hex;
  root?: Hex;
  cumulativeGasUsed: Hex;
  logsBloom: Hex;
  logs: RpcLog[];
  transactionIndex: Hex;
};

export type BlockProof = { number: string; hash: Hex; timestamp: string; headerRlp: Hex; receipts: Hex[] };
export type RawLog = { address: Hex; topics: Hex[]; data: Hex };

/** Header fields in RLP order (London..Prague); the optional ones are present from the fork that added them. */
const HEADER_FIELDS = [
  "parentHash",
  "sha3Uncles",
  "miner",
  "stateRoot",
  "transactionsRoot",
  "receiptsRoot",
  "logsBloom",
  "difficulty",
  "number",
  "gasLimit",
  "gasUsed",
  "timestamp",
  "extraData",
  "mixHash",
  "nonce",
] as const;
const OPTIONAL_HEADER_FIELDS = [
  "baseFeePerGas",
  "withdrawalsRoot",
  "blobGasUsed",
  "excessBlobGas",
  "parentBeaconBlockRoot",
  "requestsHash",
] as const;
const QUANTITIES = new Set([
  "difficulty",
  "number",
  "gasLimit",
  "gasUsed",
  "timestamp",
  "baseFeePerGas",
  "blobGasUsed",
  "excessBlobGas",
]);

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex.slice(2), "hex"));
const quantity = (hex: string): Uint8Array => {
  const n = BigInt(hex);
  if (n === 0n) return new Uint8Array(0);
  const h = n.toString(16);
  return new Uint8Array(Buffer.from(h.length % 2 ? `0${h}` : h, "hex"));
};
const toHex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString("hex")}`;

export function headerRlpOf(block: RpcBlock): Uint8Array {
  const fields: Uint8Array[] = HEADER_FIELDS.map((name) => {
    const value = block[name];
    if (typeof value !== "string") throw new EvidenceInputError(`block ${block.number}: the node gave no ${name}`);
    return QUANTITIES.has(name) ? quantity(value) : bytes(value);
  });
  for (const name of OPTIONAL_HEADER_FIELDS) {
    const value = block[name];
    if (typeof value !== "string") break;
    fields.push(QUANTITIES.has(name) ? quantity(value) : bytes(value));
  }
  return verifierModules().rlp.rlpEncode(fields);
}

export function receiptBytesOf(receipt: RpcReceipt): Uint8Array {
  const { rlpEncode } = verifierModules().rlp;
  const logs = receipt.logs.map((log) => [bytes(log.address), log.topics.map(bytes), bytes(log.data)]);
  const outcome = receipt.status !== undefined ? quantity(receipt.status) : bytes(receipt.root ?? "0x");
  const body = rlpEncode([outcome, quantity(receipt.cumulativeGasUsed), bytes(receipt.logsBloom), logs]);
  const type = Number(BigInt(receipt.type ?? "0x0"));
  return type === 0 ? body : new Uint8Array([type, ...body]);
}

async function rpc<T>(client: PublicClient, method: string, params: unknown[]): Promise<T> {
  try {
    return (await client.request({ method: method as never, params: params as never })) as T;
  } catch (error) {
    throw new EvidenceSourceError(
      `${method} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      error,
    );
  }
}

/** Header and receipts of block `number`, checked (hash, receipts root); and its logs in block order. */
export async function fetchBlockProof(client: PublicClient, number: bigint): Promise<{ proof: BlockProof; logs: RawLog[] }> {
  const block = await rpc<RpcBlock | null>(client, "eth_getBlockByNumber", [`0x${number.toString(16)}`, false]);
  if (block === null) throw new EvidenceSourceError(`the node has no block ${number}`);
  const { keccak, rlp } = verifierModules();
  const header = headerRlpOf(block);
  if (toHex(keccak.keccak256(header)) !== block.hash.toLowerCase()) {
    throw new EvidenceInputError(
      `block ${number}: its header fields do not hash to its block hash ${block.hash} (a header format this builder does not ` +
        `know)`,
    );
  }
  const receipts: RpcReceipt[] = [];
  for (const hash of block.transactions) {
    const receipt = await rpc<RpcReceipt | null>(client, "eth_getTransactionReceipt", [hash]);
    if (receipt === null) throw new EvidenceSourceError(`the node has no receipt for ${hash}`);
    receipts.push(receipt);
  }
  const encoded = receipts.map(receiptBytesOf);
  const root = toHex(rlp.trieRoot(encoded.map((r, i) => [rlp.indexKey(i), r])));
  if (root !== block.receiptsRoot.toLowerCase()) {
    throw new EvidenceInputError(
      `block ${number}: its receipts do not hash to its receiptsRoot (${root} vs ${block.receiptsRoot})`,
    );
  }
  const logs = receipts.flatMap((r) =>
    r.logs.map((l) => ({
      address: l.address.toLowerCase() as Hex,
      topics: l.topics.map((t) => t.toLowerCase() as Hex),
      data: l.data.toLowerCase() as Hex,
    })),
  );
  return {
    proof: {
      number: number.toString(),
      hash: block.hash.toLowerCase() as Hex,
      timestamp: BigInt(block.timestamp as Hex).toString(),
      headerRlp: toHex(header),
      receipts: encoded.map(toHex),
    },
    logs,
  };
}
