import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { decodeFunctionData, keccak256, toHex, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import * as backendOrders from "../../../backend/src/chain/orders";
import { requestIdOf as backendRequestIdOf } from "../../../backend/src/chain/attestations";
import { GENERATED_DIR, generateSdkFiles } from "../../../scripts/sdk/generate";
import * as sdk from "../../../sdk/src";

describe("sdk: built from the artifacts, in step with the contracts and the backend", () => {
  it("the committed generated files are exactly what the artifacts give (run npm run sdk:generate after a contract " +
    "change)", () => {
    for (const [name, text] of Object.entries(generateSdkFiles())) {
      const committed = fs.readFileSync(path.join(GENERATED_DIR, name), "utf8");
      expect(committed === text, `sdk/src/generated/${name} is stale: run npm run sdk:generate`).to.equal(true);
    }
  });

  it("the EIP-712 types read from the ABI equal the backend's hand-written mirror of the Solidity type strings", () => {
    expect(JSON.parse(JSON.stringify(sdk.orderTypes))).to.deep.equal(JSON.parse(JSON.stringify(backendOrders.orderTypes)));
    expect(JSON.parse(JSON.stringify(sdk.dealTypes))).to.deep.equal(JSON.parse(JSON.stringify(backendOrders.dealTypes)));
    expect(sdk.ORDER_TYPE_STRING.startsWith("Order(uint8 side,address maker,address taker,uint256 batchId,")).to.equal(true);
    expect(sdk.DEAL_TYPE_STRING.startsWith("Deal(address seller,address buyer,uint256 batchId,")).to.equal(true);
  });

  it("orders hash and sign the same as the backend's (the contract tests tie those to Settlement.hashOrder)", async () => {
    const maker = privateKeyToAccount(keccak256(toHex("sdk-maker")));
    const domain = sdk.settlementDomain({ chainId: 31337, verifyingContract: "0x5e771e0000000000000000000000000000000001" });
    const fields = {
      maker: maker.address,
      batchId: 7n,
      amount: 100n,
      unitPrice: 25n,
      paymentToken: "0x00000000000000000000000000000000000000aa",
      maxFeeBps: 150,
      expiry: 2_000_000_000n,
      counter: 0n,
      salt: 5n,
    } as const;
    const order = sdk.buildOrder(fields);
    const backendOrder = backendOrders.buildOrder(fields);
    expect(sdk.hashOrder(domain, order)).to.equal(backendOrders.hashOrder({ domain, order: backendOrder }));
    expect(await sdk.signOrder(maker, domain, order)).to.equal(
      await backendOrders.signOrder({ signer: maker, domain, order: backendOrder }),
    );
  });

  it("the on-chain cancel's call data is Settlement.cancel(order), which the API's off-book withdrawal also answers", () => {
    const order = sdk.buildOrder({
      maker: zeroAddress,
      batchId: 1n,
      amount: 1n,
      unitPrice: 1n,
      paymentToken: zeroAddress,
      maxFeeBps: 0,
      expiry: 1n,
      counter: 0n,
      salt: 1n,
    });
    const call = sdk.cancelOrderCall("0x5e771e0000000000000000000000000000000001", order);
    const decoded = decodeFunctionData({ abi: sdk.settlementAbi, data: call.data });
    expect(decoded.functionName).to.equal("cancel");
    expect((decoded.args?.[0] as { salt: bigint }).salt).to.equal(1n);
  });

  it("deal rules and request ids match the backend's", () => {
    const base = {
      seller: "0x00000000000000000000000000000000000000b1",
      buyer: "0x00000000000000000000000000000000000000b2",
      batchId: 1n,
      amount: 10n,
      unitPrice: 5n,
      deadline: 99n,
    } as const;
    expect(() => sdk.buildDeal({ ...base, paymentToken: zeroAddress, conditions: 0n })).to.throw(/FIAT_PAYMENT_RECEIVED/);
    expect(() => sdk.buildDeal({ ...base, paymentToken: zeroAddress, conditions: 3n })).to.throw(/buyerRegistryAccount/);
    const key = keccak256(toHex("key"));
    expect(sdk.requestIdOf(base.seller, key)).to.equal(backendRequestIdOf(base.seller, key));
  });
});
