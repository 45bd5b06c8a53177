import { expect } from "chai";
import fc from "fast-check";
import { formatSerial, parseSerial, type ParsedSerial } from "../../../backend/src/registries/serials";
import { partitionsExactly, splitRange } from "../../../backend/src/registries/serials/range";

const unit = fc.bigInt({ min: 1n, max: 9_000_000_000_000n });
const digits = (min: number, max: number) => fc.integer({ min, max }).map(String);
const country = fc.constantFrom("US", "CL", "KH", "IN", "KE", "BR", "CN");
const isoDate = fc
  .date({ min: new Date("1995-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const verra = fc
  .record({
    issuanceBatch: digits(1, 99999), start: unit, size: unit, vvb: digits(1, 999), country,
    scope: fc.option(digits(1, 16), { nil: undefined }), projectId: digits(1, 9999),
    dates: fc.tuple(isoDate, isoDate), additionalCertification: fc.boolean(), hasVcsField: fc.boolean(),
    creditTag: fc.constantFrom("VER" as const, "MER" as const),
  })
  .map(({ start, size, dates, ...rest }): ParsedSerial => {
    const [a, b] = dates[0] <= dates[1] ? dates : [dates[1], dates[0]];
    return {
      ...rest, registry: "VERRA", serial: "", serialPrefix: "", blockStart: start, blockEnd: start + size - 1n,
      quantity: size, vintageStart: a, vintageEnd: b, unitType: "VCU",
    };
  });

const goldStandard = fc
  .record({
    country,
    projectId: digits(1, 99999),
    seg: digits(1, 99),
    year: digits(2000, 2040),
    batch: digits(1, 99999),
    start: unit,
    size: unit,
    ranged: fc.boolean(),
  })
  .map(({ country: c, projectId, seg, year, batch, start, size, ranged }): ParsedSerial => ({
    registry: "GOLD_STANDARD",
    serial: "",
    serialPrefix: "",
    country: c,
    projectId,
    seg,
    vintageYear: year,
    issuanceBatch: batch,
    programme: "GS1",
    programmeVersion: "1",
    unitType: "VER",
    vintageStart: `${year}-01-01`,
    vintageEnd: `${year}-12-31`,
    ...(ranged ? { blockStart: start, blockEnd: start + size - 1n } : {}),
  }));

const ccts = fc
  .record({
    sector: fc.constantFrom("CEMENT", "ALUMINIUM", "STEEL", "PULPPAPER"),
    entity: fc.stringMatching(/^[A-Z0-9]{1,10}$/),
    year: digits(2023, 2040),
    start: unit,
    size: unit,
  })
  .map(({ sector, entity, year, start, size }): ParsedSerial => ({
    registry: "IN_CCTS",
    serial: "",
    serialPrefix: "",
    sector,
    entityRegistrationId: entity,
    projectId: entity,
    complianceYear: year,
    issuanceBatch: `${entity}-${year}`,
    blockStart: start,
    blockEnd: start + size - 1n,
    quantity: size,
    country: "IN",
    vintageStart: `${year}-04-01`,
    vintageEnd: `${Number(year) + 1}-03-31`,
    unitType: "CCC",
  }));

const CANONICAL = [
  "registry",
  "blockStart",
  "blockEnd",
  "projectId",
  "issuanceBatch",
  "country",
  "vintageStart",
  "vintageEnd",
  "unitType",
  "additionalCertification",
] as const;

describe("registries/serials properties", () => {
  it("format then parse gives the same fields, and parse then format gives the same text", () => {
    fc.assert(
      fc.property(fc.oneof(verra, goldStandard, ccts), (fields) => {
        const text = formatSerial(fields);
        const parsed = parseSerial({ serial: text });
        for (const key of CANONICAL)
          expect(parsed[key as keyof ParsedSerial], key).to.deep.equal(fields[key as keyof ParsedSerial]);
        if (parsed.blockStart !== undefined && parsed.blockEnd !== undefined) {
          expect(parsed.quantity).to.equal(parsed.blockEnd - parsed.blockStart + 1n);
        }
        expect(formatSerial(parsed)).to.equal(text);
      }),
      { numRuns: 300 },
    );
  });

  it("splits partition the parent exactly, low end first", () => {
    fc.assert(
      fc.property(unit, unit, fc.bigInt({ min: 1n, max: 1n << 40n }), (start, size0, at0) => {
        const size = size0 + 1n;
        const parent = { blockStart: start, blockEnd: start + size - 1n };
        const at = (at0 % (size - 1n)) + 1n;
        const { taken, remainder } = splitRange(parent, at);
        expect(taken.blockStart).to.equal(parent.blockStart);
        expect(taken.blockEnd - taken.blockStart + 1n).to.equal(at);
        expect(partitionsExactly(parent, [taken, remainder])).to.equal(true);
        if (remainder.blockEnd > remainder.blockStart) {
          const again = splitRange(remainder, 1n);
          expect(partitionsExactly(parent, [taken, again.taken, again.remainder])).to.equal(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
