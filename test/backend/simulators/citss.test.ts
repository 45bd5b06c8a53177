import { expect } from "chai";
import { startCitssSimulator, type CitssSimulatorOptions, type RunningCitssSimulator } from "../../../backend/src/simulators/citss";
import { localTime, SimulatorClient, type Json, type Representative } from "./allowance-client";

/** The CITSS simulator over real HTTP: representatives sign with one-time codes; the test moves the clock. */
const pacific = (text: string) => localTime("America/Los_Angeles", text);
const DAY = 86_400_000;
const trade = (prices: Record<string, string>) => ({ tradeType: "OTC_DELIVERY_WITHIN_3_DAYS", agreementDate: "2025-03-01", currency: "USD", prices });

describe("simulators/citss over HTTP", () => {
  let sim: RunningCitssSimulator;
  let client: SimulatorClient;
  let sellerPar: Representative;
  let sellerAar: Representative;
  let sellerViewer: Representative;
  let buyerPar: Representative;
  let seller: string;
  let buyer: string;

  const entity = async (body: Json) => String((await client.admin("POST", "/entities", body)).id);
  const appoint = (entityId: string, representativeId: string, role: string) => client.admin("POST", `/entities/${entityId}/representatives`, { representativeId, role });
  const deliver = (entityId: string, instrument: string, quantity: number, account = "GENERAL") => client.admin("POST", `/entities/${entityId}/allowances`, { instrument, quantity, account });
  const holdings = async (rep: Representative, entityId: string) =>
    Object.fromEntries((await rep.csv(`/api/entities/${entityId}/holdings.csv`)).map((row) => [`${row.Account}:${row.Instrument}`, `${row.Available}+${row["Pending transfer"]}`]));
  const propose = (rep: Representative, body: Json) => rep.sign("/api/transfers", body);
  const step = (rep: Representative, action: string, transferId: unknown) => rep.sign(`/api/transfers.${action}`, { transferId: String(transferId) });
  const advance = (ms: number) => client.admin("POST", "/clock", { advanceMs: ms });
  const compliance = async (entityId: string) => (await client.call("GET", `/_admin/entities/${entityId}/compliance`)).body as unknown as Array<Json>;
  /** Moves instruments into the entity's own compliance account (propose + second representative). */
  const intoCompliance = async (entityId: string, par: Representative, aar: Representative, items: Json[]) => {
    const proposed = await propose(par, { fromAccount: `${entityId}/GENERAL`, toAccount: `${entityId}/COMPLIANCE`, items });
    return step(aar, "confirm", proposed.body.transferId);
  };

  const start = async (options: CitssSimulatorOptions = {}) => {
    sim = await startCitssSimulator({ clock: { start: pacific("2025-03-03 09:00:00"), frozen: true }, ...options });
    client = new SimulatorClient(sim.url);
    seller = await entity({ jurisdiction: "CA", name: "Golden State Cement", entityType: "COVERED_ENTITY", arbGhgId: "101234", limitedUse: true });
    buyer = await entity({ jurisdiction: "CA", name: "Carbon Custody LLC", entityType: "VOLUNTARILY_ASSOCIATED_ENTITY" });
    sellerPar = await client.representative("S-PAR");
    sellerAar = await client.representative("S-AAR");
    sellerViewer = await client.representative("S-AVA");
    buyerPar = await client.representative("B-PAR");
    await appoint(seller, "S-PAR", "PAR");
    await appoint(seller, "S-AAR", "AAR");
    await appoint(seller, "S-AVA", "AVA");
    await appoint(buyer, "B-PAR", "PAR");
    await deliver(seller, "CCA-2024", 10_000);
  };
  afterEach(async () => sim?.close());

  describe("transfers", () => {
    beforeEach(() => start());

    it("numbers entities CA1001, CA1002 and QC1001, with one PAR and at most four AARs", async () => {
      expect([seller, buyer]).to.deep.equal(["CA1001", "CA1002"]);
      expect(await entity({ jurisdiction: "QC", name: "Aluminerie", entityType: "COVERED_ENTITY" })).to.equal("QC1001");
      const second = await client.call("POST", `/_admin/entities/${seller}/representatives`, { representativeId: "B-PAR", role: "PAR" });
      expect(second.status).to.equal(409);
    });

    it("runs the three-party transfer: propose, a second representative confirms, the transferee accepts, the jurisdiction approves; only then statements show it", async () => {
      const proposed = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items: [{ instrument: "CCA-2024", quantity: 2_500 }], trade: trade({ "CCA-2024": "31.25" }), reference: "deal-7" });
      expect(proposed.status).to.equal(201);
      expect(proposed.body).to.include({ status: "PROPOSED", kind: "TRANSFER", confirmBy: pacific("2025-03-05 09:00:00").toISOString(), acceptBy: pacific("2025-03-06 09:00:00").toISOString() });
      const id = proposed.body.transferId;
      expect((await step(sellerPar, "confirm", id)).body).to.deep.include({ error: { code: "SAME_REPRESENTATIVE", message: "a different representative of the transferring entity must confirm the transfer request" } });
      expect(((await step(sellerViewer, "confirm", id)).body.error as Json).code).to.equal("VIEW_ONLY");
      expect((await step(buyerPar, "accept", id)).status).to.equal(409);
      expect(await holdings(sellerPar, seller)).to.deep.equal({ [`${seller}/GENERAL:CCA-2024`]: "7500+2500" });

      await advance(DAY);
      expect((await step(sellerAar, "confirm", id)).body).to.include({ status: "PENDING_ACCEPTANCE", confirmedBy: "S-AAR" });
      expect((await buyerPar.csv(`/api/entities/${buyer}/statement.csv`))).to.deep.equal([]);
      expect((await sellerPar.csv(`/api/entities/${seller}/statement.csv`)).map((row) => row.Event)).to.deep.equal(["ISSUANCE"]);

      const accepted = await step(buyerPar, "accept", id);
      expect(accepted.body).to.include({ status: "COMPLETED", acceptedBy: "B-PAR" });
      const statement = await buyerPar.csv(`/api/entities/${buyer}/statement.csv`);
      expect(statement.map((row) => [row.Account, row.Event, row.Direction, row["Counterparty account"], row.Instrument, row.Vintage, row.Quantity, row.Price, row.Currency, row["Transaction type"], row["Agreement date"], row["Transfer ID"], row.Reference])).to.deep.equal([
        [`${buyer}/GENERAL`, "TRANSFER", "IN", `${seller}/GENERAL`, "CCA-2024", "2024", "2500", "31.25", "USD", "OTC_DELIVERY_WITHIN_3_DAYS", "2025-03-01", String(id), "deal-7"],
      ]);
      const details = await sellerViewer.csv(`/api/transfers/${String(id)}/details.csv`);
      expect(details[0]).to.include({ Status: "COMPLETED", "Confirmed by": "S-AAR", "Accepted by": "B-PAR" });
    });

    it("expires a request no second representative confirmed within 2 days, releasing the instruments", async () => {
      const proposed = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items: [{ instrument: "CCA-2024", quantity: 1_000 }], trade: trade({ "CCA-2024": "30" }) });
      await advance(2 * DAY);
      expect(await holdings(sellerPar, seller)).to.deep.equal({ [`${seller}/GENERAL:CCA-2024`]: "9000+1000" });
      await advance(1000);
      const late = await step(sellerAar, "confirm", proposed.body.transferId);
      expect(late.status).to.equal(409);
      expect((late.body.error as Json).message).to.match(/is EXPIRED/);
      const details = await sellerPar.csv(`/api/transfers/${String(proposed.body.transferId)}/details.csv`);
      expect(details[0]).to.include({ Status: "EXPIRED", Reason: "not confirmed by a second representative within 2 days" });
      expect(await holdings(sellerPar, seller)).to.deep.equal({ [`${seller}/GENERAL:CCA-2024`]: "10000+0" });
    });

    it("counts the 3-day acceptance limit from the proposal, not from the confirmation", async () => {
      const proposed = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items: [{ instrument: "CCA-2024", quantity: 1_000 }], trade: trade({ "CCA-2024": "30" }) });
      await advance(2 * DAY - 1000);
      expect((await step(sellerAar, "confirm", proposed.body.transferId)).body).to.include({ status: "PENDING_ACCEPTANCE" });
      await advance(DAY + 2000);
      const late = await step(buyerPar, "accept", proposed.body.transferId);
      expect(late.status).to.equal(409);
      const details = await buyerPar.csv(`/api/transfers/${String(proposed.body.transferId)}/details.csv`);
      expect(details[0]).to.include({ Status: "EXPIRED", Reason: "not accepted by the transferee within 3 days of the proposal" });
    });

    it("moves into the entity's own compliance account without a buyer step; nothing leaves a compliance account", async () => {
      const moved = await intoCompliance(seller, sellerPar, sellerAar, [{ instrument: "CCA-2024", quantity: 4_000 }]);
      expect(moved.body).to.include({ kind: "TO_OWN_COMPLIANCE", status: "COMPLETED", acceptBy: null });
      const out = await propose(sellerPar, { fromAccount: `${seller}/COMPLIANCE`, toAccount: `${seller}/GENERAL`, items: [{ instrument: "CCA-2024", quantity: 1 }] });
      expect(out.status).to.equal(422);
      expect((out.body.error as Json).message).to.match(/^fromAccount: instruments in a compliance account may not be removed by the entity/);
      const toOther = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/COMPLIANCE`, items: [{ instrument: "CCA-2024", quantity: 1 }] });
      expect(toOther.status).to.equal(422);
    });

    it("requires the trade data (price per vintage, agreement date, exchange or OTC type) on transfers between entities", async () => {
      const items = [{ instrument: "CCA-2024", quantity: 10 }];
      const none = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items });
      expect(none.status).to.equal(400);
      expect((none.body.error as Json).message).to.match(/^trade: /);
      const noPrice = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items, trade: trade({}) });
      expect((noPrice.body.error as Json).message).to.match(/^trade\.prices\.CCA-2024:/);
      const badType = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items, trade: { ...trade({ "CCA-2024": "30" }), tradeType: "SPOT" } });
      expect(badType.status).to.equal(400);
      expect((badType.body.error as Json).message).to.match(/tradeType/);
      const related = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items, trade: { ...trade({}), relatedParty: true } });
      expect(related.status).to.equal(201);
    });

    it("limited use holding accounts consign allowances to the auction only", async () => {
      await deliver(seller, "CCA-2025", 500, "LIMITED_USE");
      const elsewhere = await propose(sellerPar, { fromAccount: `${seller}/LIMITED_USE`, toAccount: `${buyer}/GENERAL`, items: [{ instrument: "CCA-2025", quantity: 500 }], trade: trade({ "CCA-2025": "30" }) });
      expect(elsewhere.status).to.equal(422);
      const consigned = await propose(sellerPar, { fromAccount: `${seller}/LIMITED_USE`, toAccount: "JURISDICTION/AUCTION", items: [{ instrument: "CCA-2025", quantity: 500 }] });
      expect((await step(sellerAar, "confirm", consigned.body.transferId)).body).to.include({ kind: "CONSIGNMENT", status: "COMPLETED" });
    });

    it("serves files only to the entity's representatives and has no JSON query of holdings", async () => {
      expect((await client.call("GET", `/api/entities/${seller}/holdings.csv`)).status).to.equal(401);
      expect((await buyerPar.get(`/api/entities/${seller}/holdings.csv`)).status).to.equal(403);
      expect((await sellerPar.get(`/api/entities/${seller}`)).status).to.equal(404);
    });
  });

  describe("the holding limit at approval", () => {
    beforeEach(() => start({ parameters: { holdingLimit: 5_000n } }));

    it("denies a transfer that would put the transferee above the limit; a future vintage has its own limit", async () => {
      await deliver(buyer, "CCA-2024", 4_000);
      await deliver(seller, "CCA-2027", 3_000);
      const proposed = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items: [{ instrument: "CCA-2024", quantity: 2_000 }], trade: trade({ "CCA-2024": "30" }) });
      await step(sellerAar, "confirm", proposed.body.transferId);
      const denied = await step(buyerPar, "accept", proposed.body.transferId);
      expect(denied.body.status).to.equal("DENIED");
      expect(denied.body.reason).to.equal("the transfer would put the transferee's current and past vintages (to 2025) allowances at 6000, above the holding limit of 5000 (§95920)");
      expect(await holdings(sellerPar, seller)).to.include({ [`${seller}/GENERAL:CCA-2024`]: "10000+0" });

      const future = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: `${buyer}/GENERAL`, items: [{ instrument: "CCA-2027", quantity: 3_000 }], trade: trade({ "CCA-2027": "28.10" }) });
      await step(sellerAar, "confirm", future.body.transferId);
      expect((await step(buyerPar, "accept", future.body.transferId)).body.status).to.equal("COMPLETED");
    });
  });

  describe("compliance events", () => {
    beforeEach(() => start());

    it("retires the annual 30 % at 1 November 17:00 Pacific, only vintages up to the obligation year, and asks 4x for the shortfall", async () => {
      await client.admin("POST", `/entities/${seller}/emissions`, { year: 2025, emissions: 10_000 });
      await deliver(seller, "CCA-2026", 3_000);
      await deliver(seller, "CCA-2025", 2_000);
      await intoCompliance(seller, sellerPar, sellerAar, [{ instrument: "CCA-2026", quantity: 3_000 }, { instrument: "CCA-2025", quantity: 2_000 }]);
      await client.admin("POST", "/clock", { set: pacific("2026-11-01 16:59:59").toISOString() });
      expect(await compliance(seller)).to.deep.equal([]);
      await advance(1000);
      const [annual, untimely] = await compliance(seller);
      expect(annual).to.deep.include({ label: "2025 annual", quantity: "3000", status: "UNFULFILLED", shortfall: "1000", retired: [{ instrument: "CCA-2025", quantity: "2000" }] });
      expect(untimely).to.deep.include({ label: "untimely 2025 annual", kind: "UNTIMELY", quantity: "4000", offsetLimit: "1000", status: "PENDING" });

      await intoCompliance(seller, sellerPar, sellerAar, [{ instrument: "CCA-2024", quantity: 4_000 }]);
      await advance(30 * DAY);
      const after = await compliance(seller);
      expect(after[1]).to.deep.include({ status: "FULFILLED", retired: [{ instrument: "CCA-2024", quantity: "4000" }] });
      expect(await holdings(sellerPar, seller)).to.include({ [`${seller}/COMPLIANCE:CCA-2026`]: "3000+0" });
      const rows = await client.xlsxRows("/public/reports/compliance-report.xlsx");
      expect(rows.map((row) => [row[0], row[3], row[4], row[7], row[8]])).to.deep.equal([
        ["Entity ID", "Obligation", "Compliance Obligation", "Total Surrendered", "Status"],
        [seller, "2025 annual", "3000", "2000", "Unfulfilled"],
        [seller, "untimely 2025 annual", "4000", "4000", "Fulfilled"],
      ]);
    });

    it("asks the full period after it ends, less the annual surrenders", async () => {
      for (const year of [2024, 2025, 2026]) await client.admin("POST", `/entities/${seller}/emissions`, { year, emissions: 1_000 });
      await intoCompliance(seller, sellerPar, sellerAar, [{ instrument: "CCA-2024", quantity: 3_000 }]);
      await client.admin("POST", "/clock", { set: pacific("2025-11-01 17:00:00").toISOString() });
      await client.admin("POST", "/clock", { set: pacific("2026-11-01 17:00:00").toISOString() });
      expect((await compliance(seller)).map((o) => [o.label, o.quantity, o.status])).to.deep.equal([
        ["2024 annual", "300", "FULFILLED"],
        ["2025 annual", "300", "FULFILLED"],
      ]);
      await client.admin("POST", "/clock", { set: pacific("2027-11-01 17:00:00").toISOString() });
      expect((await compliance(seller))[2]).to.deep.include({ label: "CP5", kind: "FULL_PERIOD", obligationYear: 2026, quantity: "2400", status: "FULFILLED" });
    });

    it("never counts a voluntary retirement for compliance; Québec caps voluntary retirement at 10,000 a year", async () => {
      const retired = await propose(sellerPar, { fromAccount: `${seller}/GENERAL`, toAccount: "JURISDICTION/RETIREMENT", items: [{ instrument: "CCA-2024", quantity: 1_000 }] });
      expect((await step(sellerAar, "confirm", retired.body.transferId)).body).to.include({ kind: "VOLUNTARY_RETIREMENT", status: "COMPLETED" });
      await client.admin("POST", `/entities/${seller}/emissions`, { year: 2024, emissions: 1_000 });
      await client.admin("POST", "/clock", { set: pacific("2025-11-01 17:00:00").toISOString() });
      expect((await compliance(seller))[0]).to.deep.include({ quantity: "300", status: "UNFULFILLED", shortfall: "300" });
      expect((await sellerPar.csv(`/api/entities/${seller}/statement.csv`)).map((row) => [row.Event, row["Counterparty account"], row.Quantity])).to.deep.include([
        "VOLUNTARY_RETIREMENT",
        "JURISDICTION/RETIREMENT",
        "1000",
      ]);

      const quebec = await entity({ jurisdiction: "QC", name: "Aluminerie", entityType: "COVERED_ENTITY" });
      await appoint(quebec, "B-PAR", "AAR");
      await deliver(quebec, "QCA-2024", 20_000);
      const over = await propose(buyerPar, { fromAccount: `${quebec}/GENERAL`, toAccount: "JURISDICTION/RETIREMENT", items: [{ instrument: "QCA-2024", quantity: 10_001 }] });
      expect(over.status).to.equal(422);
      expect((over.body.error as Json).code).to.equal("RETIREMENT_CAP");
    });
  });

  describe("ARB offsets", () => {
    const forest = (operatorEntityId: string, extra: Json = {}) => ({
      issuanceId: "CAFR5003-A",
      oprProjectId: "CAR973",
      reportingPeriodStart: "2023-01-01",
      reportingPeriodEnd: "2023-12-31",
      vintage: 2023,
      issued: 10_000,
      bufferContribution: 2_000,
      issuanceDate: "2024-06-12",
      projectName: "Forest project",
      operatorName: "Forest Owner LLC",
      operatorEntityId,
      verificationBody: "VB-1",
      state: "CA",
      debs: true,
      ...extra,
    });
    beforeEach(() => start());

    it("issues by CARB issuance id with the buffer contribution, and checks the Early Action digit", async () => {
      const issued = await client.admin("POST", "/offsets", forest(seller));
      expect(issued).to.include({ invalidationYears: 8, invalidationStart: "2023-12-31", projectType: "U.S. Forest", earlyAction: false });
      expect(await holdings(sellerPar, seller)).to.include({ [`${seller}/GENERAL:ARBOC-CAFR5003-A`]: "8000+0" });
      const mismatch = await client.call("POST", "/_admin/offsets", forest(seller, { issuanceId: "CAFR0001-A" }));
      expect(mismatch.status).to.equal(400);
      expect((mismatch.body.error as Json).message).to.match(/^earlyAction:/);
      const rows = await client.xlsxRows("/public/reports/arb-offset-credit-issuance.xlsx");
      expect(rows[0]).to.have.length(29);
      expect(rows[1]?.slice(0, 11)).to.deep.equal(["CAFR5003-A", "CAR973", "U.S. Forest", "COP", "2023-01-01", "2023-12-31", "2023", "10000", "2000", "2024-06-12", "8 years"]);
    });

    it("an invalidation moves held credits to the Invalidation account and makes the entity replace those it surrendered within 6 months", async () => {
      await client.admin("POST", "/offsets", forest(seller, { debs: false }));
      await client.admin("POST", `/entities/${seller}/emissions`, { year: 2024, emissions: 100_000 });
      await deliver(seller, "CCA-2024", 30_000);
      await intoCompliance(seller, sellerPar, sellerAar, [{ instrument: "ARBOC-CAFR5003-A", quantity: 1_000 }, { instrument: "CCA-2024", quantity: 29_400 }]);
      await client.admin("POST", "/clock", { set: pacific("2025-11-01 17:00:00").toISOString() });
      const [annual] = await compliance(seller);
      // 4 % of 30,000 = 1,200, of which at most half (600) without DEBS.
      expect(annual).to.deep.include({ quantity: "30000", offsetLimit: "1200", nonDebsLimit: "600", status: "FULFILLED" });
      expect(annual?.retired).to.deep.include({ instrument: "ARBOC-CAFR5003-A", quantity: "600" });

      await advance(10 * DAY);
      const invalidation = await client.admin("POST", "/offsets/CAFR5003-A/invalidate");
      expect(invalidation.invalidated).to.equal("8000");
      expect((invalidation.replacements as Json[])[0]).to.deep.include({ kind: "REPLACEMENT", quantity: "600", label: "replacement CAFR5003-A" });
      expect(await holdings(sellerPar, seller)).to.not.have.any.keys(`${seller}/GENERAL:ARBOC-CAFR5003-A`, `${seller}/COMPLIANCE:ARBOC-CAFR5003-A`);
      const cir = await client.xlsxRows("/public/reports/compliance-instrument-report.xlsx");
      expect(cir.find((row) => row[0] === "ARB Offset Credits - U.S. Forest")).to.deep.equal(["ARB Offset Credits - U.S. Forest", "", "0", "10000", "10000"]);

      await intoCompliance(seller, sellerPar, sellerAar, [{ instrument: "CCA-2024", quantity: 600 }]);
      await advance(185 * DAY);
      const replacement = (await compliance(seller)).find((o) => o.kind === "REPLACEMENT");
      expect(replacement).to.deep.include({ status: "FULFILLED", retired: [{ instrument: "CCA-2024", quantity: "600" }] });
      expect((await client.xlsxRows("/public/reports/arb-offset-credit-issuance.xlsx"))[1]?.[10]).to.equal("INVALIDATED");
    });

    it("refuses an invalidation after the timeframe, 3 years once a second verification reduced it", async () => {
      await client.admin("POST", "/offsets", forest(seller, { reportingPeriodEnd: "2021-12-31", reportingPeriodStart: "2021-01-01" }));
      await client.admin("POST", "/offsets/CAFR5003-A/reduce-invalidation-period", { on: "2024-07-01" });
      // The simulator's clock is at 3 March 2025: past 2021-12-31 + 3 years, within + 8.
      const refused = await client.call("POST", "/_admin/offsets/CAFR5003-A/invalidate");
      expect(refused.status).to.equal(422);
      expect((refused.body.error as Json).message).to.equal("issuanceId: the 3-year invalidation timeframe of CAFR5003-A ended on 2024-12-31");
    });
  });
});
