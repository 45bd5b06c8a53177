import { expect } from "chai";
import { ValidationError } from "../../../backend/src/errors";
import {
  CODE_VERSION,
  canonicalJson,
  plantYearGei,
  processEmissions,
  purchasedElectricity,
  recompute,
  recordHash,
  renewableEmissionReductions,
  stationaryCombustion,
} from "../../../backend/src/mrv";

const out = (r: { outputs: Record<string, { value: string }> }, name: string) => r.outputs[name]?.value;

describe("mrv calculators", () => {
  describe("stationary combustion (activity × NCV × EF, CO2e by GWP set)", () => {
    it("computes natural gas by mass: 100 t = 0.1 Gg × 48.0 TJ/Gg = 4.8 TJ", () => {
      const r = stationaryCombustion({
        fuel: "natural_gas",
        quantity: "100",
        unit: "t",
        category: "manufacturing",
        gwpSet: "SAR",
      });
      // CO2 4.8 × 56,100 kg = 269.28 t; CH4 4.8 × 1 kg = 0.0048 t × 21; N2O 4.8 × 0.1 kg = 0.00048 t × 310
      expect(out(r, "energyTJ")).to.equal("4.8");
      expect(out(r, "co2T")).to.equal("269.28");
      expect(out(r, "ch4T")).to.equal("0.0048");
      expect(out(r, "ch4Co2eT")).to.equal("0.1008");
      expect(out(r, "n2oCo2eT")).to.equal("0.1488");
      expect(out(r, "totalCo2eT")).to.equal("269.5296");
      const ar5 = stationaryCombustion({
        fuel: "natural_gas",
        quantity: "100",
        unit: "t",
        category: "manufacturing",
        gwpSet: "AR5",
      });
      expect(out(ar5, "totalCo2eT")).to.equal("269.5416"); // 269.28 + 0.0048 × 28 + 0.00048 × 265
    });

    it("takes energy units directly and uses Table 2.2 for energy industries", () => {
      const oil = stationaryCombustion({ fuel: "gas_diesel_oil", quantity: 1000, unit: "GJ", category: "energy", gwpSet: "SAR" });
      // totalCo2eT: 74.1 + 0.003×21 + 0.0006×310
      expect([out(oil, "energyTJ"), out(oil, "co2T"), out(oil, "totalCo2eT")]).to.deep.equal(["1", "74.1", "74.349"]);
      const coal = stationaryCombustion({
        fuel: "other_bituminous_coal",
        quantity: "1",
        unit: "kt",
        category: "energy",
        gwpSet: "SAR",
      });
      // 25.8 TJ: CO2 2,440.68 t, CH4 0.0258 t × 21 = 0.5418, N2O 0.0387 t × 310 = 11.997
      expect(out(coal, "totalCo2eT")).to.equal("2453.2188");
      const mfg = stationaryCombustion({
        fuel: "other_bituminous_coal",
        quantity: "1000",
        unit: "t",
        category: "manufacturing",
        gwpSet: "SAR",
      });
      expect(out(mfg, "totalCo2eT")).to.equal("2458.095"); // CH4 10 kg/TJ: 0.258 t × 21 = 5.418
    });

    it("uses a measured NCV (recorded as an input with its source), the only way to take a volume", () => {
      const r = stationaryCombustion({
        fuel: "natural_gas",
        quantity: "1000",
        unit: "m3",
        category: "manufacturing",
        gwpSet: "SAR",
        ncv: { value: "0.0000345", unit: "TJ/m3", source: "gas supplier certificate 2025-07" },
      });
      expect(out(r, "co2T")).to.equal("1.93545"); // 0.0345 TJ × 56,100 kg/TJ
      expect(r.factors.ncv).to.equal(undefined);
      expect(r.inputs.ncv).to.deep.equal({ value: "0.0000345", unit: "TJ/m3", source: "gas supplier certificate 2025-07" });
      expect(() =>
        stationaryCombustion({
          fuel: "natural_gas",
          quantity: 1,
          unit: "m3",
          category: "energy",
          gwpSet: "SAR",
          field: "fuels.3",
        }),
      ).to.throw(ValidationError, /fuels\.3\.unit: a volume \(m3\) needs a measured ncv/);
    });

    it("names the bad field for unknown fuel, unknown unit, wrong dimension and negative quantity", () => {
      const base = {
        fuel: "natural_gas",
        quantity: "1",
        unit: "t",
        category: "energy" as const,
        gwpSet: "SAR",
        field: "fuels.0",
      };
      expect(() => stationaryCombustion({ ...base, fuel: "diesel" })).to.throw(ValidationError, /^fuels\.0\.fuel: unknown fuel/);
      expect(() => stationaryCombustion({ ...base, unit: "tons" })).to.throw(ValidationError, /^fuels\.0\.unit: unknown unit/);
      expect(() => stationaryCombustion({ ...base, unit: "tCO2e" })).to.throw(
        ValidationError,
        /^fuels\.0\.unit: unit "tCO2e" is co2e/,
      );
      expect(() => stationaryCombustion({ ...base, quantity: "-5" })).to.throw(
        ValidationError,
        /^fuels\.0\.quantity: must not be negative/,
      );
      expect(() => stationaryCombustion({ ...base, gwpSet: "AR7" })).to.throw(ValidationError, /^gwpSet:/);
    });

    it("keeps lineage: factor ids and versions, the formula, the code version, the input hash, and a verifiable " +
      "resultHash", () => {
      const r = stationaryCombustion({
        fuel: "lignite",
        quantity: "10",
        unit: "t",
        category: "energy",
        gwpSet: "AR6",
        sha256: "ab".repeat(32),
      });
      expect(r.factors.ncv).to.include({ id: "ipcc2006.ncv.lignite", version: "2006", value: "11.9" });
      expect(r.factors["ef.CO2"]).to.include({ id: "ipcc2006.ef.co2.lignite", value: "101000" });
      expect(r.factors["gwp.CH4"]).to.include({ id: "gwp.ar6.ch4", value: "27.9" });
      expect(r.formula).to.match(/NCV/);
      expect(r.codeVersion).to.equal(CODE_VERSION);
      expect(r.inputHashes).to.deep.equal({ activity: "ab".repeat(32) });
      expect(recordHash(r)).to.equal(r.resultHash);
      expect(recordHash({ ...r, outputs: { ...r.outputs, co2T: { value: "1", unit: "t" } } })).to.not.equal(r.resultHash);
    });

    it("is deterministic: the same input gives byte-identical canonical JSON, numbers or strings alike", () => {
      const a = stationaryCombustion({ fuel: "naphtha", quantity: 12.5, unit: "t", category: "manufacturing", gwpSet: "AR5" });
      const b = stationaryCombustion({ fuel: "naphtha", quantity: "12.50", unit: "t", category: "manufacturing", gwpSet: "AR5" });
      expect(canonicalJson(a)).to.equal(canonicalJson(b));
      expect(a.resultHash).to.equal(b.resultHash);
    });
  });

  describe("purchased electricity (location-based, CEA)", () => {
    it("multiplies by the named version, or the version in force for the period", () => {
      expect(out(purchasedElectricity({ quantity: "1000", gridVersion: "v20.0" }), "scope2Tco2e")).to.equal("727");
      expect(out(purchasedElectricity({ quantity: "500000", unit: "kWh", gridVersion: "v20.0" }), "scope2Tco2e")).to.equal(
        "363.5",
      );
      const inForce = purchasedElectricity({ quantity: "1000", periodEnd: "2026-03-31" });
      expect([inForce.inputs.gridVersion, out(inForce, "scope2Tco2e")]).to.deep.equal(["v21.0", "711.7"]);
      expect(() => purchasedElectricity({ quantity: "1" })).to.throw(ValidationError, /periodEnd/);
    });

    it("recomputes under a newer version and shows the diff", () => {
      const old = purchasedElectricity({ quantity: "1000", gridVersion: "v20.0", sha256: "cd".repeat(32) });
      const { current, diff } = recompute(old, { gridVersion: "v21.0" });
      expect(diff.factors).to.deep.equal([
        {
          role: "grid",
          from: { id: "cea.v20.weighted_average", version: "v20.0", value: "0.727", unit: "t/MWh", status: "unconfirmed" },
          to: { id: "cea.v21.weighted_average", version: "v21.0", value: "0.7117", unit: "t/MWh", status: "unconfirmed" },
        },
      ]);
      expect(diff.outputs).to.deep.equal([{ name: "scope2Tco2e", unit: "tCO2e", from: "727", to: "711.7", delta: "-15.3" }]);
      expect(current.inputHashes).to.deep.equal(old.inputHashes);
      expect(recordHash(current)).to.equal(current.resultHash);
      const same = recompute(old, {});
      expect(same.diff.factors).to.deep.equal([]);
      expect(same.diff.outputs).to.deep.equal([]);
      expect(same.current.resultHash).to.equal(old.resultHash);
    });

    it("recomputes combustion under another GWP set", () => {
      const old = stationaryCombustion({
        fuel: "natural_gas",
        quantity: "100",
        unit: "t",
        category: "manufacturing",
        gwpSet: "SAR",
      });
      const { diff } = recompute(old, { gwpSet: "AR5" });
      // CO2 keeps GWP 1 but comes from another set's row, so its row changes too
      expect(diff.factors.map((f) => f.role)).to.deep.equal(["gwp.CH4", "gwp.CO2", "gwp.N2O"]);
      expect(diff.outputs.find((o) => o.name === "totalCo2eT")).to.deep.include({
        from: "269.5296",
        to: "269.5416",
        delta: "0.012",
      });
    });
  });

  describe("renewable emission reductions (ACM0002: net export × combined margin)", () => {
    it("uses the wind/solar CM for wind and solar, the 50/50 CM otherwise", () => {
      const wind = renewableEmissionReductions({
        exportMWh: "10000",
        importMWh: "200",
        technology: "wind",
        gridVersion: "v20.0",
      });
      expect([out(wind, "netExportMWh"), out(wind, "emissionReductionsT")]).to.deep.equal(["9800", "8437.8"]); // 9,800 × 0.861
      const hydro = renewableEmissionReductions({
        exportMWh: "10000",
        importMWh: "200",
        technology: "hydro",
        gridVersion: "v20.0",
      });
      expect(out(hydro, "emissionReductionsT")).to.equal("7418.6"); // × 0.757
      expect(recompute(wind, { gridVersion: "v21.0" }).diff.outputs.find((o) => o.name === "emissionReductionsT")?.to).to.equal(
        "8343.965",
      );
    });

    it("subtracts project emissions and never goes below zero", () => {
      const r = renewableEmissionReductions({
        exportMWh: "100",
        technology: "solar",
        gridVersion: "v20.0",
        projectEmissionsT: "1000",
      });
      expect([out(r, "baselineEmissionsT"), out(r, "emissionReductionsT")]).to.deep.equal(["86.1", "0"]);
      expect(() =>
        renewableEmissionReductions({ exportMWh: "1", technology: "nuclear" as never, gridVersion: "v20.0" }),
      ).to.throw(ValidationError, /technology/);
    });
  });

  describe("process emissions and plant-year GEI", () => {
    it("converts entered PFC masses with the GWP set (aluminium)", () => {
      const sar = processEmissions({ description: "anode effects", gases: { CF4: "1", C2F6: "0.1" }, gwpSet: "SAR" });
      expect(out(sar, "totalCo2eT")).to.equal("7420"); // 6,500 + 920
      const ar5 = processEmissions({ description: "anode effects", gases: { CF4: "1", C2F6: "0.1" }, gwpSet: "AR5" });
      expect(out(ar5, "totalCo2eT")).to.equal("7740"); // 6,630 + 1,110
      expect(() => processEmissions({ description: "x", co2eT: "1", gases: { CO2: "1" } })).to.throw(
        ValidationError,
        /either co2eT or gases/,
      );
    });

    it("divides total CO2e by equivalent product and lists each component by hash", () => {
      const fuel = stationaryCombustion({
        fuel: "other_bituminous_coal",
        quantity: "1000",
        unit: "t",
        category: "manufacturing",
        gwpSet: "SAR",
      });
      const power = purchasedElectricity({ quantity: "1000", gridVersion: "v20.0" });
      const process = processEmissions({ description: "anode", co2eT: "14.905" });
      const gei = plantYearGei({ components: [fuel, power, process], equivalentProductT: "200" });
      expect(out(gei, "totalTco2e")).to.equal("3200"); // 2,458.095 + 727 + 14.905
      expect(out(gei, "gei")).to.equal("16");
      expect(gei.inputs.components).to.deep.equal([fuel.resultHash, power.resultHash, process.resultHash]);
      expect(() => plantYearGei({ components: [fuel], equivalentProductT: "0" })).to.throw(ValidationError, /equivalentOutputT/);
    });
  });
});
