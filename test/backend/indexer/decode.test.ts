import { expect } from "chai";
import type { AbiParameter } from "viem";
import { toJson } from "../../../backend/src/indexer/decode";

describe("indexer: decoded arguments as JSON", () => {
  const checksummed = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

  it("lowercases addresses by ABI type and leaves strings that merely look like one alone", () => {
    expect(toJson(checksummed, { type: "address", name: "holder" })).to.equal(checksummed.toLowerCase());
    expect(toJson(checksummed, { type: "string", name: "serialPrefix" })).to.equal(checksummed);
    expect(toJson([checksummed], { type: "address[]", name: "oracles" })).to.deep.equal([checksummed.toLowerCase()]);
  });

  it("writes bigints as decimal strings, in arrays and tuples too", () => {
    const tuple: AbiParameter = {
      type: "tuple",
      name: "t",
      components: [
        { type: "uint256", name: "amount" },
        { type: "address", name: "to" },
        { type: "string", name: "note" },
      ],
    };
    expect(toJson({ amount: 2n ** 200n, to: checksummed, note: "Acme" }, tuple)).to.deep.equal({
      amount: (2n ** 200n).toString(),
      to: checksummed.toLowerCase(),
      note: "Acme",
    });
    expect(toJson([1n, 2n], { type: "uint256[]", name: "ids" })).to.deep.equal(["1", "2"]);
    expect(toJson(7, { type: "uint8", name: "registryId" })).to.equal(7);
  });
});
