import { expect } from "chai";
import { createBankStatementAdapter } from "../../../backend/src/payments";
import { PaymentSourceRejectedError, PaymentSourceUnavailableError } from "../../../backend/src/payments/errors";
import { BANK_SIMULATOR_API_KEY, type RunningBankSimulator, startBankSimulator } from "../../../backend/src/simulators";

/** The bank statement simulator's routes over real HTTP, and the statement adapter reading them. */
const ACCOUNT = "PLATFORM-CLIENT-MONEY";
const REF = `0x${"ab".repeat(32)}`;

describe("simulators/bank: the collection account's statement API", () => {
  let bank: RunningBankSimulator;
  const auth = { authorization: `Bearer ${BANK_SIMULATOR_API_KEY}` };
  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${bank.url}${path}`, { headers });
  const book = (body: unknown) =>
    fetch(`${bank.url}/_admin/credits`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeEach(async () => {
    bank = await startBankSimulator({ port: 0, account: { accountId: ACCOUNT, currency: "USD" } });
  });
  afterEach(async () => bank?.close());

  it("books a credit through the admin route and lists it by reference, amounts as minor-unit strings", async () => {
    const booked = await book({ reference: REF, amountMinor: "125000", currency: "USD", payer: "Buyer Ltd" });
    expect(booked.status).to.equal(201);
    const tx = (await booked.json()) as Record<string, unknown>;
    expect(tx).to.include({
      transactionId: "TX-00000001",
      accountId: ACCOUNT,
      direction: "credit",
      status: "booked",
      amountMinor: "125000",
      currency: "USD",
      reference: REF,
    });
    expect(tx.counterparty).to.deep.equal({ name: "Buyer Ltd" });
    await book({ reference: "other", amountMinor: 5, currency: "USD", payer: "Someone" });
    const page = (await (await get(`/v1/accounts/${ACCOUNT}/transactions?reference=${REF}`)).json()) as {
      data: Array<{ transactionId: string }>;
      nextCursor: unknown;
    };
    expect(page.data.map((t) => t.transactionId)).to.deep.equal(["TX-00000001"]);
    expect(page.nextCursor).to.equal(null);
    const account = (await (await get(`/v1/accounts/${ACCOUNT}`)).json()) as { balances: unknown };
    expect(account.balances).to.deep.equal([{ currency: "USD", amountMinor: "125005" }]);
  });

  it("pages with a cursor", async () => {
    for (let i = 0; i < 5; i++) await book({ reference: REF, amountMinor: 100 + i, currency: "USD", payer: "Buyer Ltd" });
    const first = (await (await get(`/v1/accounts/${ACCOUNT}/transactions?limit=2`)).json()) as {
      data: unknown[];
      nextCursor: string;
    };
    expect(first.data).to.have.length(2);
    expect(first.nextCursor).to.equal("TX-00000002");
    const last = (await (await get(`/v1/accounts/${ACCOUNT}/transactions?limit=2&cursor=TX-00000004`)).json()) as {
      data: unknown[];
      nextCursor: unknown;
    };
    expect(last.data).to.have.length(1);
    expect(last.nextCursor).to.equal(null);
  });

  it("answers clear 4xx errors: no key, unknown account, bad parameters, bad bookings", async () => {
    const unauthorized = await get(`/v1/accounts/${ACCOUNT}/transactions`, {});
    expect(unauthorized.status).to.equal(401);
    expect(await unauthorized.json()).to.deep.equal({
      error: { code: "UNAUTHORIZED", message: "missing or wrong bearer API key" },
    });
    const missing = await get("/v1/accounts/NOPE/transactions");
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).to.equal("ACCOUNT_NOT_FOUND");
    const badLimit = await get(`/v1/accounts/${ACCOUNT}/transactions?limit=1000`);
    expect(badLimit.status).to.equal(400);
    expect(((await badLimit.json()) as { error: { message: string } }).error.message).to.contain("limit");
    const badCursor = await get(`/v1/accounts/${ACCOUNT}/transactions?cursor=TX-9`);
    expect(badCursor.status).to.equal(400);

    const badCurrency = await book({ reference: REF, amountMinor: 1, currency: "usd", payer: "x" });
    expect(badCurrency.status).to.equal(400);
    expect(((await badCurrency.json()) as { error: { message: string } }).error.message).to.contain("currency");
    const noReference = await book({ amountMinor: 1, currency: "USD", payer: "x" });
    expect(noReference.status).to.equal(400);
    expect(((await noReference.json()) as { error: { message: string } }).error.message).to.contain("reference");
    const zero = await book({ reference: REF, amountMinor: "0", currency: "USD", payer: "x" });
    expect(zero.status).to.equal(422);
    const fractional = await book({ reference: REF, amountMinor: 10.5, currency: "USD", payer: "x" });
    expect(fractional.status).to.equal(400);
    const elsewhere = await book({ reference: REF, amountMinor: 1, currency: "USD", payer: "x", accountId: "NOPE" });
    expect(elsewhere.status).to.equal(404);
  });

  it("a maintenance window answers 503 with Retry-After; the admin routes still work", async () => {
    bank.admin.startMaintenance(5_000);
    const down = await get(`/v1/accounts/${ACCOUNT}/transactions`);
    expect(down.status).to.equal(503);
    expect(Number(down.headers.get("retry-after"))).to.be.within(1, 5);
    expect((await book({ reference: REF, amountMinor: 1, currency: "USD", payer: "x" })).status).to.equal(201);
    const knobs = await fetch(`${bank.url}/_admin/knobs`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ maintenance: [] }),
    });
    expect(knobs.status).to.equal(200);
    expect((await get(`/v1/accounts/${ACCOUNT}/transactions`)).status).to.equal(200);
  });

  describe("the statement adapter (PaymentPort)", () => {
    const adapter = (apiKey = BANK_SIMULATOR_API_KEY) =>
      createBankStatementAdapter({ baseUrl: bank.url, apiKey, account: ACCOUNT });

    it("finds every booked credit with exactly the reference, across pages", async () => {
      for (let i = 0; i < 205; i++)
        bank.admin.bookCredit({ reference: REF, amountMinor: 1n, currency: "USD", payer: "Buyer Ltd" });
      bank.admin.bookCredit({ reference: `${REF}0`, amountMinor: 7n, currency: "USD", payer: "Buyer Ltd" });
      const credits = await adapter().findCredits(REF);
      expect(credits).to.have.length(205);
      expect(credits[0]).to.deep.include({
        transactionId: "TX-00000001",
        reference: REF,
        amountMinor: 1n,
        currency: "USD",
        payer: "Buyer Ltd",
      });
      expect(credits[0]!.bookedAt).to.be.instanceOf(Date);
      expect(await adapter().findCredits("nothing")).to.deep.equal([]);
    });

    it("a wrong key is a rejection; a bank in maintenance is unavailable (retryable)", async () => {
      const rejected = await adapter("not-the-k3y-s3cret").findCredits(REF).catch((error: unknown) => error);
      expect(rejected).to.be.instanceOf(PaymentSourceRejectedError);
      expect(String((rejected as Error).message)).to.contain("401").and.not.contain("k3y-s3cret");
      bank.admin.startMaintenance(5_000);
      const down = await adapter().findCredits(REF).catch((error: unknown) => error);
      expect(down).to.be.instanceOf(PaymentSourceUnavailableError);
      expect((down as PaymentSourceUnavailableError).retryable).to.equal(true);
      expect((down as PaymentSourceUnavailableError).retryAfterMs).to.be.at.least(1000);
    });
  });
});
