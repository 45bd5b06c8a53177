import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { assess } from "../../../backend/src/ccts";
import { ValidationError } from "../../../backend/src/errors";
import { canonicalJson, recordHash } from "../../../backend/src/mrv";

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8")) as Record<string, unknown>;

/** The parts of assess()'s JSON answer these tests read. */
type Assessment = {
  emissions: { fuels: Array<{ gases: unknown }>; scope2Tco2e: string };
  gei: string;
  cccIssuable: string;
  shortfall: string;
  environmentalCompensationInr?: string;
  parameters: { gridFactorVersion: string };
  lineage: { inputSha256: string; records: unknown[] };
};

describe("ccts assess", () => {
  it("computes fuels (IPCC, Table 2.3, SAR), scope 2 (CEA v20.0), other emissions, GEI and the shortfall with EC", () => {
    const r = assess(fixture("smelter-fuels-2026-27.json")) as Assessment;
    // coal 5,000 kt = 129,000 TJ: CO2 12,203,400 t; CH4 1,290 t × 21 = 27,090; N2O 193.5 t × 310 = 59,985
    // gas 1,000,000 GJ = 1,000 TJ: CO2 56,100 t; CH4 1 t × 21; N2O 0.1 t × 310 = 31
    const [coal, gas] = r.emissions.fuels;
    expect(coal).to.deep.include({ fuel: "other_bituminous_coal", energyTJ: "129000", co2eT: "12290475" });
    expect(coal?.gases).to.deep.equal({
      CO2: { massT: "12203400", co2eT: "12203400" },
      CH4: { massT: "1290", co2eT: "27090" },
      N2O: { massT: "193.5", co2eT: "59985" },
    });
    expect(gas).to.deep.include({ fuel: "natural_gas", energyTJ: "1000", co2eT: "56152" });
    expect(r.emissions).to.deep.include({
      co2FromFuelsT: "12259500",
      fuelsTco2e: "12346627",
      scope2Tco2e: "727000", // 1,000,000 MWh × 0.727
      otherEmissionsTco2e: "1500000",
      totalTco2e: "14573627",
    });
    expect(r.gei.startsWith("13.248751818181818")).to.equal(true); // 14,573,627 / 1,100,000
    // 12.8259 × 1,100,000 − 14,573,627 = −465,137
    expect([r.cccIssuable, r.shortfall, r.environmentalCompensationInr]).to.deep.equal(["0", "465137", "790732900"]);
    expect(r.parameters).to.deep.include({
      gwpSet: "SAR",
      combustionCategory: "manufacturing",
      gridFactorVersion: "v20.0",
      issuanceRounding: "down",
    });
  });

  it("reproduces the worked example and keeps verifiable lineage", () => {
    const r = assess(fixture("vedanta-2025-26-achieved-13.10.json"), { inputSha256: "ef".repeat(32) }) as Assessment;
    expect([r.gei, r.cccIssuable, r.shortfall]).to.deep.equal(["13.1", "157500", "0"]);
    expect(r.environmentalCompensationInr).to.equal(undefined);
    expect(r.lineage.inputSha256).to.equal("ef".repeat(32));
    const records = r.lineage.records as Parameters<typeof recordHash>[0][];
    expect(records.map((x) => x.calculation)).to.deep.equal(["process_emissions", "plant_year_gei"]);
    for (const record of records) expect(recordHash(record)).to.equal(record.resultHash);
  });

  it("uses another CEA version when the input names it", () => {
    const input = { ...fixture("smelter-fuels-2026-27.json"), gridFactorVersion: "v21.0" };
    const r = assess(input) as Assessment;
    expect([r.emissions.scope2Tco2e, r.parameters.gridFactorVersion]).to.deep.equal(["711700", "v21.0"]);
  });

  it("is byte-for-byte deterministic, whether numbers come as JSON numbers or strings", () => {
    const a = fixture("vedanta-2025-26-achieved-13.30.json");
    const asStrings = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === "number" ? String(v) : v]));
    expect(canonicalJson(assess(a))).to.equal(canonicalJson(assess(a)));
    expect(canonicalJson(assess(asStrings))).to.equal(canonicalJson(assess(a)));
  });

  it("names the field of bad input", () => {
    const good = fixture("smelter-fuels-2026-27.json");
    const fieldOf = (input: unknown) => {
      try {
        assess(input);
      } catch (error) {
        expect(error).to.be.instanceOf(ValidationError);
        return (error as Error).message;
      }
      throw new Error("expected a ValidationError");
    };
    const { targetGei: _t, ...noTarget } = good;
    expect(fieldOf(noTarget)).to.equal("targetGei: is required");
    expect(fieldOf({ ...good, equivalentOutputT: -1 })).to.match(/^equivalentOutputT: must not be negative/);
    expect(fieldOf({ ...good, fuels: [{ fuel: "coal", quantity: 1, unit: "t" }] })).to.match(
      /^fuels\.0\.fuel: unknown fuel "coal"/,
    );
    expect(fieldOf({ ...good, fuels: [{ fuel: "lignite", quantity: 1, unit: "tonnes" }] })).to.match(
      /^fuels\.0\.unit: unknown unit "tonnes"/,
    );
    expect(
      fieldOf({
        ...good,
        fuels: [
          { fuel: "lignite", quantity: 1, unit: "MWh" },
          { fuel: "lignite", quantity: 1 },
        ],
      }),
    ).to.equal("fuels.1.unit: is required");
    expect(fieldOf({ ...good, targetGEI: "1" })).to.equal("targetGEI: is not a field of the assessment input");
    expect(fieldOf({ ...good, complianceYear: "2025-27" })).to.match(/^complianceYear:/);
    expect(fieldOf({ ...good, gridFactorVersion: "v9" })).to.match(/^gridFactorVersion:/);
    expect(fieldOf({ ...good, sector: "steel" })).to.match(/^sector:/);
    const { fuels: _f, electricityImportedMWh: _e, otherEmissionsTco2e: _o, ...noEmissions } = good;
    expect(fieldOf(noEmissions)).to.match(/^fuels: no emissions given/);
  });
});
