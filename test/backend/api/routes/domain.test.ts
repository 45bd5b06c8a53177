import { expect } from "chai";
import { type App, buildApp } from "../../../../backend/src/api/app";
import { freePort } from "../../../support/database";
import { apiContext, deadPool, domainApp, randomHash } from "../helpers";

const ROUTES: Array<[string, string]> = [
  ["/batches", "get"],
  ["/batches/{batchId}", "get"],
  ["/batches/{batchId}/history", "get"],
  ["/batches/{batchId}/orders", "get"],
  ["/holders/{address}/inventory", "get"],
  ["/holders/{address}/history", "get"],
  ["/orders", "post"],
  ["/orders", "get"],
  ["/orders/{orderHash}", "get"],
  ["/orders/{orderHash}/cancel", "post"],
  ["/trades", "get"],
  ["/deals", "get"],
  ["/deals/{dealId}", "get"],
  ["/requests", "get"],
  ["/requests/{requestId}", "get"],
  ["/certificates/{requestId}", "get"],
  ["/reconciliation/runs", "get"],
  ["/reconciliation/discrepancies", "get"],
  ["/auth/nonce", "get"],
  ["/auth/siwe", "post"],
  ["/auth/session", "get"],
  ["/auth/logout", "post"],
];

type Operation = { summary?: string; description?: string; responses?: Record<string, unknown> };

describe("api routes: the domain API as a whole", () => {
  describe("OpenAPI", () => {
    let app: App;
    let paths: Record<string, Record<string, Operation>>;

    before(async () => {
      const { ctx } = apiContext(deadPool(await freePort()));
      app = await buildApp(ctx);
      await app.ready();
      paths = (await app.inject({ method: "GET", url: "/docs/json" })).json().paths;
    });
    after(async () => {
      await app?.close();
    });

    it("/docs/json lists every domain route with its error answers", () => {
      for (const [path, method] of ROUTES) {
        const operation = paths[path]?.[method];
        expect(operation, `${method} ${path}`).to.be.an("object");
        expect(Object.keys(operation?.responses ?? {}), `${method} ${path}`).to.include.members(["400", "500"]);
      }
      expect(Object.keys(paths["/orders/{orderHash}/cancel"]?.post?.responses ?? {})).to.include.members(["401", "403", "404"]);
      expect(Object.keys(paths["/reconciliation/runs"]?.get?.responses ?? {})).to.include.members(["401"]);
    });

    it("declares the security schemes (SIWE session, API key) and which each guarded route takes", async () => {
      const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json();
      expect(Object.keys(doc.components.securitySchemes)).to.have.members(["siweSession", "apiKey"]);
      expect(doc.paths["/orders/{orderHash}/withdraw"].post.security).to.deep.equal([{ siweSession: [] }]);
      expect(doc.paths["/jobs"].get.security).to.deep.equal([{ apiKey: [] }]);
      expect(doc.paths["/batches"].get.security).to.equal(undefined);
    });

    it("says in the withdraw (old name: cancel) route's description that it is off-book and the on-chain cancel is the " +
      "wallet's own transaction", () => {
      for (const path of ["/orders/{orderHash}/cancel", "/orders/{orderHash}/withdraw"]) {
        expect(paths[path]?.post?.description, path)
          .to.match(/Settlement\.cancel\(order\)/)
          .and.match(/own wallet/)
          .and.match(/can still fill/);
        expect(paths[path]?.post?.summary, path).to.match(/off-book/);
      }
    });
  });

  describe("failures", () => {
    it("answers 503 with Retry-After and without internals when the database is down", async () => {
      const { ctx, logs } = apiContext(deadPool(await freePort()));
      const app = await buildApp(ctx);
      await app.ready();
      try {
        for (const url of ["/batches", "/batches/1", `/deals/${randomHash()}`, "/trades", "/requests"]) {
          const response = await app.inject({ method: "GET", url });
          expect(response.statusCode, url).to.equal(503);
          expect(response.headers["retry-after"]).to.equal("1");
          expect(response.json()).to.include({ error: "unavailable", code: "DATABASE_UNAVAILABLE" });
          expect(response.body).not.to.match(/ECONNREFUSED|select|127\.0\.0\.1/i);
        }
        expect(logs.text()).to.contain("ECONNREFUSED");
      } finally {
        await app.close();
      }
    });

    it("answers 500 with a code and no internals for a bug (a query against a missing table)", async () => {
      const h = await domainApp();
      try {
        await h.db.pool.query("ALTER TABLE deals RENAME TO deals_gone");
        const response = await h.app.inject({ method: "GET", url: "/deals" });
        expect(response.statusCode).to.equal(500);
        expect(response.json()).to.include({ error: "internal", message: "Internal server error" });
        expect(response.body).not.to.match(/deals|relation|select/i);
        expect(h.logs.text()).to.contain("deals");
      } finally {
        await h.close();
      }
    });

    it("answers 500 with a code, not a guess, when Settlement or SIWE is not configured", async () => {
      const h = await domainApp({ settlement: undefined, siwe: undefined });
      try {
        const nonce = await h.app.inject({ method: "GET", url: "/auth/nonce" });
        expect(nonce.statusCode).to.equal(500);
        expect(nonce.json()).to.include({ code: "SIWE_NOT_CONFIGURED", message: "Internal server error" });
        const order = await h.app.inject({
          method: "POST",
          url: "/orders",
          payload: {
            order: {
              maker: `0x${"11".repeat(20)}`,
              batchId: "1",
              amount: "1",
              unitPrice: "1",
              paymentToken: `0x${"22".repeat(20)}`,
              maxFeeBps: 0,
              expiry: "9999999999",
              salt: "1",
              counter: "0",
            },
            signature: `0x${"33".repeat(65)}`,
          },
        });
        expect(order.statusCode).to.equal(500);
        expect(order.json().code).to.equal("SETTLEMENT_NOT_CONFIGURED");
      } finally {
        await h.close();
      }
    });
  });
});
