import { expect } from "chai";
import { ValidationError } from "../../../backend/src/errors";
import {
  type Source,
  checkFuelBalance,
  checkJmrInvoice,
  checkMeterReadings,
  decimalString,
  materialityFraction,
} from "../../../backend/src/mrv";

const src = (id: string, kind: Source["kind"], value: string, unit = "MWh", independent = true): Source => ({
  id,
  kind,
  value,
  unit,
  independent,
});

describe("mrv triangulation", () => {
  it("applies the CDM materiality table by annual reductions and scale, and an ISO 14064-3 engagement's own", () => {
    const cdm = (t: string, scale: "large" | "small" | "micro" = "large") =>
      decimalString(materialityFraction({ scheme: "cdm", scale, annualReductionsT: t }));
    expect([cdm("500001"), cdm("500000"), cdm("300000"), cdm("299999"), cdm("10", "small"), cdm("10", "micro")]).to.deep.equal([
      "0.005",
      "0.01",
      "0.01",
      "0.02",
      "0.05",
      "0.1",
    ]);
    expect(decimalString(materialityFraction({ scheme: "iso14064-3", fraction: "0.03" }))).to.equal("0.03");
    expect(() => materialityFraction({ scheme: "iso14064-3", fraction: "5" })).to.throw(ValidationError, /materiality\.fraction/);
  });

  it("passes a meter that agrees with its check meter and the JMR, and finds one beyond materiality", () => {
    const fraction = materialityFraction({ scheme: "cdm", scale: "large", annualReductionsT: "100000" }); // 2 %
    const ok = checkMeterReadings(
      "net export",
      {
        meter: src("main", "meter", "10000", "MWh", false),
        checkMeter: src("check", "check_meter", "9950"),
        jmr: src("jmr", "jmr", "10010000", "kWh"),
      },
      "MWh",
      { fraction },
    );
    expect(ok.status).to.equal("corroborated");
    expect(ok.comparisons.map((c) => [c.check, c.difference, c.relative])).to.deep.equal([
      ["meter_vs_check_meter", "50", "0.005025"],
      ["meter_vs_jmr", "-10", "0.000999"],
    ]);
    const bad = checkMeterReadings(
      "net export",
      { meter: src("main", "meter", "10000", "MWh", false), jmr: src("jmr", "jmr", "9700") },
      "MWh",
      { fraction },
    );
    expect(bad.status).to.equal("finding");
    expect(bad.message).to.match(/main vs jmr: 300 MWh/);
  });

  it("judges materiality on the result when the emission effect is given (CDM's test)", () => {
    const fraction = materialityFraction({ scheme: "cdm", scale: "small", annualReductionsT: "0" }); // 5 %
    // 300 MWh × 0.861 t/MWh = 258.3 t against 5 % of 5,000 t = 250 t: a finding; against 6,000 t (300 t): not
    const args = { jmr: src("jmr", "jmr", "10300", "MWh", false), invoice: src("inv", "invoice", "10000") };
    expect(
      checkJmrInvoice("export", args.jmr, args.invoice, "MWh", { fraction, effect: { tco2ePerUnit: "0.861", basisT: "5000" } })
        .status,
    ).to.equal("finding");
    expect(
      checkJmrInvoice("export", args.jmr, args.invoice, "MWh", { fraction, effect: { tco2ePerUnit: "0.861", basisT: "6000" } })
        .status,
    ).to.equal("corroborated");
  });

  it("balances fuel invoices against consumption and stock change", () => {
    const fraction = materialityFraction({ scheme: "iso14064-3", fraction: "0.01" });
    const inputs = {
      invoices: [src("inv1", "invoice", "600", "t"), src("inv2", "invoice", "500", "t")],
      openingStock: src("open", "stock", "200", "t", false),
      closingStock: src("close", "stock", "300", "t", false),
      consumption: src("burnt", "meter", "1000", "t", false),
    };
    expect(checkFuelBalance("coal", inputs, "t", { fraction }).status).to.equal("corroborated"); // 1,100 − 100 = 1,000
    const off = checkFuelBalance("coal", { ...inputs, consumption: src("burnt", "meter", "1050", "t", false) }, "t", {
      fraction,
    });
    expect(off.status).to.equal("finding");
    expect(off.comparisons[0]).to.deep.include({
      check: "consumption_vs_fuel_balance",
      referenceValue: "1000",
      difference: "50",
    });
  });

  it("marks a parameter with one source, or only self-reported ones, uncorroborated", () => {
    const fraction = materialityFraction({ scheme: "iso14064-3", fraction: "0.05" });
    expect(checkMeterReadings("gen", { meter: src("main", "meter", "1", "MWh", false) }, "MWh", { fraction }).status).to.equal(
      "uncorroborated",
    );
    const selfOnly = checkMeterReadings(
      "gen",
      { meter: src("main", "meter", "1", "MWh", false), checkMeter: src("check", "check_meter", "1", "MWh", false) },
      "MWh",
      { fraction },
    );
    expect(selfOnly.status).to.equal("uncorroborated");
    expect(selfOnly.message).to.match(/cannot enter an issuance request, Form A or claim/);
  });
});
