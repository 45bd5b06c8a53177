import { expect } from "chai";
import { type LogCapture, domainApp } from "./helpers";

/** Issue 12 §4.9: one structured line per request, never the two fastify lines, and no secret in it. */
describe("api: request log", () => {
  let h: Awaited<ReturnType<typeof domainApp>>;
  let logs: LogCapture;

  before(async () => {
    h = await domainApp();
    logs = h.logs;
  });
  after(async () => {
    await h?.close();
  });

  const linesOf = (requestId: string) => logs.lines().filter((line) => line.reqId === requestId);

  it("writes exactly one line per request with method, url, route, status, response time and request id", async () => {
    const secret = "Bearer sess_4f1c9a0be7d2secretvalue";
    const response = await h.app.inject({
      method: "GET",
      url: "/batches?limit=5&apiKey=ak_querysecret",
      headers: {
        authorization: secret,
        "x-api-key": "ak_headersecret",
        cookie: "session=cookiesecret",
        "x-request-id": "log-test-1",
      },
    });
    expect(response.statusCode).to.equal(200);
    const lines = linesOf("log-test-1");
    expect(lines, JSON.stringify(lines)).to.have.length(1);
    const line = lines[0]!;
    expect(line).to.include({
      msg: "request",
      method: "GET",
      url: "/batches",
      route: "/batches",
      statusCode: 200,
      reqId: "log-test-1",
    });
    expect(line.responseTimeMs).to.be.a("number").and.to.be.at.least(0);
    const text = logs.text();
    for (const leaked of ["sess_4f1c9a0be7d2secretvalue", "ak_headersecret", "cookiesecret", "ak_querysecret"]) {
      expect(text).not.to.contain(leaked);
    }
  });

  it("logs an unmatched route once, with its status and the route named unmatched", async () => {
    const response = await h.app.inject({ method: "POST", url: "/nowhere", headers: { "x-request-id": "log-test-2" } });
    expect(response.statusCode).to.equal(404);
    const lines = linesOf("log-test-2");
    expect(lines, JSON.stringify(lines)).to.have.length(1);
    expect(lines[0]).to.include({ method: "POST", url: "/nowhere", route: "unmatched", statusCode: 404 });
  });
});
