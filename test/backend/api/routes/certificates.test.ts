import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { domainApp, insertBatch, insertEvent, insertRequest, randomHash } from "../helpers";

type Harness = Awaited<ReturnType<typeof domainApp>>;

const holder = privateKeyToAccount(generatePrivateKey()).address;

describe("api routes: certificates", () => {
  let h: Harness;

  before(async () => {
    h = await domainApp();
    await insertBatch(h.db.pool, "1");
  });
  after(async () => {
    await h?.close();
  });

  it("answers the certificate of a confirmed retirement with its RetirementConfirmed log", async () => {
    const id = await insertRequest(h.db.pool, {
      holder,
      batchId: "1",
      amount: "12",
      status: "confirmed",
      registryReference: "VCS-RET-77",
    });
    await insertEvent(h.db.pool, "RetirementConfirmed", { requestId: id, batchId: "1", amount: "12" }, ["1"]);
    const response = await h.app.inject({ method: "GET", url: `/certificates/${id}` });
    expect(response.statusCode, response.body).to.equal(200);
    const body = response.json();
    expect(body).to.include({ requestId: id, holder, amount: "12", registryReference: "VCS-RET-77", registryId: "VERRA" });
    expect(body.retirement).to.deep.equal({ beneficiary: "Acme", reason: "2026 offset" });
    expect(body.confirmation.args).to.include({ requestId: id });
  });

  it("answers 404 while the retirement is pending, for a withdrawal and for an unknown id; 400 for a bad id", async () => {
    const pending = await insertRequest(h.db.pool, { holder, batchId: "1", amount: "1", status: "submitted" });
    const response = await h.app.inject({ method: "GET", url: `/certificates/${pending}` });
    expect(response.statusCode).to.equal(404);
    expect(response.json().message).to.contain("submitted");
    const withdrawal = await insertRequest(h.db.pool, {
      holder,
      batchId: "1",
      amount: "1",
      kind: "withdrawal",
      status: "confirmed",
    });
    expect((await h.app.inject({ method: "GET", url: `/certificates/${withdrawal}` })).statusCode).to.equal(404);
    expect((await h.app.inject({ method: "GET", url: `/certificates/${randomHash()}` })).statusCode).to.equal(404);
    const bad = await h.app.inject({ method: "GET", url: "/certificates/abc" });
    expect(bad.json().fields[0].field).to.equal("params.requestId");
  });
});
