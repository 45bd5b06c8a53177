// With --rpc: the package's blocks and custody head compared with a live node (fetch is built in).
import { toHex, utf8, word } from "./bytes.mjs";
import { keccak256 } from "./keccak.mjs";

async function rpc(url, method, params) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await response.json();
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export async function checkOnline(ctx, url, blocks, custody) {
  const chain = ctx.manifest.header.system.chain;
  let chainId;
  try {
    chainId = Number(BigInt(await rpc(url, "eth_chainId", [])));
  } catch (error) {
    ctx.check("online.node", `the node at ${url} answers`, false, error.message);
    return;
  }
  if (!ctx.check("online.chainId", `the node's chain id = the package's (${chain.chainId})`, chainId === chain.chainId, `node ${chainId}`)) return;
  const wrong = [];
  for (const [hash, block] of blocks) {
    const live = await rpc(url, "eth_getBlockByNumber", [`0x${BigInt(block.number).toString(16)}`, false]);
    if (live === null || live.hash.toLowerCase() !== hash) wrong.push(`block ${block.number}: node ${live?.hash ?? "has none"}`);
  }
  ctx.check("online.blocks", `every block in the package is on the node's chain with the same hash (${blocks.size} blocks)`, wrong.length === 0, wrong.slice(0, 3).join("; ") || undefined, "proofs/blocks.json");
  if (custody !== undefined) {
    const selector = keccak256(utf8("custodyHead(uint256)")).subarray(0, 4);
    const data = toHex(Buffer.concat([selector, word(BigInt(custody.batchId))]));
    const onChain = await rpc(url, "eth_call", [{ to: custody.token, data }, `0x${BigInt(custody.toBlock).toString(16)}`]);
    ctx.check("online.custodyHead", `custodyHead(batch) read from the node at block ${custody.toBlock} = the head recomputed from the package`, onChain.toLowerCase() === custody.head, `node ${onChain}, recomputed ${custody.head}`, "proofs/custody-heads.json");
  }
}
