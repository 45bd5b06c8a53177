/** Log fetching in block-range chunks, halved when the node refuses a range; clear errors for an unreachable node. */
import { expect } from "chai";
import { type Address, type PublicClient, keccak256, toHex } from "viem";
import { AuditRpcError } from "../../../backend/src/audit/errors";
import { createAuditClient, getLogsChunked } from "../../../backend/src/audit/history";
import { creditTokenAbi } from "../../../backend/src/chain/abi";
import { verifyCertificate } from "../../../backend/src/audit/verifyCertificate";

const TOKEN = "0x00000000000000000000000000000000000000aa" as Address;
const transferSingle = creditTokenAbi.filter((x) => x.type === "event" && x.name === "TransferSingle") as never[];

/** A client whose getLogs refuses ranges wider than `maxRange` and returns one fake decoded log per block. */
function stubClient(maxRange: bigint, calls: [bigint, bigint][]): PublicClient {
  return {
    async getLogs({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) {
      calls.push([fromBlock, toBlock]);
      if (toBlock - fromBlock + 1n > maxRange) throw new Error("query returned more than 10000 results");
      const logs = [];
      for (let b = toBlock; b >= fromBlock; b--) {
        logs.push({
          address: TOKEN,
          blockNumber: b,
          blockHash: keccak256(toHex(b)),
          transactionHash: keccak256(toHex(`tx${b}`)),
          transactionIndex: 0,
          logIndex: 0,
          eventName: "TransferSingle",
          args: { block: b },
        });
      }
      return logs;
    },
  } as unknown as PublicClient;
}

describe("audit history: chunked eth_getLogs", () => {
  it("queries in chunks, halves a refused range and returns every log once in chain order", async () => {
    const calls: [bigint, bigint][] = [];
    const logs = await getLogsChunked(stubClient(3n, calls), {
      address: TOKEN,
      events: transferSingle,
      fromBlock: 10n,
      toBlock: 29n,
      chunk: 8n,
    });
    expect(logs.map((l) => l.blockNumber)).to.deep.equal(Array.from({ length: 20 }, (_, i) => BigInt(10 + i)));
    expect(calls[0]).to.deep.equal([10n, 17n]); // refused
    expect(calls[1]).to.deep.equal([10n, 13n]); // refused
    expect(calls[2]).to.deep.equal([10n, 11n]); // accepted; the chunk stays at 2 from here
    expect(calls.slice(3).every(([a, b]) => b - a + 1n <= 2n)).to.equal(true);
  });

  it("gives up with the block named when even a one-block range is refused", async () => {
    const client = { getLogs: async () => Promise.reject(new Error("boom")) } as unknown as PublicClient;
    try {
      await getLogsChunked(client, { address: TOKEN, events: transferSingle, fromBlock: 5n, toBlock: 6n });
      expect.fail("expected an error");
    } catch (error) {
      expect(error).to.be.instanceOf(AuditRpcError);
      expect((error as Error).message).to.match(/eth_getLogs failed for .* at block 5: boom/);
    }
  });

  it("says the node cannot be reached", async () => {
    try {
      await verifyCertificate({
        client: createAuditClient("http://127.0.0.1:9/"),
        bridge: TOKEN,
        requestId: keccak256(toHex("x")),
      });
      expect.fail("expected an error");
    } catch (error) {
      expect(error).to.be.instanceOf(AuditRpcError);
      expect((error as Error).message).to.match(/cannot reach the JSON-RPC node at http:\/\/127\.0\.0\.1:9\//);
    }
  });
});
