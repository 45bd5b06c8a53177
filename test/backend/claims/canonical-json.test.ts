import { expect } from "chai";
import { canonicalHash, canonicalJson, sha256Hex } from "../../../backend/src/claims/canonical-json";
import { ValidationError } from "../../../backend/src/errors";
import { expectThrows } from "./helpers";

describe("claims/canonical-json (RFC 8785)", () => {
  it("serialises the RFC 8785 section 3.2.2 example byte for byte", () => {
    const value = {
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"/",
      literals: [null, true, false],
    };
    expect(canonicalJson(value)).to.equal(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units (RFC 8785 section 3.2.3)", () => {
    const value = { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" };
    // Read the order off the text: JSON.parse would put the integer-like key "1" first again.
    const text = canonicalJson(value);
    const positions = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"].map((key) => text.indexOf(`${JSON.stringify(key)}:`));
    expect(positions.every((p) => p > 0)).to.equal(true);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
  });

  it("gives the same hash for the same value written in another key order, and leaves out undefined members", () => {
    expect(canonicalHash({ b: 1, a: { d: [1, 2], c: "x" } })).to.equal(canonicalHash({ a: { c: "x", d: [1, 2] }, b: 1, e: undefined }));
    expect(canonicalHash({ a: 1 })).to.not.equal(canonicalHash({ a: "1" }));
    expect(sha256Hex("abc")).to.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("refuses what is not a JSON value, naming where it is", () => {
    expect(expectThrows(() => canonicalJson({ amount: 5n }), ValidationError).field).to.equal("$.amount");
    expect(expectThrows(() => canonicalJson({ list: [1, Number.NaN] }), ValidationError).field).to.equal("$.list[1]");
    expect(expectThrows(() => canonicalJson({ at: new Date(0) }), ValidationError).field).to.equal("$.at");
    expect(expectThrows(() => canonicalJson(["\ud800"]), ValidationError).field).to.equal("$[0]");
    expect(expectThrows(() => canonicalJson([undefined]), ValidationError).field).to.equal("$[0]");
    expect(canonicalJson("\ud83d\ude00")).to.equal('"\ud83d\ude00"');
  });
});
