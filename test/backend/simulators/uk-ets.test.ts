import { expect } from "chai";
import { startUkEtsSimulator, type RunningUkEtsSimulator } from "../../../backend/src/simulators/uk-ets";
import { localTime, SimulatorClient, type Json, type Representative } from "./allowance-client";

/**
 * The UK ETS simulator over real HTTP: representatives sign with one-time codes, the clock is moved by the test,
 * and everything a third party can learn comes from the files.
 */
const london = (text: string) => localTime("Europe/London", text);

describe("simulators/uk-ets over HTTP", () => {
  let sim: RunningUkEtsSimulator;
  let client: SimulatorClient;
  let ar1: Representative;
  let ar2: Representative;
  let buyer: Representative;
  let operatorAccount: string;
  let operatorTrading: string;
  let platformTrading: string;

  const central = async (type: string) => {
    const accounts = (await client.admin("GET", "/accounts")) as unknown as Array<{ type: string; accountIdentifier: string }>;
    return accounts.find((account) => account.type === type)?.accountIdentifier ?? "";
  };
  const balance = async (accountId: string) => {
    const accounts = (await client.admin("GET", "/accounts")) as unknown as Array<{ accountIdentifier: string; balance: string }>;
    return accounts.find((account) => account.accountIdentifier === accountId)?.balance;
  };
  const open = async (body: Json) => String((await client.admin("POST", "/accounts", body)).accountIdentifier);
  const grant = (account: string, representativeId: string, right = "INITIATE_AND_APPROVE") =>
    client.admin("POST", `/accounts/${account}/representatives`, { representativeId, right });
  const transfer = (from: Representative, to: string, quantity: number | string, extra: Json = {}) =>
    from.sign("/api/transactions.propose", { transactionType: "10-50", transferringAccountIdentifier: operatorAccount, acquiringAccountIdentifier: to, quantity, ...extra });

  beforeEach(async () => {
    sim = await startUkEtsSimulator({ clock: { start: london("2025-03-03 11:00:00"), frozen: true } });
    client = new SimulatorClient(sim.url);
    operatorAccount = await open({
      type: "OPERATOR_HOLDING_ACCOUNT",
      holderId: "HOLDER-STEEL",
      holderName: "Steel Works Ltd",
      operator: { operatorId: "OP-1001", permitId: "UK-E-IN-10001", installationName: "Port Talbot", regulator: "NRW", firstYear: 2024 },
    });
    operatorTrading = await open({ type: "TRADING_ACCOUNT", holderId: "HOLDER-STEEL" });
    platformTrading = await open({ type: "TRADING_ACCOUNT", holderId: "HOLDER-PLATFORM", holderName: "Carbon Custody Ltd" });
    ar1 = await client.representative("AR-1");
    ar2 = await client.representative("AR-2");
    buyer = await client.representative("AR-BUYER");
    await grant(operatorAccount, "AR-1");
    await grant(operatorAccount, "AR-2");
    await grant(operatorTrading, "AR-1");
    await grant(platformTrading, "AR-BUYER");
    await client.admin("POST", "/issue", { quantity: 10_000, year: 2025 });
    const allocation = await central("UK_ALLOCATION_ACCOUNT");
    await client.admin("POST", "/transactions", { transactionType: "10-51", transferringAccountIdentifier: await central("UK_TOTAL_QUANTITY_ACCOUNT"), acquiringAccountIdentifier: allocation, quantity: 10_000 });
    await client.admin("POST", "/transactions", { transactionType: "10-40", transferringAccountIdentifier: allocation, acquiringAccountIdentifier: operatorAccount, quantity: 1_000 });
  });
  afterEach(async () => sim?.close());

  it("numbers accounts from 10000050 with unpadded check digits and issues UKAs from 10,000,000,000 with origin GB", async () => {
    const holdings = await ar1.csv(`/api/accounts/${operatorAccount}/holdings.csv`);
    expect(holdings).to.have.length(1);
    expect(holdings[0]).to.include({ "Start block": "10000000000", "End block": "10000000999", Quantity: "1000", "Unit type": "ALLOWANCE", "Originating country": "GB", "Original period": "0", "Applicable period": "0", Year: "2025" });
    const accounts = (await client.admin("GET", "/accounts")) as unknown as Array<{ accountIdentifier: string }>;
    expect(accounts[0]?.accountIdentifier).to.equal("UK-100-10000050-0-5");
  });

  it("refuses an acquiring account with bad check digits (400 naming the field) and spends no one-time code", async () => {
    const bad = platformTrading.replace(/-(\d+)$/, (_all, digits: string) => `-${(Number(digits) + 1) % 100}`);
    const code = await ar1.code();
    const refused = await ar1.post("/api/transactions.propose", { transactionType: "10-50", transferringAccountIdentifier: operatorAccount, acquiringAccountIdentifier: bad, quantity: 10, otp: code });
    expect(refused.status).to.equal(400);
    expect(refused.body).to.deep.include({ error: { code: "INVALID_CHECK_DIGITS", message: `acquiringAccountIdentifier: the check digits of ${bad} are wrong (expected ${platformTrading.split("-").at(-1)})` } });
    expect(await ar1.code()).to.equal(code);
  });

  it("an untrusted transfer needs a different AR's signed approval, waits one working day as DELAYED, and only then reaches the statements", async () => {
    await client.setClock(london("2025-03-07 15:00:00")); // Friday
    const proposed = await transfer(ar1, platformTrading, "150", { reference: "platform-request-42" });
    expect(proposed.status).to.equal(201);
    expect(proposed.body).to.include({ status: "AWAITING_APPROVAL", statusCode: 0, approvalRequired: true, acquiringAccountTrusted: false });
    const id = String(proposed.body.transactionIdentifier);
    expect(id).to.match(/^UK1000\d\d$/);

    const self = await ar1.sign("/api/transactions.approve", { transactionIdentifier: id });
    expect(self.status).to.equal(403);
    expect(self.body).to.deep.include({ error: { code: "FOUR_EYES", message: "You cannot approve a task initiated by you" } });
    const unsigned = await ar2.post("/api/transactions.approve", { transactionIdentifier: id });
    expect(unsigned.status).to.equal(400);
    expect((unsigned.body.error as Json).message).to.match(/^otp:/);
    const stale = await ar2.post("/api/transactions.approve", { transactionIdentifier: id, otp: "000000" === (await ar2.code()) ? "111111" : "000000" });
    expect(stale.status).to.equal(403);

    await client.setClock(london("2025-03-07 15:30:00"));
    const approved = await ar2.sign("/api/transactions.approve", { transactionIdentifier: id });
    expect(approved.body).to.include({ status: "DELAYED", statusCode: 30, approvedBy: "AR-2", executionDate: london("2025-03-10 15:30:00").toISOString() });

    // Pending: reserved in the holder's blocks, absent from every statement.
    const reserved = await ar1.csv(`/api/accounts/${operatorAccount}/holdings.csv`);
    expect(reserved.map((row) => [row["Start block"], row["End block"], row["Reserved for transaction"]])).to.deep.equal([
      ["10000000000", "10000000149", id],
      ["10000000150", "10000000999", ""],
    ]);
    expect((await ar1.csv(`/api/accounts/${operatorAccount}/statement.csv`)).map((row) => row["Transaction type"])).to.deep.equal(["10-40"]);
    expect(await buyer.csv(`/api/accounts/${platformTrading}/statement.csv`)).to.deep.equal([]);
    const pendingDetails = await buyer.csv(`/api/transactions/${id}/details.csv`);
    expect(pendingDetails[0]).to.include({ Status: "DELAYED", "Status code": "30", Reference: "platform-request-42", "Start block": "10000000000", "End block": "10000000149" });

    await client.setClock(london("2025-03-10 15:29:59"));
    expect((await buyer.csv(`/api/transactions/${id}/details.csv`))[0]?.Status).to.equal("DELAYED");
    await client.setClock(london("2025-03-10 15:30:00"));
    const incoming = await buyer.csv(`/api/accounts/${platformTrading}/statement.csv`);
    expect(incoming.map((row) => [row["Transaction ID"], row.Direction, row["Counterparty account"], row.Reference, row.Quantity, row["Start block"], row["End block"], row.Status])).to.deep.equal([
      [id, "IN", operatorAccount, "platform-request-42", "150", "10000000000", "10000000149", "COMPLETED"],
    ]);
    expect(incoming[0]?.["Completed (UTC)"]).to.equal(london("2025-03-10 15:30:00").toISOString());
    expect(await balance(operatorAccount)).to.equal("850");
  });

  it("a transfer to the holder's own account is trusted without a second AR: approved Friday 16:01 before a bank-holiday Monday, it completes Tuesday 10:00", async () => {
    await client.setClock(london("2025-05-02 16:01:00")); // Monday 5 May 2025 is the Early May bank holiday
    const proposed = await transfer(ar1, operatorTrading, 100);
    expect(proposed.body).to.include({ status: "DELAYED", approvalRequired: false, acquiringAccountTrusted: true, executionDate: london("2025-05-06 10:00:00").toISOString() });
    await client.setClock(london("2025-05-06 09:59:59"));
    expect(await balance(operatorTrading)).to.equal("0");
    await client.setClock(london("2025-05-06 10:00:00"));
    expect(await balance(operatorTrading)).to.equal("100");
  });

  it("a trusted account list entry needs a second AR and becomes ACTIVE one working day after approval; then transfers to it need no approval", async () => {
    await client.setClock(london("2025-03-06 14:00:00")); // Thursday
    const added = await ar1.sign("/api/trusted-accounts.add", { accountIdentifier: operatorAccount, trustedAccountIdentifier: platformTrading, description: "custody platform" });
    expect(added.status).to.equal(201);
    expect(added.body).to.include({ status: "PENDING_ADDITION_APPROVAL" });
    const entryId = Number(added.body.entryId);
    expect((await ar1.sign("/api/trusted-accounts.approve", { accountIdentifier: operatorAccount, entryId })).status).to.equal(403);
    const approved = await ar2.sign("/api/trusted-accounts.approve", { accountIdentifier: operatorAccount, entryId });
    expect(approved.body).to.include({ status: "PENDING_ACTIVATION", activationDate: london("2025-03-07 14:00:00").toISOString() });

    const early = await transfer(ar1, platformTrading, 10);
    expect(early.body).to.include({ approvalRequired: true, acquiringAccountTrusted: false });

    await client.setClock(london("2025-03-07 14:00:00"));
    const list = await ar1.csv(`/api/accounts/${operatorAccount}/trusted-accounts.csv`);
    expect(list.map((row) => [row["Trusted account"], row.Status])).to.deep.equal([[platformTrading, "ACTIVE"]]);
    const trusted = await transfer(ar1, platformTrading, 20);
    expect(trusted.body).to.include({ status: "COMPLETED", statusCode: 4, approvalRequired: false, acquiringAccountTrusted: true });
  });

  it("the sender's ARs can cancel a DELAYED transfer (MANUALLY_CANCELLED, units released); the acquirer's cannot", async () => {
    await client.setClock(london("2025-03-04 12:00:00"));
    const proposed = await transfer(ar1, platformTrading, 300);
    const id = String(proposed.body.transactionIdentifier);
    await ar2.sign("/api/transactions.approve", { transactionIdentifier: id });
    const byBuyer = await buyer.sign("/api/transactions.cancel", { transactionIdentifier: id });
    expect(byBuyer.status).to.equal(403);
    const cancelled = await ar2.sign("/api/transactions.cancel", { transactionIdentifier: id });
    expect(cancelled.body).to.include({ status: "MANUALLY_CANCELLED", statusCode: 40 });
    const again = await ar1.sign("/api/transactions.cancel", { transactionIdentifier: id });
    expect(again.status).to.equal(409);
    await client.setClock(london("2025-03-06 12:00:00"));
    expect(await balance(platformTrading)).to.equal("0");
    const holdings = await ar1.csv(`/api/accounts/${operatorAccount}/holdings.csv`);
    expect(holdings.every((row) => row["Reserved for transaction"] === "")).to.equal(true);
    expect(holdings.reduce((sum, row) => sum + Number(row.Quantity), 0)).to.equal(1000);
  });

  it("a rejected proposal is final and releases its units", async () => {
    const proposed = await transfer(ar1, platformTrading, 1000);
    const rejected = await ar2.sign("/api/transactions.reject", { transactionIdentifier: String(proposed.body.transactionIdentifier), comment: "not agreed" });
    expect(rejected.body).to.include({ status: "REJECTED", statusCode: 6, reason: "not agreed" });
    expect((await transfer(ar1, platformTrading, 1000)).status).to.equal(201);
  });

  it("a blocked account cannot send; an account suspended before a delayed transfer executes makes it TERMINATED", async () => {
    await client.admin("PATCH", `/accounts/${platformTrading}`, { status: "SUSPENDED_PARTIALLY" });
    const proposed = await transfer(ar1, platformTrading, 50);
    const id = String(proposed.body.transactionIdentifier);
    await ar2.sign("/api/transactions.approve", { transactionIdentifier: id });
    const outgoing = await buyer.sign("/api/transactions.propose", { transactionType: "10-50", transferringAccountIdentifier: platformTrading, acquiringAccountIdentifier: operatorAccount, quantity: 1 });
    expect(outgoing.status).to.equal(422);
    expect((outgoing.body.error as Json).message).to.equal("transferringAccountIdentifier: the account is SUSPENDED_PARTIALLY and cannot send units");

    await client.admin("PATCH", `/accounts/${platformTrading}`, { status: "SUSPENDED" });
    await client.setClock(london("2025-03-05 11:00:00"));
    const details = await ar1.csv(`/api/transactions/${id}/details.csv`);
    expect(details[0]).to.include({ Status: "TERMINATED", "Status code": "5", Reason: "the acquiring account is SUSPENDED and cannot receive units" });
    expect(await balance(operatorAccount)).to.equal("1000");
  });

  it("enforces the transaction matrix and the accounts that forbid transfers outside their trusted list", async () => {
    const surrender = await central("UK_SURRENDER_ACCOUNT");
    const toSurrender = await transfer(ar1, surrender, 1);
    expect(toSurrender.status).to.equal(422);
    expect((toSurrender.body.error as Json).message).to.match(/^acquiringAccountIdentifier: a UK_SURRENDER_ACCOUNT cannot receive 10-50/);
    const fromTrading = await ar1.sign("/api/transactions.propose", { transactionType: "10-2", transferringAccountIdentifier: operatorTrading, quantity: 1 });
    expect((fromTrading.body.error as Json).message).to.match(/^transferringAccountIdentifier: a TRADING_ACCOUNT cannot send 10-2/);
    await client.admin("PATCH", `/accounts/${operatorAccount}`, { transfersOutsideTal: false });
    const outside = await transfer(ar1, platformTrading, 1);
    expect(outside.status).to.equal(422);
    expect((outside.body.error as Json).code).to.equal("OUTSIDE_TAL_FORBIDDEN");
    expect((await transfer(ar1, operatorTrading, 1)).status).to.equal(201);
  });

  it("a surrender completes at once, even outside the window; only an administrator reverses it (10-82), within 14 days", async () => {
    await client.setClock(london("2025-03-08 20:00:00")); // Saturday evening
    const first = await ar1.sign("/api/transactions.propose", { transactionType: "10-2", transferringAccountIdentifier: operatorAccount, quantity: 100 });
    expect(first.body).to.include({ status: "COMPLETED", approvalRequired: false });
    await client.setClock(london("2025-03-10 20:00:00"));
    const second = await ar1.sign("/api/transactions.propose", { transactionType: "10-2", transferringAccountIdentifier: operatorAccount, quantity: 50 });
    expect(second.body).to.include({ status: "COMPLETED" });

    const byAr = await ar1.sign("/api/transactions.propose", { transactionType: "10-82", transferringAccountIdentifier: await central("UK_SURRENDER_ACCOUNT"), acquiringAccountIdentifier: operatorAccount, quantity: 50 });
    expect(byAr.status).to.equal(403);
    expect((byAr.body.error as Json).code).to.equal("ADMINISTRATOR_ONLY");

    await client.setClock(london("2025-03-23 19:00:00")); // 15 days after the first, 13 after the second
    const late = await client.call("POST", `/_admin/transactions/${String(first.body.transactionIdentifier)}/reverse`);
    expect(late.status).to.equal(422);
    expect((late.body.error as Json).code).to.equal("REVERSAL_PERIOD_OVER");
    const reversal = await client.admin("POST", `/transactions/${String(second.body.transactionIdentifier)}/reverse`);
    expect(reversal).to.include({ transactionType: "10-82", status: "COMPLETED", quantity: "50" });
    expect(await balance(operatorAccount)).to.equal("900");
    const twice = await client.call("POST", `/_admin/transactions/${String(second.body.transactionIdentifier)}/reverse`);
    expect(twice.status).to.equal(422);
    const statement = await ar1.csv(`/api/accounts/${operatorAccount}/statement.csv`);
    expect(statement.map((row) => [row["Transaction type"], row.Direction, row.Status])).to.deep.equal([
      ["10-40", "IN", "COMPLETED"],
      ["10-2", "OUT", "COMPLETED"],
      ["10-2", "OUT", "REVERSED"],
      ["10-82", "IN", "COMPLETED"],
    ]);
  });

  it("computes A/B/C and fixes the static status at 30 April 23:59 UK time, published in the R0031 report", async () => {
    await client.setClock(london("2025-03-31 12:00:00"));
    expect((await client.admin("GET", `/accounts/${operatorAccount}/compliance`)).status).to.equal("C");
    expect((await client.admin("POST", `/accounts/${operatorAccount}/emissions`, { year: 2024, emissions: 400 })).status).to.equal("B");
    await ar1.sign("/api/transactions.propose", { transactionType: "10-2", transferringAccountIdentifier: operatorAccount, quantity: 399 });
    expect((await client.admin("GET", `/accounts/${operatorAccount}/compliance`)).status).to.equal("B");
    await client.setClock(london("2025-04-30 23:59:30"));
    await ar1.sign("/api/transactions.propose", { transactionType: "10-2", transferringAccountIdentifier: operatorAccount, quantity: 1 });
    expect((await client.admin("GET", `/accounts/${operatorAccount}/compliance`)).status).to.equal("A");
    await client.setClock(london("2025-05-01 00:00:00"));
    expect((await client.admin("GET", `/accounts/${operatorAccount}/compliance`)).staticStatuses).to.deep.equal({ 2024: "A" });

    const rows = await client.xlsxRows("/public/reports/R0031.xlsx");
    const header = rows[0] ?? [];
    expect(header.slice(0, 9)).to.deep.equal(["Regulator", "Account Holder Name", "Account type", "Account status", "Operator ID", "Permit ID or Monitoring plan ID", "Installation name", "First Year of Operation", "Last Year of Operation"]);
    const row = rows[1] ?? [];
    const cell = (name: string) => row[header.indexOf(name)];
    expect([cell("Account Holder Name"), cell("Account type"), cell("Recorded emissions 2024"), cell("Cumulative emissions"), cell("Static surrender status 2024")]).to.deep.equal([
      "Steel Works Ltd",
      "ETS - Operator holding account",
      "400",
      "400",
      "A",
    ]);
    const list = await client.xlsxRows("/public/reports/R0017.xlsx?year=2025");
    expect(list[0]).to.deep.equal(["Number of Units", "Type of Transaction", "Number of Transactions"]);
    expect(list.find((r) => r[1] === "10-2 Surrender of allowances")).to.deep.equal(["400", "10-2 Surrender of allowances", "2"]);
  });

  it("a surrender one minute after the deadline leaves the static status at B", async () => {
    await client.admin("POST", `/accounts/${operatorAccount}/emissions`, { year: 2024, emissions: 10 });
    await client.setClock(london("2025-05-01 00:00:30"));
    await ar1.sign("/api/transactions.propose", { transactionType: "10-2", transferringAccountIdentifier: operatorAccount, quantity: 10 });
    const compliance = await client.admin("GET", `/accounts/${operatorAccount}/compliance`);
    expect(compliance).to.deep.include({ status: "A", staticStatuses: { 2024: "B" } });
  });

  it("offers no JSON read of holdings and no files without credentials", async () => {
    expect((await client.call("GET", `/api/accounts/${operatorAccount}/statement.csv`)).status).to.equal(401);
    expect((await buyer.get(`/api/accounts/${operatorAccount}/statement.csv`)).status).to.equal(403);
    expect((await ar1.get(`/api/accounts/${operatorAccount}`)).status).to.equal(404);
  });
});
