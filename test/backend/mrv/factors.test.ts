import { expect } from "chai";
import { ValidationError } from "../../../backend/src/errors";
import {
  Decimal,
  FACTORS,
  fuelFactors,
  gridFactor,
  gridVersionInForce,
  gwpSet,
  ipccFuels,
  loadFactorLibrary,
} from "../../../backend/src/mrv";

const FUELS = [
  "coking_coal",
  "gas_diesel_oil",
  "lignite",
  "liquefied_petroleum_gases",
  "motor_gasoline",
  "naphtha",
  "natural_gas",
  "other_bituminous_coal",
  "petroleum_coke",
  "residual_fuel_oil",
  "sub_bituminous_coal",
];

describe("mrv factor library", () => {
  it("has NCV, CO2, CH4 and N2O for every fuel issue 17 names, in both combustion categories, each with a source", () => {
    expect(ipccFuels()).to.deep.equal(FUELS);
    for (const fuel of FUELS) {
      for (const category of ["energy", "manufacturing"] as const) {
        const f = fuelFactors("fuel", fuel, category);
        for (const row of [f.ncv, f.co2, f.ch4, f.n2o]) {
          expect(row.source.table, row.id).to.match(/^Table (1\.2|1\.4|2\.2|2\.3) /);
          expect(row.version).to.equal("2006");
          expect(row.validFrom).to.equal("2006-04-01");
        }
      }
    }
  });

  it("holds each CO2 factor equal to Table 1.3 carbon content × 44/12 × 1000, to Table 1.4's three significant figures", () => {
    for (const fuel of FUELS) {
      const co2 = new Decimal(fuelFactors("fuel", fuel, "energy").co2.value);
      const carbon = FACTORS.byId(`ipcc2006.carbon_content.${fuel}`);
      const derived = new Decimal(carbon?.value as string).times(44).dividedBy(12).times(1000).toSignificantDigits(3);
      expect(co2.equals(derived), `${fuel}: ${co2.toFixed()} vs ${derived.toFixed()}`).to.equal(true);
    }
  });

  it("ships the values of DOMAIN_NOTES §2.2 and the CH4/N2O of Tables 2.2/2.3", () => {
    const row = (fuel: string, category: "energy" | "manufacturing" = "energy") => fuelFactors("f", fuel, category);
    expect([row("natural_gas").ncv.value, row("natural_gas").co2.value]).to.deep.equal(["48.0", "56100"]);
    expect([row("lignite").ncv.value, row("lignite").co2.value]).to.deep.equal(["11.9", "101000"]);
    expect([row("petroleum_coke").ncv.value, row("petroleum_coke").co2.value]).to.deep.equal(["32.5", "97500"]);
    expect([row("other_bituminous_coal").ch4.value, row("other_bituminous_coal", "manufacturing").ch4.value]).to.deep.equal([
      "1",
      "10",
    ]);
    expect([row("gas_diesel_oil").ch4.value, row("gas_diesel_oil").n2o.value]).to.deep.equal(["3", "0.6"]);
    expect([row("liquefied_petroleum_gases").ch4.value, row("liquefied_petroleum_gases").n2o.value]).to.deep.equal(["1", "0.1"]);
    expect(row("natural_gas").n2o.check.status).to.equal("unconfirmed");
  });

  it("names the field for an unknown fuel", () => {
    expect(() => fuelFactors("fuels.2.fuel", "coal", "energy")).to.throw(ValidationError, /fuels\.2\.fuel: unknown fuel "coal"/);
  });

  it("ships CEA v20.0 and v21.0 and picks the newest version published by the period's end", () => {
    expect(gridFactor("g", "v20.0", "weighted_average").value).to.equal("0.727");
    expect(gridFactor("g", "v20.0", "combined_margin").value).to.equal("0.757");
    expect(gridFactor("g", "v20.0", "combined_margin_wind_solar").value).to.equal("0.861");
    expect(gridFactor("g", "v21.0", "operating_margin").value).to.equal("0.9646");
    expect(gridFactor("g", "v21.0", "combined_margin_wind_solar").check.status).to.equal("derived");
    expect(gridVersionInForce("p", "2025-03-31")).to.equal("v20.0");
    expect(gridVersionInForce("p", "2025-10-31")).to.equal("v20.0");
    expect(gridVersionInForce("p", "2026-03-31")).to.equal("v21.0");
    expect(() => gridVersionInForce("periodEnd", "2024-03-31")).to.throw(
      ValidationError,
      /periodEnd: no CEA grid factor version was published by 2024-03-31/,
    );
    expect(() => gridFactor("gridFactorVersion", "v19.0", "weighted_average")).to.throw(ValidationError, /gridFactorVersion:/);
  });

  it("ships GWP sets SAR, AR4, AR5 and AR6 with the PFCs", () => {
    const values = (set: string) => Object.fromEntries([...gwpSet("g", set)].map(([gas, r]) => [gas, r.value]));
    expect(values("SAR")).to.include({ CO2: "1", CH4: "21", N2O: "310", CF4: "6500", C2F6: "9200" });
    expect(values("AR4")).to.include({ CH4: "25", N2O: "298", CF4: "7390", C2F6: "12200" });
    expect(values("AR5")).to.include({ CH4: "28", N2O: "265", CF4: "6630", C2F6: "11100" });
    expect(values("AR6")).to.include({ CH4: "27.9", CH4_fossil: "29.8", N2O: "273", CF4: "7380", C2F6: "12400" });
    expect(() => gwpSet("gwpSet", "TAR")).to.throw(ValidationError, /gwpSet: unknown GWP set "TAR"/);
  });

  it("refuses a library file with a duplicate row id or a float value", () => {
    const row = {
      id: "x",
      kind: "gwp",
      value: "1",
      unit: "tCO2e/t",
      version: "v",
      validFrom: "2020-01-01",
      source: { document: "d" },
      check: { status: "confirmed", note: "n" },
    };
    expect(() => loadFactorLibrary([{ library: "a", description: "", rows: [row, row] }])).to.throw(/duplicate row id x/);
    expect(() => loadFactorLibrary([{ library: "a", description: "", rows: [{ ...row, value: 1 }] }])).to.throw();
  });
});
