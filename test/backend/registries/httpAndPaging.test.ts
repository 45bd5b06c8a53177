import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { collectPages, narrow } from "../../../backend/src/registries/adapters/common";
import {
  RegistryProtocolError,
  RegistryRateLimitedError,
  RegistryRejectedError,
  RegistryUnavailableError,
} from "../../../backend/src/registries/errors";
import { createRegistryHttpClient, parseRetryAfter } from "../../../backend/src/registries/http";
import { REGISTRY_IDS, registryNameOf } from "../../../backend/src/registries/ids";
import { creditBlockSchema, decimalBigintSchema } from "../../../backend/src/registries/model";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

describe("registries: ids and model", () => {
  it("maps registry ids as the contracts do", () => {
    expect(REGISTRY_IDS).to.deep.equal({ VERRA: 1, GOLD_STANDARD: 2, IREC: 3, IN_CCTS: 4 });
    expect(registryNameOf(3)).to.equal("IREC");
    expect(registryNameOf(9)).to.equal(undefined);
  });

  it("accepts quantities as bigint or decimal strings, never as JS numbers", () => {
    expect(decimalBigintSchema.parse("1139925921")).to.equal(1_139_925_921n);
    expect(decimalBigintSchema.safeParse(1139925921).success).to.equal(false);
    expect(decimalBigintSchema.safeParse("1e9").success).to.equal(false);
  });

  it("refuses a block whose quantity disagrees with its range", () => {
    const block = {
      registry: "VERRA",
      registryRecordId: "1",
      serial: "s",
      serialPrefix: "s",
      blockStart: "10",
      blockEnd: "19",
      quantity: "11",
      unitType: "VCU",
      unitMetric: "tCO2e",
      projectId: "1",
      status: "ACTIVE",
      nativeStatus: "ISSUED",
      labels: [],
      sourcePayload: {},
    };
    expect(creditBlockSchema.safeParse(block).success).to.equal(false);
    expect(creditBlockSchema.parse({ ...block, quantity: "10" }).quantity).to.equal(10n);
  });
});

describe("registries: http client", () => {
  let server: http.Server;
  let baseUrl: string;
  let answer: (response: http.ServerResponse) => void;

  before(async () => {
    server = http.createServer((_request, response) => answer(response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections(); // the never-answered request of the timeout test
    return new Promise((resolve) => server.close(resolve));
  });

  const client = (timeoutMs = 2000) => createRegistryHttpClient({ registry: "VERRA", baseUrl, timeoutMs });
  const send = (status: number, body: string, headers: Record<string, string> = {}) => (response: http.ServerResponse) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(body);
  };

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("7")).to.equal(7000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).to.be.within(8000, 10_000);
    expect(parseRetryAfter(null)).to.equal(undefined);
  });

  it("maps 429, 503, 4xx and bad JSON to typed errors", async () => {
    answer = send(429, "{}", { "retry-after": "3" });
    const limited = await failure(client().request({ method: "GET", path: "/x" }));
    expect(limited).to.be.instanceOf(RegistryRateLimitedError).and.include({ retryable: true, retryAfterMs: 3000 });
    answer = send(503, "{}", { "retry-after": "60" });
    expect(await failure(client().request({ method: "GET", path: "/x" })))
      .to.be.instanceOf(RegistryUnavailableError)
      .and.include({ retryAfterMs: 60_000 });
    answer = send(422, JSON.stringify({ message: "block is RETIRED" }));
    const rejected = await failure(client().request({ method: "GET", path: "/x" }));
    expect(rejected).to.be.instanceOf(RegistryRejectedError).and.include({ retryable: false, status: 422 });
    expect((rejected as Error).message).to.contain("block is RETIRED");
    answer = send(200, "{not json");
    expect(await failure(client().request({ method: "GET", path: "/x" }))).to.be.instanceOf(RegistryProtocolError);
  });

  it("maps a timeout and a refused connection to retryable unavailability", async () => {
    answer = () => undefined; // never answers
    const slow = await failure(client(100).request({ method: "GET", path: "/x" }));
    expect(slow).to.be.instanceOf(RegistryUnavailableError).and.include({ retryable: true });
    expect((slow as Error).message).to.contain("timed out");
    const refused = createRegistryHttpClient({ registry: "IREC", baseUrl: "http://127.0.0.1:1" });
    expect(await failure(refused.request({ method: "GET", path: "/x" }))).to.be.instanceOf(RegistryUnavailableError);
  });
});

describe("registries: paging and filter checks", () => {
  it("collects pages until the rows add up to the total", async () => {
    const rows = Array.from({ length: 12 }, (_, i) => i);
    const result = await collectPages({
      registry: "VERRA",
      what: "t",
      fetchPage: async (index) => ({ rows: rows.slice(index * 5, index * 5 + 5), total: 12 }),
    });
    expect(result.rows).to.deep.equal(rows);
  });

  it("fails when a page comes back empty early, when the total moves, or when paging cannot reach every row", async () => {
    const empty = await failure(
      collectPages({ registry: "VERRA", what: "t", fetchPage: async (index) => ({ rows: index === 0 ? [1, 2] : [], total: 5 }) }),
    );
    expect(empty).to.be.instanceOf(RegistryProtocolError);
    const moving = await failure(
      collectPages({ registry: "VERRA", what: "t", fetchPage: async (index) => ({ rows: [index], total: 3 + index }) }),
    );
    expect(moving).to.be.instanceOf(RegistryUnavailableError);
    const capped = await failure(
      collectPages({ registry: "VERRA", what: "t", maxPages: 2, fetchPage: async () => ({ rows: [1], total: 10 }) }),
    );
    expect(capped).to.be.instanceOf(RegistryProtocolError);
    expect((capped as Error).message).to.contain("partition");
  });

  it("reports a filter the rows violate and applies it client-side", () => {
    const result = narrow([{ p: "a" }, { p: "b" }], [{ name: "projectId", test: (row) => row.p === "a" }]);
    expect(result).to.deep.equal({ rows: [{ p: "a" }], ignoredFilters: ["projectId"] });
  });
});
