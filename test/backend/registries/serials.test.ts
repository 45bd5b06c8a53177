import { expect } from "chai";
import { ValidationError } from "../../../backend/src/errors";
import { detectSerialRegistry, formatSerial, parseSerial } from "../../../backend/src/registries/serials";
import { partitionsExactly, splitRange, splitSerial } from "../../../backend/src/registries/serials/range";

function rejects(serial: string, field: string, text?: string, registry?: Parameters<typeof parseSerial>[0]["registry"]) {
  try {
    parseSerial({ serial, registry });
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.field).to.equal(field);
    if (text !== undefined) expect(validation.message).to.contain(JSON.stringify(text));
    return validation;
  }
  throw new Error(`expected ${serial} to be rejected`);
}

describe("registries/serials", () => {
  describe("Verra examples from REGISTRIES.md", () => {
    const examples: Array<[string, Record<string, unknown>]> = [
      [
        "19902-1139690318-1139925921-VCS-VCU-500-VER-US-3352-01012024-31122024-0",
        { quantity: 235_604n, scope: undefined, projectId: "3352", country: "US", additionalCertification: false },
      ],
      [
        "19627-957450860-957469821-VCS-VCU-352-VER-CL-14-1175-04112003-03112004-1",
        {
          quantity: 18_962n,
          scope: "14",
          projectId: "1175",
          vintageStart: "2003-11-04",
          vintageEnd: "2004-11-03",
          additionalCertification: true,
        },
      ],
      ["9660-115597313-115618057-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0", { quantity: 20_745n, projectId: "1060" }],
      ["11158-289118799-289118805-VCS-VCU-263-VER-KH-14-1748-01012019-31122019-1", { quantity: 7n, country: "KH" }],
    ];
    for (const [serial, expected] of examples) {
      it(`parses and round-trips ${serial}`, () => {
        const parsed = parseSerial({ serial });
        expect(parsed.registry).to.equal("VERRA");
        expect(parsed.unitType).to.equal("VCU");
        for (const [key, value] of Object.entries(expected)) expect(parsed).to.have.property(key, value);
        expect(parsed.quantity).to.equal(parsed.blockEnd! - parsed.blockStart! + 1n);
        expect(formatSerial(parsed)).to.equal(serial);
      });
    }

    it("names the batch without the range in serialPrefix", () => {
      const parsed = parseSerial({ serial: "9660-115597313-115618057-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0" });
      expect(parsed.serialPrefix).to.equal("9660-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0");
      expect(parsed.issuanceBatch).to.equal("9660");
      expect(parsed.blockStart).to.equal(115_597_313n);
    });

    it("parses legacy serials without VCS and with MER", () => {
      const serial = "1234-100-199-VCU-34-MER-IN-3-456-01012010-31122010-0";
      const parsed = parseSerial({ serial });
      expect(parsed).to.include({ registry: "VERRA", creditTag: "MER", hasVcsField: false, scope: "3", quantity: 100n });
      expect(formatSerial(parsed)).to.equal(serial);
    });
  });

  describe("Gold Standard examples from REGISTRIES.md", () => {
    it("parses GS1-1-KE-GS7495-16-2025-30645-608-30350 (29,743 credits)", () => {
      const parsed = parseSerial({ serial: "GS1-1-KE-GS7495-16-2025-30645-608-30350" });
      expect(parsed).to.include({
        registry: "GOLD_STANDARD", quantity: 29_743n, projectId: "7495", country: "KE", issuanceBatch: "30645",
        vintageStart: "2025-01-01", vintageEnd: "2025-12-31", serialPrefix: "GS1-1-KE-GS7495-16-2025-30645",
      });
      expect(formatSerial(parsed)).to.equal("GS1-1-KE-GS7495-16-2025-30645-608-30350");
    });

    it("parses GS1-1-IN-GS2446-16-2017-19583-2389-2406", () => {
      const parsed = parseSerial({ serial: "GS1-1-IN-GS2446-16-2017-19583-2389-2406" });
      expect(parsed).to.include({ quantity: 18n, blockStart: 2389n, blockEnd: 2406n, projectId: "2446" });
      expect(formatSerial(parsed)).to.equal("GS1-1-IN-GS2446-16-2017-19583-2389-2406");
    });

    it("parses the range-less GS1-1-CN-GS7604-3-2020-21289", () => {
      const parsed = parseSerial({ serial: "GS1-1-CN-GS7604-3-2020-21289" });
      expect(parsed).to.include({ projectId: "7604", issuanceBatch: "21289", serialPrefix: "GS1-1-CN-GS7604-3-2020-21289" });
      expect(parsed.blockStart).to.equal(undefined);
      expect(parsed.quantity).to.equal(undefined);
      expect(formatSerial(parsed)).to.equal("GS1-1-CN-GS7604-3-2020-21289");
    });
  });

  describe("CCTS (our own format) and I-REC (opaque)", () => {
    it("parses CCC-IN-CEMENT-BEE0042-2025-1-5000", () => {
      const parsed = parseSerial({ serial: "CCC-IN-CEMENT-BEE0042-2025-1-5000" });
      expect(parsed).to.include({
        registry: "IN_CCTS", quantity: 5000n, projectId: "BEE0042", country: "IN", unitType: "CCC",
        vintageStart: "2025-04-01", vintageEnd: "2026-03-31", serialPrefix: "CCC-IN-CEMENT-BEE0042-2025",
      });
      expect(formatSerial(parsed)).to.equal("CCC-IN-CEMENT-BEE0042-2025-1-5000");
    });

    it("keeps I-REC certificate numbers opaque and needs the registry named", () => {
      const parsed = parseSerial({ serial: "0000-0001-ABCD", registry: "IREC" });
      expect(parsed).to.include({ registry: "IREC", serial: "0000-0001-ABCD", unitType: "I-REC(E)" });
      expect(() => detectSerialRegistry("XYZ123")).to.throw(ValidationError, /pass the registry explicitly/);
    });
  });

  describe("malformed serials name the field and the bad text", () => {
    it("rejects the letter O for the digit 0 (blockEnd)", () => {
      const error = rejects("19902-1139690318-11399259O1-VCS-VCU-500-VER-US-3352-01012024-31122024-0", "blockEnd", "11399259O1");
      expect(error.message).to.contain("letter O");
    });
    it("rejects the letter O in the project id", () => {
      rejects("9660-115597313-115618057-VCS-VCU-261-VER-US-14-1O60-01012019-31122019-0", "projectId", "1O60");
    });
    it("rejects an impossible vintage date", () => {
      rejects("9660-115597313-115618057-VCS-VCU-261-VER-US-14-1060-31022019-31122019-0", "vintageStart", "31022019");
    });
    it("rejects a reversed range", () => {
      rejects("9660-115618057-115597313-VCS-VCU-261-VER-US-14-1060-01012019-31122019-0", "blockEnd");
    });
    it("rejects a bad additional-certification flag", () => {
      rejects("9660-115597313-115618057-VCS-VCU-261-VER-US-14-1060-01012019-31122019-2", "additionalCertification", "2");
    });
    it("rejects the wrong field count", () => {
      rejects("9660-115597313-VCS-VCU-261", "serial");
    });
    it("rejects a Gold Standard serial with a letter O in the range", () => {
      rejects("GS1-1-KE-GS7495-16-2025-30645-6O8-30350", "blockStart", "6O8");
    });
    it("rejects a lower-case country", () => {
      rejects("GS1-1-ke-GS7495-16-2025-30645-608-30350", "country", "ke");
    });
    it("rejects a CCC with a bad compliance year", () => {
      rejects("CCC-IN-CEMENT-BEE0042-25-1-5000", "complianceYear", "25");
    });
    it("rejects an I-REC number with spaces", () => {
      rejects("ABC 123", "serial", "ABC 123", "IREC");
    });
  });

  describe("range arithmetic", () => {
    it("splits the low end first and partitions the parent", () => {
      const parent = { blockStart: 100n, blockEnd: 199n };
      const { taken, remainder } = splitRange(parent, 30n);
      expect(taken).to.deep.equal({ blockStart: 100n, blockEnd: 129n });
      expect(remainder).to.deep.equal({ blockStart: 130n, blockEnd: 199n });
      expect(partitionsExactly(parent, [remainder, taken])).to.equal(true);
      expect(partitionsExactly(parent, [taken])).to.equal(false);
      expect(partitionsExactly(parent, [taken, { blockStart: 129n, blockEnd: 199n }])).to.equal(false);
    });
    it("refuses to split at 0 or at the whole size", () => {
      expect(() => splitRange({ blockStart: 1n, blockEnd: 10n }, 10n)).to.throw(ValidationError, /quantity/);
      expect(() => splitRange({ blockStart: 1n, blockEnd: 10n }, 0n)).to.throw(ValidationError, /quantity/);
    });
    it("splits a serial keeping every other field", () => {
      const parent = parseSerial({ serial: "11158-289118799-289118805-VCS-VCU-263-VER-KH-14-1748-01012019-31122019-1" });
      const { taken, remainder } = splitSerial(parent, 2n);
      expect(taken.serial).to.equal("11158-289118799-289118800-VCS-VCU-263-VER-KH-14-1748-01012019-31122019-1");
      expect(remainder.serial).to.equal("11158-289118801-289118805-VCS-VCU-263-VER-KH-14-1748-01012019-31122019-1");
      expect(taken.serialPrefix).to.equal(parent.serialPrefix);
    });
  });
});
