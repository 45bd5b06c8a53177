import { expect } from "chai";
import { createPublicClient, createWalletClient, http, parseEther } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { startEmbeddedNode, type EmbeddedNode } from "../../../backend/src/chain/embeddedNode";

const MNEMONIC = "test test test test test test test test test test test junk";

describe("chain/embeddedNode", function () {
  this.timeout(120_000);
  let node: EmbeddedNode;

  before(async () => {
    node = await startEmbeddedNode({ port: 0, blockTimeMs: 200 });
  });
  after(async () => node?.close());

  it("serves JSON-RPC on loopback and produces blocks on an interval", async () => {
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) });
    expect(await client.getChainId()).to.equal(31337);
    const first = await client.getBlockNumber({ cacheTime: 0 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await client.getBlockNumber({ cacheTime: 0 })).to.be.greaterThan(first);
  });

  it("accepts pipelined transactions from one sender under interval mining", async () => {
    const account = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
    const wallet = createWalletClient({ account, chain: hardhat, transport: http(node.url) });
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) });
    const nonce = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
    const to = mnemonicToAccount(MNEMONIC, { addressIndex: 2 }).address;
    const hashes = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => wallet.sendTransaction({ to, value: parseEther("0.001"), nonce: nonce + i })),
    );
    const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash, pollingInterval: 50 })));
    expect(receipts.map((r) => r.status)).to.deep.equal(["success", "success", "success", "success", "success"]);
  });
});
