import { expect } from "chai";
import { ValidationError } from "../../../backend/src/errors";
import {
  Decimal,
  conversionFactor,
  convert,
  decimalString,
  parseDecimal,
  parseNonNegative,
  parseScaled,
  parseScaledNumber,
  scaledString,
} from "../../../backend/src/mrv";

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error("expected a ValidationError");
}

describe("mrv decimals", () => {
  it("parses JSON numbers through their shortest text and decimal strings exactly", () => {
    expect(decimalString(parseDecimal("x", 13.4927))).to.equal("13.4927");
    expect(decimalString(parseDecimal("x", "0.1").plus(parseDecimal("y", "0.2")))).to.equal("0.3");
    expect(decimalString(parseDecimal("x", "1e3"))).to.equal("1000");
    expect(decimalString(parseDecimal("x", "-0"))).to.equal("0");
  });

  it("refuses non-numbers, naming the field", () => {
    expect(fieldOf(() => parseDecimal("fuels.0.quantity", "12,5"))).to.equal("fuels.0.quantity");
    expect(fieldOf(() => parseDecimal("a", Number.NaN))).to.equal("a");
    expect(fieldOf(() => parseDecimal("b", undefined))).to.equal("b");
    expect(fieldOf(() => parseDecimal("c", { value: 1 }))).to.equal("c");
    expect(fieldOf(() => parseNonNegative("equivalentOutputT", "-1"))).to.equal("equivalentOutputT");
    expect(fieldOf(() => parseNonNegative("p", 0, { allowZero: false }))).to.equal("p");
  });

  it("parses fixed-point integers exactly and refuses what would need rounding", () => {
    expect(parseScaled("12.5", 3)).to.equal(12500n);
    expect(parseScaled("-0.000001", 6)).to.equal(-1n);
    expect(parseScaled("1.2300000000", 6)).to.equal(1230000n);
    expect(parseScaled("123456789012345678.5", 1)).to.equal(1234567890123456785n);
    expect(parseScaled("1.0000001", 6)).to.equal(undefined);
    expect(parseScaled("1e3", 6)).to.equal(undefined);
    expect(parseScaled("", 6)).to.equal(undefined);
    expect(parseScaledNumber("250.125", 6)).to.equal(250125000);
    expect(parseScaledNumber(0.1, 6)).to.equal(100000);
    expect(Number.isNaN(parseScaledNumber("4503599627.370496", 6))).to.equal(true); // 2^52 micro-units: outside the exact range
    expect(Number.isNaN(parseScaledNumber("12a", 6))).to.equal(true);
    expect(scaledString(-1500n, 3)).to.equal("-1.5");
    expect(scaledString(7n, 6)).to.equal("0.000007");
  });
});

describe("mrv units (mathjs BigNumber behind an allow-list)", () => {
  it("converts energy, mass and volume exactly", () => {
    expect(decimalString(convert("q", new Decimal("123.456789"), "MWh", "GJ"))).to.equal("444.4444404");
    expect(decimalString(convert("q", new Decimal("1"), "kWh", "MJ"))).to.equal("3.6");
    expect(decimalString(convert("q", new Decimal("2.5"), "kt", "Gg"))).to.equal("2.5");
    expect(decimalString(convert("q", new Decimal("1500"), "kg", "t"))).to.equal("1.5");
    expect(decimalString(convert("q", new Decimal("1"), "l", "m3"))).to.equal("0.001");
    expect(decimalString(convert("q", new Decimal("3"), "kl", "m3"))).to.equal("3");
    expect(decimalString(convert("q", new Decimal("2500"), "kgCO2e", "tCO2e"))).to.equal("2.5");
    expect(decimalString(conversionFactor("q", "TJ", "MWh"))).to.equal(new Decimal(1e6).dividedBy(3600).toFixed());
  });

  it("refuses an unknown unit (including the US short ton) and a dimension mismatch, naming the field", () => {
    expect(() => convert("fuels.0.unit", new Decimal(1), "ton", "t")).to.throw(ValidationError, /fuels\.0\.unit: unknown unit "ton"/);
    expect(() => convert("f", new Decimal(1), "mwh", "MWh")).to.throw(ValidationError, /unknown unit "mwh"/);
    expect(() => convert("fuels.1.unit", new Decimal(1), "MWh", "t")).to.throw(ValidationError, /fuels\.1\.unit: unit "MWh" is energy, expected mass/);
    expect(() => convert("x", new Decimal(1), "t", "tCO2e")).to.throw(ValidationError, /is mass, expected co2e/);
  });
});
