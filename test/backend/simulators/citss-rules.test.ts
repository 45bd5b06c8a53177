import { expect } from "chai";
import { annualObligation, deadlineOf, offsetAllowance, offsetLimits, periodOf, selectForSurrender, untimelyObligation } from "../../../backend/src/simulators/citss/compliance";
import { instrumentKey, parseInstrumentKey, parseIssuanceId, vintageAllowed } from "../../../backend/src/simulators/citss/instruments";
import { invalidationDeadline } from "../../../backend/src/simulators/citss/offsets";
import { DEFAULT_PERIODS, defaultOffsetLimitBasisPoints, holdingLimitFor } from "../../../backend/src/simulators/citss/parameters";
import { checkTradeData, classifyTransfer, holdingLimitBreach, tradeDataSchema, transferDeadlines } from "../../../backend/src/simulators/citss/transfer-rules";

/** The CITSS rules as pure functions (COMPLIANCE_REGISTRIES.md §2), without a server. */
describe("simulators/citss rules", () => {
  describe("instruments and CARB issuance ids", () => {
    it("reads CARB Issuance IDs: project type, Early Action by the fifth character, reporting period, further issuances", () => {
      expect(parseIssuanceId("CAFR5003-A")).to.deep.equal({ projectId: "CAFR5003", projectType: "U.S. Forest", earlyAction: false, period: "A", reissue: 1 });
      expect(parseIssuanceId("CAFR5195-A2")).to.include({ reissue: 2 });
      expect(parseIssuanceId("CAOD0016-D4")).to.include({ projectType: "Ozone Depleting Substances", earlyAction: true, period: "D", reissue: 4 });
      expect(parseIssuanceId("CALS5001-B").projectType).to.equal("Livestock");
      for (const bad of ["CAFR5003", "CAXX5003-A", "CAFR5003-(reversal)", "cafr5003-a"]) expect(() => parseIssuanceId(bad), bad).to.throw(/not a CARB Issuance ID/);
    });

    it("keys vintaged and non-vintage instruments and refuses vintages outside 2013-2030", () => {
      expect(instrumentKey({ type: "CCA", vintage: 2024 })).to.equal("CCA-2024");
      expect(parseInstrumentKey("QCA-2030")).to.deep.equal({ type: "QCA", vintage: 2030 });
      expect(parseInstrumentKey("APCR")).to.deep.equal({ type: "APCR" });
      expect(parseInstrumentKey("ARBOC-CAFR5003-A")).to.deep.equal({ type: "ARBOC", issuanceId: "CAFR5003-A" });
      expect(() => parseInstrumentKey("CCA-2012")).to.throw(/outside 2013/);
      expect(() => parseInstrumentKey("VCU-1", "items[0].instrument")).to.throw(/^items\[0\]\.instrument:/);
    });

    it("allows at surrender only vintages up to the obligation year, non-vintage always, listed exceptions", () => {
      expect(vintageAllowed({ type: "CCA", vintage: 2024 }, 2024)).to.equal(true);
      expect(vintageAllowed({ type: "CCA", vintage: 2025 }, 2024)).to.equal(false);
      expect(vintageAllowed({ type: "APCR" }, 2013)).to.equal(true);
      expect(vintageAllowed({ type: "CCA", vintage: 2025 }, 2024, ["2024:2025"])).to.equal(true);
    });
  });

  describe("transfer kinds, deadlines and trade data (§95831, §95921, QC s.25-26.1)", () => {
    const general = (entityId: string) => ({ entityId, kind: "GENERAL" as const });
    it("classifies the routes and refuses what leaves a compliance account or enters a limited use account", () => {
      expect(classifyTransfer(general("CA1001"), general("CA1002"))).to.equal("TRANSFER");
      expect(classifyTransfer(general("CA1001"), { entityId: "CA1001", kind: "COMPLIANCE" })).to.equal("TO_OWN_COMPLIANCE");
      expect(classifyTransfer(general("CA1001"), { entityId: "JURISDICTION", kind: "RETIREMENT" })).to.equal("VOLUNTARY_RETIREMENT");
      expect(classifyTransfer({ entityId: "CA1001", kind: "LIMITED_USE" }, { entityId: "JURISDICTION", kind: "AUCTION" })).to.equal("CONSIGNMENT");
      expect(classifyTransfer(general("CA1001"), { entityId: "CA1009", kind: "EXCHANGE_CLEARING" })).to.equal("TO_EXCHANGE_CLEARING");
      expect(() => classifyTransfer({ entityId: "CA1001", kind: "COMPLIANCE" }, general("CA1001"))).to.throw(/^fromAccount: instruments in a compliance account may not be removed/);
      expect(() => classifyTransfer({ entityId: "CA1001", kind: "LIMITED_USE" }, general("CA1002"))).to.throw(/only to the Auction/);
      expect(() => classifyTransfer(general("CA1001"), { entityId: "CA1002", kind: "LIMITED_USE" })).to.throw(/cannot receive/);
      expect(() => classifyTransfer(general("CA1001"), { entityId: "CA1002", kind: "COMPLIANCE" })).to.throw(/only the entity itself/);
    });

    it("gives 2 days to confirm and 3 days from the proposal to accept", () => {
      const proposed = new Date("2025-03-03T17:00:00Z");
      expect(transferDeadlines(proposed, 2, 3)).to.deep.equal({ confirmBy: new Date("2025-03-05T17:00:00Z"), acceptBy: new Date("2025-03-06T17:00:00Z") });
    });

    it("requires trade data with a price per instrument, unless related party or bundled", () => {
      const trade = (extra: object) => tradeDataSchema.parse({ tradeType: "OTC_DELIVERY_WITHIN_3_DAYS", agreementDate: "2025-03-01", currency: "USD", ...extra });
      expect(() => checkTradeData("TRANSFER", undefined, ["CCA-2024"], "2025-03-03")).to.throw(/^trade: /);
      expect(() => checkTradeData("TRANSFER", trade({ prices: { "CCA-2024": "31.25" } }), ["CCA-2024", "CCA-2025"], "2025-03-03")).to.throw(/^trade\.prices\.CCA-2025: a price per instrument and vintage is required/);
      expect(() => checkTradeData("TRANSFER", trade({ relatedParty: true }), ["CCA-2024"], "2025-03-03")).not.to.throw();
      expect(() => checkTradeData("TRANSFER", trade({ bundled: true }), ["CCA-2024"], "2025-03-03")).not.to.throw();
      expect(() => checkTradeData("TRANSFER", trade({ agreementDate: "2025-03-04", relatedParty: true }), ["CCA-2024"], "2025-03-03")).to.throw(/agreementDate: 2025-03-04 is in the future/);
      expect(() => checkTradeData("TO_EXCHANGE_CLEARING", trade({ tradeType: "EXCHANGE", relatedParty: true }), ["CCA-2024"], "2025-03-03")).to.throw(/exchangeCode/);
      expect(() => checkTradeData("TO_OWN_COMPLIANCE", undefined, ["CCA-2024"], "2025-03-03")).not.to.throw();
      expect(() => tradeDataSchema.parse({ tradeType: "OTC", agreementDate: "2025-03-01", currency: "USD" })).to.throw(/tradeType/);
      expect(() => tradeDataSchema.parse({ tradeType: "EXCHANGE", agreementDate: "2025-03-01", currency: "USD", prices: { "CCA-2024": "31.255" } })).to.throw(/price/);
    });
  });

  describe("holding limit (§95920)", () => {
    it("computes the default limit from the formula (0.1 x 25 M + 0.025 x the rest)", () => {
      expect(holdingLimitFor(250_000_000n)).to.equal(8_125_000n);
      expect(holdingLimitFor(20_000_000n)).to.equal(2_000_000n);
    });
    it("counts current and past vintages together, each future vintage alone, and no offsets", () => {
      const at = (key: string, quantity: bigint) => ({ instrument: parseInstrumentKey(key), quantity });
      expect(holdingLimitBreach([at("CCA-2024", 600n), at("APCR", 400n), at("ARBOC-CAFR5003-A", 10_000n)], 1_000n, 2025)).to.equal(undefined);
      expect(holdingLimitBreach([at("CCA-2024", 600n), at("QCA-2025", 401n)], 1_000n, 2025)).to.match(/current and past vintages \(to 2025\) allowances at 1001, above the holding limit of 1000/);
      expect(holdingLimitBreach([at("CCA-2024", 1_000n), at("CCA-2027", 1_000n)], 1_000n, 2025)).to.equal(undefined);
      expect(holdingLimitBreach([at("CCA-2027", 1_001n)], 1_000n, 2025)).to.match(/vintage 2027/);
    });
  });

  describe("compliance arithmetic (§95853-§95857)", () => {
    it("puts the deadline at 1 November 17:00 Pacific (still daylight time in 2025: 00:00 UTC on the 2nd)", () => {
      expect(deadlineOf(2025, "11-01T17:00", "America/Los_Angeles").toISOString()).to.equal("2025-11-02T00:00:00.000Z");
      expect(deadlineOf(2026, "11-01T17:00", "America/Los_Angeles").toISOString()).to.equal("2026-11-02T01:00:00.000Z");
    });
    it("finds the compliance period and the offset limit of each year (8 %, 4 %, 6 %)", () => {
      expect(periodOf(2022, DEFAULT_PERIODS).name).to.equal("CP4");
      expect(periodOf(2026, DEFAULT_PERIODS)).to.deep.include({ name: "CP5", lastYear: 2026 });
      expect([2018, 2021, 2025, 2026].map(defaultOffsetLimitBasisPoints)).to.deep.equal([800, 400, 400, 600]);
      expect(offsetAllowance(30_000n, 400)).to.equal(1_200n);
      expect(offsetLimits(1_200n, true)).to.deep.equal({ offsetLimit: 1_200n, nonDebsLimit: 600n });
      expect(offsetLimits(1_200n, false)).to.deep.equal({ offsetLimit: 1_200n, nonDebsLimit: 1_200n });
    });
    it("rounds the 30 % annual obligation up to whole instruments", () => {
      expect(annualObligation(10_000n, 30)).to.equal(3_000n);
      expect(annualObligation(1_001n, 30)).to.equal(301n);
    });
    it("retires offsets (DEBS first, non-DEBS up to half the limit), then non-vintage, then vintages oldest first, never a later vintage", () => {
      const selection = selectForSurrender(
        [
          { key: "CCA-2025", quantity: 50_000n },
          { key: "CCA-2023", quantity: 10_000n },
          { key: "APCR", quantity: 1_000n },
          { key: "ARBOC-CAFR5003-A", quantity: 1_000n, debs: false },
          { key: "ARBOC-CALS5001-A", quantity: 500n, debs: true },
          { key: "CCA-2024", quantity: 40_000n },
        ],
        { quantity: 30_000n, obligationYear: 2024, offsetLimit: 1_200n, nonDebsLimit: 600n },
      );
      expect(selection.picks).to.deep.equal([
        { key: "ARBOC-CALS5001-A", quantity: 500n },
        { key: "ARBOC-CAFR5003-A", quantity: 600n },
        { key: "APCR", quantity: 1_000n },
        { key: "CCA-2023", quantity: 10_000n },
        { key: "CCA-2024", quantity: 17_900n },
      ]);
      expect([selection.shortfall, selection.offsetsUsed]).to.deep.equal([0n, 1_100n]);
      const future = selectForSurrender([{ key: "CCA-2025", quantity: 50_000n }], { quantity: 100n, obligationYear: 2024, offsetLimit: 0n, nonDebsLimit: 0n });
      expect(future).to.deep.include({ retired: 0n, shortfall: 100n });
    });
    it("makes an untimely surrender four times the shortfall, at most a quarter of it in offsets", () => {
      expect(untimelyObligation(1_000n, 4, 25)).to.deep.equal({ quantity: 4_000n, offsetLimit: 1_000n });
    });
    it("ends the invalidation timeframe 8 (or 3) years after its start", () => {
      expect(invalidationDeadline({ invalidationStart: "2016-12-31", invalidationYears: 8 })).to.equal("2024-12-31");
      expect(invalidationDeadline({ invalidationStart: "2016-12-31", invalidationYears: 3 })).to.equal("2019-12-31");
    });
  });
});
