import { expect } from "chai";
import { PDFParse } from "pdf-parse";
import { assertCsrSpendAllowed, csrSpendCounts } from "../../../backend/src/claims/csr/guards";
import { impactAssessmentRequired } from "../../../backend/src/claims/csr/impact";
import { PAISE_PER_CRORE, formatInr, parseRupees, rupeesString } from "../../../backend/src/claims/csr/money";
import { csrApplicability, csrObligation } from "../../../backend/src/claims/csr/obligation";
import { parseCsrProgramme } from "../../../backend/src/claims/csr/programme";
import { renderProgrammeReportPdf } from "../../../backend/src/claims/csr/report-pdf";
import { annexureProjectTable, csr2Figures, programmeReport } from "../../../backend/src/claims/csr/reports";
import { type LedgerEvent, csrAlerts, parseLedger, unspentDeadlines } from "../../../backend/src/claims/csr/unspent";
import { CsrGuardError } from "../../../backend/src/claims/errors";
import { buildClaimStatement } from "../../../backend/src/claims/statement/build";
import type { ClaimStatementInput } from "../../../backend/src/claims/statement/model";
import { ValidationError } from "../../../backend/src/errors";
import { MANGROVE_BLOCK, mangroveCredits, mangroveProgramme } from "./csr-fixtures";
import { expectThrows, shipped } from "./helpers";

const P = shipped.parameters;
const crore = (n: number) => BigInt(n * 100) * (PAISE_PER_CRORE / 100n);

const obligation2024 = () =>
  csrObligation(P, { fy: 2024, netProfits: [{ fy: 2023, netProfit: "900000000" }, { fy: 2022, netProfit: "800000000" }, { fy: 2021, netProfit: "1000000000" }] });

/** FY 2024-25 closes with Rs 26 lakh unspent: Rs 20 lakh for the ongoing mangrove project, Rs 6 lakh otherwise. */
const close2024 = { fy: 2024, obligation: "18000000", spent: "15400000", unspentOngoing: "2000000", unspentOther: "600000" };

function ledger(events: unknown[]) {
  return parseLedger({ closes: [close2024], events });
}

function alertsOn(today: string, events: unknown[]) {
  const { closes, events: parsed } = ledger(events);
  return csrAlerts({ parameters: P, closes, events: parsed, today });
}

describe("claims/csr", () => {
  it("handles money as paise, never floating point", () => {
    expect(parseRupees("1234.5", "x")).to.equal(123450n);
    expect(rupeesString(-123405n)).to.equal("-1234.05");
    expect(formatInr(1234567890n)).to.equal("Rs 1,23,45,678.90");
    expect(expectThrows(() => parseRupees("12.345", "amount"), ValidationError).field).to.equal("amount");
  });

  it("tests applicability against the preceding year's figures, citing s.135(1)", () => {
    const below = csrApplicability(P, 2024, { fy: 2023, netWorth: "4000000000", turnover: "9999999999.99", netProfit: "49999999" });
    expect(below.obliged).to.equal(false);
    const turnover = csrApplicability(P, 2024, { fy: 2023, netWorth: "0", turnover: "10000000000", netProfit: "-5000000" });
    expect([turnover.obliged, turnover.triggeredBy]).to.deep.equal([true, ["turnover"]]);
    expect(turnover.rule).to.contain("s.135(1)");
    expect(turnover.sources).to.include("S98");
    expect(expectThrows(() => csrApplicability(P, 2024, { fy: 2022, netWorth: "0", turnover: "0", netProfit: "0" }), ValidationError).field).to.equal("preceding.fy");
  });

  it("computes 2 % of the average net profit of the three preceding years, rounded up to the paisa", () => {
    const o = obligation2024();
    expect([rupeesString(o.averageNetProfit), rupeesString(o.prescribed), o.committeeRequired]).to.deep.equal(["900000000.00", "18000000.00", true]);
    const odd = csrObligation(P, { fy: 2024, netProfits: [{ fy: 2023, netProfit: "100" }, { fy: 2022, netProfit: "100" }, { fy: 2021, netProfit: "101" }] });
    expect(odd.prescribed).to.equal(201n); // 2 % of 100.333... rupees = 2.00667 rupees: 201 paise
    const losses = csrObligation(P, { fy: 2024, netProfits: [{ fy: 2023, netProfit: "-900" }, { fy: 2022, netProfit: "100" }, { fy: 2021, netProfit: "100" }] });
    expect(losses.total).to.equal(0n);
    const young = csrObligation(P, { fy: 2024, incorporatedWithinThreeYears: true, netProfits: [{ fy: 2023, netProfit: "25000000" }], surplusArising: "10000", setOff: "5000" });
    expect([rupeesString(young.prescribed), rupeesString(young.total), young.committeeRequired]).to.deep.equal(["500000.00", "505000.00", false]);
    expect(expectThrows(() => csrObligation(P, { fy: 2024, netProfits: [{ fy: 2023, netProfit: "1" }] }), ValidationError).field).to.equal("netProfits");
  });

  it("accepts an ongoing project up to three years beyond its start year, and a CSR-1 number in format", () => {
    const programme = parseCsrProgramme(P, mangroveProgramme());
    expect(programme.projects[0]!.endFy - programme.projects[0]!.startFy).to.equal(3);
    const tooLong = mangroveProgramme();
    tooLong.projects[0]!.endFy = 2028;
    const long = expectThrows(() => parseCsrProgramme(P, tooLong), ValidationError);
    expect(long.field).to.equal("programme.projects[0].endFy");
    expect(long.message).to.contain("r.2(1)(i)");
    const badAgency = mangroveProgramme();
    badAgency.projects[0]!.implementation = { mode: "agency", agency: { name: "X", csr1RegistrationNumber: "CSR1234" } };
    expect(expectThrows(() => parseCsrProgramme(P, badAgency), ValidationError).field).to.equal("programme.projects[0].implementation.agency.csr1RegistrationNumber");
    const float = mangroveProgramme() as unknown as { projects: Array<{ budget: Array<{ amount: unknown }> }> };
    float.projects[0]!.budget[0]!.amount = 17000000.5;
    expect(expectThrows(() => parseCsrProgramme(P, float), ValidationError).field).to.equal("programme.projects[0].budget[0].amount");
  });

  describe("the Unspent CSR Account of FY 2024-25", () => {
    it("sets the deadlines: 30 April 2025, 31 March 2028 then 30 April 2028, and 30 September 2025 for the rest", () => {
      const { closes, events } = ledger([]);
      const deadlines = unspentDeadlines({ parameters: P, closes, events, today: "2025-01-01" });
      expect(deadlines.map((d) => [d.kind, d.dueDate, rupeesString(d.required)])).to.deep.equal([
        ["transfer_to_unspent_account", "2025-04-30", "2000000.00"],
        ["other_unspent_to_fund", "2025-09-30", "600000.00"],
        ["spend_unspent_account", "2028-03-31", "2000000.00"],
      ]);
    });

    it("alerts what is due, when and how much, and says when a transfer is late", () => {
      const soon = alertsOn("2025-04-10", []);
      expect(soon.map((a) => [a.kind, a.status, a.amountRupees])).to.deep.equal([
        ["transfer_to_unspent_account", "due_soon", "2000000.00"],
        ["other_unspent_to_fund", "upcoming", "600000.00"],
        ["spend_unspent_account", "upcoming", "2000000.00"],
      ]);
      expect(soon[0]!.message).to.equal(
        "Transfer to the Unspent CSR Account for FY 2024-25: Rs 20,00,000.00 is due by 2025-04-30 (s.135(6): unspent amount of ongoing projects of FY 2024-25 to the Unspent CSR Account within 30 days of the year end).",
      );
      const overdue = alertsOn("2025-05-05", []);
      expect(overdue[0]).to.include({ kind: "transfer_to_unspent_account", status: "overdue" });
      expect(overdue[0]!.message).to.contain("default under s.135(7)");
      const late = ledger([{ kind: "transfer_to_unspent_account", originFy: 2024, date: "2025-05-10", amount: "2000000" }]);
      const states = unspentDeadlines({ parameters: P, ...late, today: "2025-05-11" });
      expect(states.find((d) => d.kind === "transfer_to_unspent_account")!.status).to.equal("met_late");
    });

    it("moves what is left after three years to a Schedule VII fund within 30 days", () => {
      const events: unknown[] = [
        { kind: "transfer_to_unspent_account", originFy: 2024, date: "2025-04-25", amount: "2000000" },
        { kind: "transfer_to_fund", originFy: 2024, date: "2025-09-10", amount: "600000", fund: "PM National Relief Fund", from: "unspent_other" },
        { kind: "spend_from_unspent_account", originFy: 2024, date: "2025-06-01", amount: "1200000", projectId: "MANGROVE" },
      ];
      expect(alertsOn("2025-10-01", events).map((a) => [a.kind, a.amountRupees])).to.deep.equal([["spend_unspent_account", "800000.00"]]);
      expect(alertsOn("2028-03-15", events).map((a) => [a.kind, a.status, a.dueDate, a.amountRupees])).to.deep.equal([
        ["spend_unspent_account", "due_soon", "2028-03-31", "800000.00"],
        ["unspent_account_to_fund", "upcoming", "2028-04-30", "800000.00"],
      ]);
      expect(alertsOn("2028-04-05", events).map((a) => [a.kind, a.status])).to.deep.equal([["unspent_account_to_fund", "due_soon"]]);
      expect(alertsOn("2028-05-01", events).map((a) => [a.kind, a.status])).to.deep.equal([["unspent_account_to_fund", "overdue"]]);
      const paid = [...events, { kind: "transfer_to_fund", originFy: 2024, date: "2028-04-20", amount: "800000", fund: "Clean Ganga Fund", from: "unspent_account" }];
      expect(alertsOn("2028-05-01", paid)).to.deep.equal([]);
    });

    it("alerts the surplus from credit sales until it is ploughed back", () => {
      const programme = parseCsrProgramme(P, mangroveProgramme());
      const surpluses = programme.projects.flatMap((p) => p.surpluses.map((s) => ({ ...s, projectId: p.id })));
      const { closes, events } = ledger([]);
      const alerts = csrAlerts({ parameters: P, closes: closes.slice(0, 0), events, surpluses, today: "2026-04-15" });
      expect(alerts.map((a) => [a.kind, a.dueDate, a.amountRupees])).to.deep.equal([["treat_surplus", "2026-09-30", "500000.00"]]);
      expect(alerts[0]!.message).to.contain("is not business profit");
      const treated = surpluses.map((s) => ({ ...s, treatment: "ploughed_back" as const, treatedOn: "2026-05-01" }));
      expect(csrAlerts({ parameters: P, closes: [], events: [] as LedgerEvent[], surpluses: treated, today: "2026-04-15" })).to.deep.equal([]);
    });

    it("refuses a year close whose split does not add up", () => {
      const error = expectThrows(() => parseLedger({ closes: [{ ...close2024, unspentOther: "500000" }], events: [] }), ValidationError);
      expect(error.field).to.equal("closes[0].unspentOngoing");
    });
  });

  it("triggers the impact assessment at an average obligation of Rs 10 crore and an outlay of Rs 1 crore", () => {
    const ten = [crore(10), crore(10), crore(10)];
    const required = impactAssessmentRequired(P, { obligationsOfPrecedingThreeFys: ten, projectOutlay: crore(1), completedOn: "2027-03-31" });
    expect([required.required, required.from]).to.deep.equal([true, "2028-03-31"]);
    expect(impactAssessmentRequired(P, { obligationsOfPrecedingThreeFys: [crore(10), crore(10), crore(10) - 1n], projectOutlay: crore(5) }).required).to.equal(false);
    expect(impactAssessmentRequired(P, { obligationsOfPrecedingThreeFys: ten, projectOutlay: crore(1) - 1n }).required).to.equal(false);
  });

  it("does not count spending that fulfils a statutory obligation as CSR", () => {
    const programme = parseCsrProgramme(P, mangroveProgramme());
    const plantation = programme.projects[1]!;
    expect(csrSpendCounts(plantation)).to.deep.include({ counts: false, ruleId: "CSR-STATUTORY" });
    expect(expectThrows(() => assertCsrSpendAllowed(plantation), CsrGuardError).ruleId).to.equal("CSR-STATUTORY");
    const table = annexureProjectTable([programme], 2024);
    expect(table.rows.map((r) => r.projectId)).to.deep.equal(["MANGROVE"]);
    expect(table.excluded).to.have.length(1);
    expect(table.excluded[0]).to.include({ programmeId: "P-COAST-2024", projectId: "EC-PLANTATION", amount: "2500000.00" });
    expect(table.excluded[0]!.reason).to.contain("environmental clearance condition (EC J-11011/123/2020-IA-II, condition 14)");
  });

  describe("credits generated by the CSR project", () => {
    const iso = (programmeOverrides = {}): { input: ClaimStatementInput; programmes: ReturnType<typeof parseCsrProgramme>[] } => ({
      input: {
        statementId: "CS-2026-0101",
        issuedAt: "2026-06-12T09:00:00Z",
        claimant: { legalName: "Example Steel Ltd", country: "IN" },
        registryBeneficiary: "Example Steel Ltd",
        purpose: "Carbon neutrality of Indian operations, FY 2025-26",
        claimType: "iso14068_carbon_neutrality",
        period: { start: "2025-04-01", end: "2026-03-31" },
        boundary: { kind: "organisation", description: "Example Steel Ltd, Indian operations" },
        inventory: { reference: "GHG inventory FY 2025-26", remainingEmissionsT: "3000" },
        audience: { jurisdictions: ["IN"], channel: "sustainability_report", subject: "organisation" },
        wording: "Example Steel Ltd is carbon neutral for FY 2025-26 in accordance with ISO 14068-1.",
        legallyRequiredReduction: false,
        assurance: { provider: "Example Assurance LLP", level: "reasonable" },
        claimantFacts: { neutralityManagementPlan: true, reductionsBeforeOffsetting: true },
        blocks: [MANGROVE_BLOCK],
      },
      programmes: [parseCsrProgramme(P, mangroveProgramme(programmeOverrides))],
    });

    it("blocks the company's own neutrality claim on them without board approval and disclosure", () => {
      const { input, programmes } = iso();
      const error = expectThrows(() => buildClaimStatement({ reference: mangroveCredits, input, csrProgrammes: programmes }), CsrGuardError);
      expect(error.ruleId).to.equal("CSR-OWN-CLAIM");
      expect(error.message).to.contain(`${MANGROVE_BLOCK.serial} from CSR project P-COAST-2024/MANGROVE`);
      expect(() => buildClaimStatement({ reference: mangroveCredits, input })).to.not.throw();
    });

    it("allows it once the board approved and disclosed it before the claim, and records that", () => {
      const creditUse = { boardApproval: { resolutionRef: "BR-2026-04", date: "2026-05-02" }, disclosure: { reference: "Annual report 2025-26, note 41", date: "2026-05-30" } };
      const { input, programmes } = iso({ creditUse });
      const statement = buildClaimStatement({ reference: mangroveCredits, input, csrProgrammes: programmes });
      expect(statement.blocks[0]!.csrOrigins).to.deep.equal([{ programmeId: "P-COAST-2024", projectId: "MANGROVE", approvedOwnUse: true, approval: "board resolution BR-2026-04 (2026-05-02), disclosed Annual report 2025-26, note 41" }]);
      expect(statement.totals.removal).to.equal("3000");
      const tooLate = iso({ creditUse: { ...creditUse, disclosure: { ...creditUse.disclosure, date: "2026-07-01" } } });
      expect(() => buildClaimStatement({ reference: mangroveCredits, input: tooLate.input, csrProgrammes: tooLate.programmes })).to.throw(CsrGuardError);
    });

    it("lets a contribution claim on them through: it is not the company's own claim", () => {
      const { input, programmes } = iso();
      const statement = buildClaimStatement({
        reference: mangroveCredits,
        input: { ...input, claimType: "contribution", wording: "We financed mangrove restoration.", claimantFacts: { claimsOffsetting: false } },
        csrProgrammes: programmes,
      });
      expect(statement.blocks[0]!.csrOrigins[0]!.approvedOwnUse).to.equal(false);
    });
  });

  it("writes the annexure table, the CSR-2 figures and the multi-year programme report", async () => {
    const programme = parseCsrProgramme(P, mangroveProgramme());
    const [row] = annexureProjectTable([programme], 2024).rows;
    expect(row).to.deep.equal({
      projectId: "MANGROVE", scheduleVIIItem: "(iv)", projectName: "Mangrove restoration, Raigad", localArea: "Y", state: "Maharashtra", district: "Raigad",
      durationMonths: 48, ongoing: true, amountAllocatedInFy: "17000000.00", amountSpentInFy: "15000000.00", directImplementation: "N", csrRegistrationNumber: "CSR00012345",
    });
    const { events } = ledger([
      { kind: "transfer_to_unspent_account", originFy: 2024, date: "2025-04-25", amount: "2000000" },
      { kind: "transfer_to_fund", originFy: 2024, date: "2025-09-10", amount: "600000", fund: "PM National Relief Fund", from: "unspent_other" },
    ]);
    const applicability = csrApplicability(P, 2024, { fy: 2023, netWorth: "20000000000", turnover: "60000000000", netProfit: "900000000" });
    const figures = csr2Figures({ parameters: P, fy: 2024, applicability, obligation: obligation2024(), programmes: [programme], events });
    expect(figures.spent).to.deep.equal({ ongoingProjects: "15000000.00", otherProjects: "0.00", adminOverheads: "400000.00", impactAssessment: "0.00", total: "15400000.00" });
    expect(figures.unspent).to.deep.equal({ total: "2600000.00", transferredToUnspentAccount: "2000000.00", transferredToScheduleViiFund: "600000.00" });
    expect([figures.totalObligation, figures.adminOverheadWithinLimit, figures.applicability.triggeredBy]).to.deep.equal(["18000000.00", true, ["net_worth", "turnover", "net_profit"]]);

    const claim = { statementId: "CS-2026-0101", statementHash: "b".repeat(64), claimType: "contribution", registry: "VERRA", projectId: "9501", quantity: "3000", retiredOn: "2026-06-10" };
    const report = programmeReport({ programme, fromFy: 2024, toFy: 2027, claims: [claim], generatedAt: "2028-05-15T00:00:00Z" });
    const mangrove = report.projects[0]!;
    expect(mangrove.perYear.map((y) => [y.fy, y.budget, y.spent])).to.deep.equal([
      ["2024-25", "17000000.00", "15400000.00"],
      ["2025-26", "15000000.00", "1200000.00"],
      ["2026-27", "10000000.00", "0.00"],
      ["2027-28", "5000000.00", "0.00"],
    ]);
    expect(mangrove.perYear[0]!.outcomes[0]).to.deep.include({ metric: "area restored", value: "120.5", unit: "ha", source: "mrv: MRV-2025-03" });
    expect(mangrove.evidence).to.deep.equal(["1".repeat(64), "2".repeat(64), "3".repeat(64)]);
    expect(mangrove.claims).to.deep.equal([claim]);
    expect(report.projects[1]!.countsAsCsr).to.equal(false);
    expect(report.sha256).to.equal(programmeReport({ programme, fromFy: 2024, toFy: 2027, claims: [claim], generatedAt: "2028-05-15T00:00:00Z" }).sha256);
    const parser = new PDFParse({ data: await renderProgrammeReportPdf(report) });
    const text = (await parser.getText()).text.replace(/\s+/g, " ");
    await parser.destroy();
    for (const expected of ["Coastal restoration, FY 2024-25 to 2027-28", "area restored 120.5 ha", "CS-2026-0101", report.sha256]) expect(text, expected).to.contain(expected);
  });
});
