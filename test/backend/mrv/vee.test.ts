import { expect } from "chai";
import {
  type Flag,
  type MeterConfig,
  type Reading,
  checkTotaliser,
  substitute,
  validateReadings,
} from "../../../backend/src/mrv";

const MIN = 60_000;
const T0 = Date.parse("2025-04-01T00:00:00Z");

/** ISO text of an instant written with a fixed offset (minutes), e.g. +05:30 for IST. */
function iso(ms: number, offsetMinutes = 330): string {
  const local = new Date(ms + offsetMinutes * MIN).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const m = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** A clean 15-minute series of `n` readings with values 10.0, 10.5, 11.0, 10.5 ... */
function series(meterId: string, n: number, start = T0): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    meterId,
    start: iso(start + i * 15 * MIN),
    end: iso(start + (i + 1) * 15 * MIN),
    value: ["10.0", "10.5", "11.0", "10.5"][i % 4] as string,
    unit: "kWh",
    quality: "A",
  }));
}

const METER: MeterConfig = { meterId: "M1", unit: "kWh", intervalMinutes: 15, timeZone: "Asia/Kolkata" };
const rules = (flags: Flag[]) => flags.map((f) => `${f.rule}@${f.readings.join("+")}`);

describe("mrv VEE rules", () => {
  it("raises no flag on a clean series", () => {
    expect(validateReadings(series("M1", 96), [METER]).flags).to.deep.equal([]);
  });

  it("flags each seeded fault with its rule and the reading(s) concerned", () => {
    const r = series("M1", 40);
    r[3] = { ...r[3]!, value: "-2" }; // negative
    r[5] = { ...r[5]!, value: "95" }; // spike
    r[8] = { ...r[8]!, unit: "MWh" }; // unit mismatch (convertible)
    r[9] = { ...r[9]!, unit: "m3" }; // unit mismatch (other dimension)
    r[10] = { ...r[10]!, unit: "kwh" }; // unknown unit
    // DST applied on an IST clock
    r[12] = { ...r[12]!, start: r[12]!.start.replace("+05:30", "+06:30"), end: r[12]!.end.replace("+05:30", "+06:30") };
    r[14] = { ...r[14]!, start: r[14]!.start.slice(0, 19), end: r[14]!.end.slice(0, 19) }; // no offset at all
    r[16] = { ...r[16]!, value: "12,5" }; // unparsable
    const dup = { ...r[20]! }; // exact duplicate
    const conflict = { ...r[22]!, value: "99" }; // same interval, other value
    const overlap = { ...r[25]!, start: iso(T0 + 25 * 15 * MIN + 5 * MIN), end: iso(T0 + 26 * 15 * MIN + 5 * MIN) };
    r.splice(30, 2); // gap: readings 30 and 31 missing
    r.push(dup, conflict, overlap); // arrive late: out of order
    const { flags } = validateReadings(r, [{ ...METER, spike: { minDeviation: "5" } }]);
    const got = rules(flags);
    expect(got).to.include.members([
      "negative@3",
      "spike@5",
      "unit_mismatch@8",
      "unit_mismatch@9",
      "unit_unknown@10",
      "timezone_offset@12",
      "timezone_missing@14",
      "unparsable@16",
      "gap@29+30",
      "duplicate@20+38",
      "duplicate_conflict@22+39",
      "overlap@25+40",
      "out_of_order@37+38",
      "out_of_order@37+39",
      "out_of_order@37+40",
    ]);
    const gap = flags.find((f) => f.rule === "gap" && f.readings[0] === 29);
    expect(gap?.detail).to.deep.equal({ missingMinutes: 30, missingIntervals: 2 });
    // the reading without an offset is read as UTC, 5 h 30 min away from its slot: its slot shows as a gap
    expect(got).to.include("gap@13+15");
    expect(flags.find((f) => f.rule === "unit_mismatch" && f.readings[0] === 9)?.detail).to.include({ sameDimension: false });
    // the spike's neighbours and the negative reading are not spikes of their own; the conflicting duplicate's 99 is
    expect(flags.filter((f) => f.rule === "spike").map((f) => f.readings[0])).to.deep.equal([5, 39]);
  });

  it("is deterministic and keeps flags in reading order", () => {
    const r = series("M1", 30).reverse();
    const a = validateReadings(r, [METER]).flags;
    expect(validateReadings(r, [METER]).flags).to.deep.equal(a);
    const firsts = a.map((f) => f.readings[0] as number);
    expect([...firsts].sort((x, y) => x - y)).to.deep.equal(firsts);
  });

  it("checks offsets against a DST zone at each instant", () => {
    // Europe/Berlin: +01:00 until 2025-03-30 01:00 UTC, +02:00 after. Hourly readings across the change.
    const start = Date.parse("2025-03-29T22:00:00Z");
    const right = Array.from({ length: 6 }, (_, i) => {
      const s = start + i * 60 * MIN;
      const off = (t: number) => (t < Date.parse("2025-03-30T01:00:00Z") ? 60 : 120);
      return { meterId: "DE", start: iso(s, off(s)), end: iso(s + 60 * MIN, off(s + 60 * MIN)), value: "1", unit: "kWh" };
    });
    const meter: MeterConfig = { meterId: "DE", unit: "kWh", intervalMinutes: 60, timeZone: "Europe/Berlin" };
    expect(validateReadings(right, [meter]).flags).to.deep.equal([]);
    const wrong = right.map((r, i) =>
      i === 4 ? { ...r, start: iso(start + 4 * 60 * MIN, 60), end: iso(start + 5 * 60 * MIN, 60) } : r,
    );
    expect(rules(validateReadings(wrong, [meter]).flags)).to.deep.equal(["timezone_offset@4"]);
  });

  it("flags interval size, zero where impossible, and an unknown meter", () => {
    const r = series("M1", 10);
    r[2] = { ...r[2]!, value: "0" };
    const long = {
      meterId: "M1",
      start: iso(T0 + 10 * 15 * MIN),
      end: iso(T0 + 11 * 15 * MIN + 15 * MIN),
      value: "20",
      unit: "kWh",
    };
    const stray = series("M9", 3);
    const { flags } = validateReadings([...r, long, ...stray], [{ ...METER, allowZero: false }]);
    expect(rules(flags)).to.include.members(["zero@2", "interval_size@10", "unknown_meter@11"]);
    expect(flags.find((f) => f.rule === "unknown_meter")?.detail).to.deep.equal({ count: 3 });
  });

  it("recognises counter rollover on interval and register meters, and other register decreases", () => {
    const interval = series("M1", 8);
    interval[4] = { ...interval[4]!, value: "-999989.5" }; // a 6-digit counter wrapped: 10.5 really
    const flags = validateReadings(interval, [{ ...METER, registerDigits: 6 }]).flags;
    expect(rules(flags)).to.deep.equal(["rollover@4"]);
    expect(flags[0]?.detail).to.deep.equal({ corrected: "10.5" });

    const reg = ["999950", "999990", "30", "70", "40", "80"].map((value, i) => ({
      meterId: "R1",
      start: iso(T0 + i * 15 * MIN),
      end: iso(T0 + (i + 1) * 15 * MIN),
      value,
      unit: "kWh",
    }));
    const regFlags = validateReadings(reg, [
      { meterId: "R1", unit: "kWh", intervalMinutes: 15, kind: "register", registerDigits: 6 },
    ]).flags;
    expect(rules(regFlags)).to.deep.equal(["rollover@1+2", "counter_decrease@3+4"]);
    expect(regFlags[0]?.detail).to.deep.equal({ consumption: "40" });
  });

  it("estimates only by a named rule, recording what it replaced and what it used", () => {
    const r = series("M1", 12);
    r.splice(4, 3); // three intervals missing between reading 3 (10.5) and reading 4 (set to 12.5)
    r[4] = { ...r[4]!, value: "12.5" };
    r[6] = { ...r[6]!, value: "80" };
    const meters = [{ ...METER, spike: { minDeviation: "5" } }];
    const { table, flags } = validateReadings(r, meters);
    expect(substitute(table, flags, meters, {})).to.deep.equal([]);
    const subs = substitute(table, flags, meters, { gap: "linear_interpolation", spike: "window_median" });
    const gapFill = subs.filter((s) => s.rule === "linear_interpolation");
    // v_j = 10.5 + (12.5 − 10.5) × j / 4
    expect(gapFill.map((s) => s.value)).to.deep.equal(["11", "11.5", "12"]);
    expect(gapFill[0]).to.deep.include({
      replaces: null,
      basis: [3, 4],
      start: "2025-04-01T01:00:00.000Z",
      end: "2025-04-01T01:15:00.000Z",
      ruleVersion: "1",
    });
    const median = subs.find((s) => s.rule === "window_median");
    expect(median).to.deep.include({ replaces: 6, flagRule: "spike" });
  });

  it("checks interval sums against the totaliser", () => {
    const r = series("M1", 8); // sums to 2 × (10 + 10.5 + 11 + 10.5) = 84
    const { table } = validateReadings(r, [METER]);
    const check = {
      meterId: "M1",
      from: { at: r[0]!.start, register: "1000" },
      to: { at: r[7]!.end, register: "1084" },
      tolerance: "0.01",
    };
    expect(checkTotaliser(table, check)).to.equal(undefined);
    const off = checkTotaliser(table, { ...check, to: { ...check.to, register: "1090" } });
    expect(off).to.deep.include({ rule: "totaliser_mismatch", readings: [0, 7] });
    expect(off?.detail).to.deep.equal({ sum: "84", totaliser: "90", difference: "6", count: 8 });
    const wrapped = checkTotaliser(table, {
      ...check,
      from: { ...check.from, register: "999990" },
      to: { ...check.to, register: "74" },
      registerDigits: 6,
    });
    expect(wrapped).to.equal(undefined);
  });
});
