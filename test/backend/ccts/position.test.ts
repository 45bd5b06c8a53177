import { expect } from "chai";
import { CCTS_PARAMETERS, computePosition, equivalentProductPlugin, targetFor } from "../../../backend/src/ccts";
import { ValidationError } from "../../../backend/src/errors";

describe("ccts position", () => {
  const vedanta = targetFor("Vedanta Ltd", "Jharsuguda", "2025-26");

  it("carries the notified Vedanta Jharsuguda targets", () => {
    expect(vedanta.targetGei).to.equal("13.2260");
    expect(vedanta.row).to.deep.include({
      baselineGei: "13.4927",
      baselineOutputT: "1238336",
      notification: "gei-target-rules-2025",
    });
    expect(targetFor("Vedanta Ltd", "Jharsuguda", "2026-27").targetGei).to.equal("12.8259");
    expect(() => targetFor("Vedanta Ltd", "Jharsuguda", "2027-28")).to.throw(ValidationError, /complianceYear/);
  });

  it("reproduces the DOMAIN_NOTES worked examples: 13.10 → 157,500 CCC; 13.30 → shortfall 92,500", () => {
    const surplus = computePosition({ targetGei: vedanta.targetGei, gei: "13.10", equivalentOutputT: "1250000" });
    expect(surplus).to.deep.include({ rawCertificates: "157500", cccIssuable: "157500", shortfall: "0" });
    const short = computePosition({
      targetGei: vedanta.targetGei,
      gei: "13.30",
      equivalentOutputT: "1250000",
      averageCccPriceInr: "850",
    });
    expect(short).to.deep.include({ rawCertificates: "-92500", cccIssuable: "0", shortfall: "92500" });
    expect(short.environmentalCompensationInr).to.equal("157250000"); // 2 × 850 × 92,500
    expect(surplus.environmentalCompensationInr).to.equal(undefined);
  });

  it("rounds once, at the end, with the configured modes", () => {
    // (13.2260 − 13.1000) × 1,250,003 = 157,500.378
    const p = computePosition({ targetGei: "13.2260", gei: "13.1", equivalentOutputT: "1250003" });
    expect([p.rawCertificates, p.cccIssuable]).to.deep.equal(["157500.378", "157500"]);
    const up = computePosition(
      { targetGei: "13.2260", gei: "13.1", equivalentOutputT: "1250003" },
      { ...CCTS_PARAMETERS, issuanceRounding: "up" },
    );
    expect(up.cccIssuable).to.equal("157501");
    // (13.30 − 13.2260) × 1,250,003 = 92,500.222 → shortfall rounded up by default
    expect(computePosition({ targetGei: "13.2260", gei: "13.30", equivalentOutputT: "1250003" }).shortfall).to.equal("92501");
    const halfEven = { ...CCTS_PARAMETERS, shortfallRounding: "half_even" as const };
    expect(computePosition({ targetGei: "13.2260", gei: "13.30", equivalentOutputT: "1250003" }, halfEven).shortfall).to.equal(
      "92500",
    );
  });

  it("uses T × P − E when the emissions are known, so a whole-number position is not rounded off by the GEI division", () => {
    // E = 14,517,475, P = 1,100,000: G = 13.19770454545... (repeating); T × P − E = 31,125 exactly
    const p = computePosition({ targetGei: "13.2260", totalTco2e: "14517475", equivalentOutputT: "1100000" });
    expect([p.rawCertificates, p.cccIssuable]).to.deep.equal(["31125", "31125"]);
  });

  it("names the field of bad input", () => {
    expect(() => computePosition({ targetGei: "13.2", gei: "13", equivalentOutputT: "-5" })).to.throw(
      ValidationError,
      /^equivalentOutputT:/,
    );
    expect(() => computePosition({ targetGei: undefined as never, gei: "13", equivalentOutputT: "5" })).to.throw(
      ValidationError,
      /^targetGei: is required/,
    );
  });
});

describe("ccts equivalent-product plugins", () => {
  it("converts sector outputs with the notification's factors and the plant's own", () => {
    const al = equivalentProductPlugin("aluminium").compute([{ product: "hot_metal", quantityT: "1238336" }]);
    expect(al.outputs.equivalentOutputT?.value).to.equal("1238336");
    expect(al.factors["f.hot_metal"]).to.include({ id: "gei-target-rules-2025.aluminium.hot_metal", value: "1" });
    const cement = equivalentProductPlugin("cement").compute(
      [
        { product: "opc", quantityT: "100" },
        { product: "ppc", quantityT: "50" },
      ],
      { ppc: "0.7" },
    );
    expect(cement.outputs.equivalentOutputT?.value).to.equal("135");
    expect(cement.factors["f.ppc"]).to.include({ id: "caller.cement.ppc", status: "unconfirmed" });
    expect(
      equivalentProductPlugin("chlor_alkali").compute([{ product: "caustic_soda_lye_48pct", quantityT: 1000 }]).outputs
        .equivalentOutputT?.value,
    ).to.equal("480");
  });

  it("refuses a placeholder factor nobody supplied, an unknown product and an unknown sector", () => {
    const cement = equivalentProductPlugin("cement");
    expect(() => cement.compute([{ product: "ppc", quantityT: "1" }])).to.throw(
      ValidationError,
      /^conversionFactors\.ppc: required/,
    );
    expect(() => cement.compute([{ product: "slag", quantityT: "1" }])).to.throw(
      ValidationError,
      /^outputs\.0\.product: unknown cement product/,
    );
    expect(() => equivalentProductPlugin("steel")).to.throw(ValidationError, /^sector:/);
    expect(equivalentProductPlugin("pulp_paper").products).to.deep.equal(["paper", "market_pulp", "paperboard"]);
  });
});
