import { expect } from "chai";
import { type Hex, type PublicClient, keccak256, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { registryBridgeAbi } from "../../../backend/src/chain/abi";
import {
  type DepositConfirmed,
  type RetirementConfirmed,
  signQuorum,
  sortSigners,
} from "../../../backend/src/chain/attestations";
import { depositHintsOf } from "../../../backend/src/chain/deposits";
import { Secret } from "../../../backend/src/config";
import { createLogger } from "../../../backend/src/logger";
import { createMetrics } from "../../../backend/src/metrics";
import {
  type Relayer,
  RelayerRevertError,
  RelayerTransportError,
  createAttestationBatcher,
  createCallBatcher,
  createRelayer,
  createRetirementConfirmationBatcher,
} from "../../../backend/src/relayer";
import { testChain, testPublicClient, useAutomine, useIntervalMining } from "../../support/chain";
import { type TestPlatform, deployTestPlatform } from "../support/platform";

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const MNEMONIC = "test test test test test test test test test test test junk";

/** A funded Hardhat account's key, as config would hold it. */
function relayerKey(index: number): Secret<`0x${string}`> {
  const key = mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (key === null) throw new Error("no key");
  return new Secret(toHex(key));
}

describe("relayer", function () {
  this.timeout(180_000);
  let platform: TestPlatform;
  let client: PublicClient;
  let url: string;
  const bridgeAbi = registryBridgeAbi;
  let serial = 5_000_000n;

  before(async () => {
    url = (await testChain()).url;
    await useAutomine();
    platform = await deployTestPlatform();
    client = await testPublicClient();
  });
  after(async () => {
    await useAutomine();
  });

  function relayerWith(index: number, extra: Partial<Parameters<typeof createRelayer>[1]> = {}): Relayer {
    return createRelayer(
      { logger, metrics: createMetrics({ defaultMetrics: false }) },
      { rpcUrl: url, keys: [relayerKey(index)], pollIntervalMs: 20, receiptTimeoutMs: 30_000, ...extra },
    );
  }

  async function depositCall(amount = 1n, depositId?: Hex) {
    const message: DepositConfirmed = {
      depositId: depositId ?? keccak256(toHex(`relayer-deposit-${serial}-${Math.random()}`)),
      holder: platform.alice.address as Hex,
      registryId: 1,
      serialPrefix: "VCS-RELAYER-2022",
      projectId: keccak256(toHex("VCS-RELAYER")),
      vintage: 2022,
      unitType: 1,
      blockStart: serial,
      blockEnd: serial + amount - 1n,
    };
    serial += amount;
    const signatures = await platform.quorum("DepositConfirmed", message);
    // hint 0: the bridge walks from the batch's lowest block (the outcome never depends on the hint, only the gas)
    const call = {
      to: platform.deployment.registryBridge,
      abi: bridgeAbi,
      functionName: "confirmDeposit",
      args: [message, signatures, 0n],
    };
    return { message, call };
  }

  describe("under automine", () => {
    before(async () => {
      await useAutomine();
    });

    it("detects automine and sends strictly one after another", async () => {
      const relayer = relayerWith(12);
      expect((await relayer.init()).mode).to.equal("sequential");
      const calls = await Promise.all([1, 2, 3, 4, 5].map(() => depositCall()));
      const receipts = await Promise.all(calls.map(({ call }) => relayer.send(call)));
      expect(receipts.map((r) => r.receipt.status)).to.deep.equal(Array(5).fill("success"));
      const nonces = receipts.map((r) => r.nonce);
      expect(nonces).to.deep.equal([...nonces].sort((a, b) => a - b));
      expect(new Set(receipts.map((r) => r.receipt.blockNumber)).size).to.equal(5);
      await relayer.close();
    });

    it("surfaces a revert refused at estimation as a non-retryable error naming the custom error, without using a " +
      "nonce", async () => {
      const relayer = relayerWith(13);
      const { call, message } = await depositCall();
      await relayer.send(call);
      const address = relayer.senders()[0] as Hex;
      const nonceBefore = await client.getTransactionCount({ address, blockTag: "pending" });
      const again = (await depositCall(1n, message.depositId)).call;
      const error = await relayer.send(again).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RelayerRevertError);
      expect((error as RelayerRevertError).errorName).to.equal("RegistryBridgeDepositAlreadyUsed");
      expect((error as RelayerRevertError).retryable).to.equal(false);
      expect((error as RelayerRevertError).txHash).to.equal(undefined);
      expect(await client.getTransactionCount({ address, blockTag: "pending" })).to.equal(nonceBefore);
      // The sender is not wedged: the next call goes through.
      expect((await relayer.send((await depositCall()).call)).receipt.status).to.equal("success");
      await relayer.close();
    });

    it("decodes the custom error of a transaction mined and reverted", async () => {
      const relayer = relayerWith(13);
      const { call, message } = await depositCall();
      await relayer.send(call);
      const again = (await depositCall(1n, message.depositId)).call;
      const error = (await relayer.send({ ...again, gas: 500_000n }).catch((e: unknown) => e)) as RelayerRevertError;
      expect(error).to.be.instanceOf(RelayerRevertError);
      expect(error.errorName).to.equal("RegistryBridgeDepositAlreadyUsed");
      expect(error.txHash).to.match(/^0x[0-9a-f]{64}$/);
      await relayer.close();
    });

    it("coalesces retirement confirmations into one confirmRetirements call and isolates a bad one", async () => {
      const { alice } = platform;
      const { batchId } = await platform.deposit(alice, 30n, "VCS-BATCHED-2023");
      const requests = [];
      for (let i = 0; i < 4; i++) requests.push(await platform.requestRetirement(alice, batchId, 2n));
      const relayer = relayerWith(14);
      const quorum = sortSigners(platform.oracles).slice(0, 2);
      let flushes = 0;
      const batcher = createRetirementConfirmationBatcher({
        relayer,
        registryBridge: platform.deployment.registryBridge,
        windowMs: 100,
        signBatch: (items) => {
          flushes++;
          return signQuorum({ accounts: quorum, domain: platform.domain, kind: "RetirementConfirmedBatch", message: { items } });
        },
      });
      const good: RetirementConfirmed[] = requests.slice(0, 3).map((r, i) => platform.retirementConfirmation(r, `b${i}`));
      const bad: RetirementConfirmed = { ...platform.retirementConfirmation(requests[3]!, "bad"), amount: 999n };
      const results = await Promise.allSettled([...good, bad].map((item) => batcher.add(item)));
      const fulfilled = results.filter(
        (r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof batcher.add>>> => r.status === "fulfilled",
      );
      expect(fulfilled).to.have.length(3);
      const rejected = results[3] as PromiseRejectedResult;
      expect(rejected.status).to.equal("rejected");
      expect(rejected.reason).to.be.instanceOf(RelayerRevertError);
      expect((rejected.reason as RelayerRevertError).errorName).to.equal("RegistryBridgeRequestMismatch");
      // One transaction for the first half of the bisection carried two confirmations.
      expect(new Set(fulfilled.map((r) => r.value.hash)).size).to.be.lessThan(3);
      expect(flushes).to.be.greaterThan(1);
      for (const r of requests.slice(0, 3)) {
        const stored = await platform.core.registryBridge.requestOf(r.requestId);
        expect(Number(stored.status)).to.equal(2);
      }
      await batcher.close();
      await relayer.close();
    });

    it("coalesces deposit confirmations into one confirmDeposits call", async () => {
      const relayer = relayerWith(14);
      const quorum = sortSigners(platform.oracles).slice(0, 2);
      const batcher = createAttestationBatcher({
        relayer,
        registryBridge: platform.deployment.registryBridge,
        functionName: "confirmDeposits",
        windowMs: 100,
        signBatch: (items) =>
          signQuorum({ accounts: quorum, domain: platform.domain, kind: "DepositConfirmedBatch", message: { items } }),
        extraArgs: async (items) => [
          await depositHintsOf({
            deposits: items,
            hintOnChain: (batchId, start) => platform.core.registryBridge.depositHintOf(batchId, start),
          }),
        ],
      });
      const messages = (await Promise.all([1, 2, 3].map(() => depositCall(2n)))).map((d) => d.message);
      const receipts = await Promise.all(messages.map((m) => batcher.add(m)));
      expect(new Set(receipts.map((r) => r.hash)).size).to.equal(1);
      for (const m of messages) expect(await platform.core.registryBridge.isDepositUsed(m.depositId)).to.equal(true);
      await batcher.close();
      await relayer.close();
    });

    it("never logs its key, even at trace level and on errors", async () => {
      const lines: string[] = [];
      const destination = { write: (line: string) => lines.push(line) };
      const key = relayerKey(12);
      const relayer = createRelayer(
        { logger: createLogger({ level: "trace", destination }), metrics: createMetrics({ defaultMetrics: false }) },
        { rpcUrl: url, keys: [key], pollIntervalMs: 20 },
      );
      await relayer.send((await depositCall()).call);
      const { message } = await depositCall();
      await relayer.send((await depositCall(1n, message.depositId)).call).catch(() => undefined);
      await relayer.send((await depositCall(1n, message.depositId)).call).catch(() => undefined);
      await relayer.close();
      expect(lines.length).to.be.greaterThan(0);
      const all = lines.join("\n").toLowerCase();
      expect(all).not.to.include(key.reveal().slice(2).toLowerCase());
    });

    it("reports an unreachable node as a retryable transport error", async () => {
      const relayer = createRelayer(
        { logger, metrics: createMetrics({ defaultMetrics: false }) },
        { rpcUrl: "http://127.0.0.1:9/", keys: [relayerKey(12)], transportAttempts: 2 },
      );
      const error = await relayer.send((await depositCall()).call).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RelayerTransportError);
      expect((error as RelayerTransportError).retryable).to.equal(true);
    });

    it("sends with a zero gas price and no fee bumps where gas is free", async () => {
      const { hre } = await testChain();
      await hre.network.provider.request({ method: "hardhat_setNextBlockBaseFeePerGas", params: ["0x0"] });
      await hre.network.provider.request({ method: "hardhat_mine", params: ["0x1"] });
      try {
        const relayer = relayerWith(17, { fees: "free" });
        const sent = await relayer.send((await depositCall()).call);
        expect(sent.receipt.status).to.equal("success");
        expect(sent.receipt.effectiveGasPrice).to.equal(0n);
        expect((await client.getTransaction({ hash: sent.hash })).type).to.equal("legacy");
        await relayer.close();
      } finally {
        await hre.network.provider.request({ method: "hardhat_setNextBlockBaseFeePerGas", params: ["0x3b9aca00"] });
        await hre.network.provider.request({ method: "hardhat_mine", params: ["0x1"] });
      }
    });

    it("generic batcher: items within the window share one flush, results go back in order", async () => {
      const sizes: number[] = [];
      const batcher = createCallBatcher<number, number>({
        windowMs: 30,
        maxItems: 3,
        flush: async (items) => {
          sizes.push(items.length);
          return items.map((n) => n * 2);
        },
      });
      expect(await Promise.all([1, 2, 3, 4].map((n) => batcher.add(n)))).to.deep.equal([2, 4, 6, 8]);
      expect(sizes).to.deep.equal([3, 1]);
    });
  });

  describe("under interval mining", () => {
    before(async () => {
      await useIntervalMining(150);
    });
    after(async () => {
      await useAutomine();
    });

    it("pipelines 20 sends from one sender: all land, in nonce order, several per block", async () => {
      const relayer = relayerWith(15);
      expect((await relayer.init()).mode).to.equal("pipelined");
      const calls = await Promise.all(Array.from({ length: 20 }, () => depositCall()));
      const receipts = await Promise.all(calls.map(({ call }) => relayer.send(call)));
      expect(receipts.every((r) => r.receipt.status === "success")).to.equal(true);
      const byNonce = [...receipts].sort((a, b) => a.nonce - b.nonce);
      expect(byNonce.map((r) => r.nonce - (byNonce[0]?.nonce ?? 0))).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      for (let i = 1; i < byNonce.length; i++) {
        const [prev, cur] = [byNonce[i - 1]!.receipt, byNonce[i]!.receipt];
        expect(
          cur.blockNumber > prev.blockNumber ||
            (cur.blockNumber === prev.blockNumber && cur.transactionIndex > prev.transactionIndex),
        ).to.equal(true);
      }
      expect(new Set(receipts.map((r) => r.receipt.blockNumber)).size).to.be.lessThan(20);
      await relayer.close();
    });

    it("replaces a transaction that is not mined with a fee bump of at least 10%", async () => {
      const { hre } = await testChain();
      await hre.network.provider.request({ method: "evm_setIntervalMining", params: [0] });
      const relayer = relayerWith(16, { bumpAfterMs: 150, fees: "eip1559" });
      const pending = relayer.send((await depositCall()).call);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await hre.network.provider.request({ method: "evm_setIntervalMining", params: [150] });
      const sent = await pending;
      expect(sent.receipt.status).to.equal("success");
      expect(sent.replacements).to.be.greaterThan(0);
      const tx = await client.getTransaction({ hash: sent.hash });
      const first = await client.estimateFeesPerGas();
      expect(tx.maxPriorityFeePerGas! > first.maxPriorityFeePerGas).to.equal(true);
      await relayer.close();
    });
  });
});
