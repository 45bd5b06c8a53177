import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "../../../backend/src/registries/webhookSignature";
import { Ledger } from "../../../backend/src/simulators/core/ledger";
import { TrafficGate } from "../../../backend/src/simulators/core/traffic";
import { SimError, type SimEvent } from "../../../backend/src/simulators/core/types";
import { WebhookDispatcher } from "../../../backend/src/simulators/core/webhooks";

function ledger() {
  const l = new Ledger({ registry: "VERRA", serialFor: (_block, range) => `S-${range.blockStart}-${range.blockEnd}` });
  l.addAccount({ id: "PLATFORM", platform: true });
  l.addAccount({ id: "HOLDER" });
  return l;
}

function simError(fn: () => unknown): SimError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SimError) return error;
    throw error;
  }
  throw new Error("expected a SimError");
}

describe("simulators/core: ledger", () => {
  it("splits low end first on partial retirement, keeping the remainder's id and the child's lineage", () => {
    const l = ledger();
    const block = l.addBlock({ serial: "S-100-199", blockStart: 100n, blockEnd: 199n, projectId: "1", account: "HOLDER" });
    const op = l.submit({
      kind: "RETIRE",
      memo: "m1",
      blockId: block.id,
      quantity: 30n,
      actingAccount: "HOLDER",
      retirement: { beneficiary: "Acme" },
    });
    expect(op.status).to.equal("CONFIRMED");
    const child = l.block(op.resultBlockIds[0]!);
    expect(child).to.include({ blockStart: 100n, blockEnd: 129n, status: "RETIRED", parentId: block.id, serial: "S-100-129" });
    expect(child.retirement).to.include({ memo: "m1", beneficiary: "Acme" });
    expect(l.block(block.id)).to.include({ blockStart: 130n, blockEnd: 199n, status: "ACTIVE", serial: "S-130-199" });
    expect(l.events.map((e) => e.type)).to.include.members(["block.split", "operation.confirmed"]);
  });

  it("confirms in periodic batches", async () => {
    const l = ledger();
    l.setConfirmation({ mode: "batch", intervalMs: 30 });
    const block = l.addBlock({ serial: "S-1-10", blockStart: 1n, blockEnd: 10n, projectId: "1", account: "HOLDER" });
    const op = l.submit({
      kind: "TRANSFER",
      memo: "m",
      blockId: block.id,
      quantity: 10n,
      actingAccount: "HOLDER",
      toAccount: "PLATFORM",
    });
    expect(op.status).to.equal("PENDING");
    expect(
      simError(() => l.submit({ kind: "RETIRE", memo: "m2", blockId: block.id, quantity: 1n, actingAccount: "HOLDER" })).status,
    ).to.equal(409);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(op.status).to.equal("CONFIRMED");
    expect(l.block(block.id).account).to.equal("PLATFORM");
    l.close();
  });

  it("rejects an accepted operation when the registry puts the block on hold before confirmation", () => {
    const l = ledger();
    l.setConfirmation({ mode: "manual" });
    const block = l.addBlock({ serial: "S-1-10", blockStart: 1n, blockEnd: 10n, projectId: "1", account: "HOLDER" });
    const op = l.submit({ kind: "RETIRE", memo: "m", blockId: block.id, quantity: 5n, actingAccount: "HOLDER" });
    l.setStatus(block.id, "ON_HOLD");
    l.confirmPending();
    expect(op.status).to.equal("REJECTED");
    expect(op.rejectionReason).to.contain("ON_HOLD");
    expect(l.block(block.id)).to.include({ status: "ON_HOLD", blockEnd: 10n });
  });

  it("lets only the immobilizing platform move immobilized units, and never immobilizes retired or cancelled ones", () => {
    const l = ledger();
    const block = l.addBlock({ serial: "S-1-10", blockStart: 1n, blockEnd: 10n, projectId: "1", account: "PLATFORM" });
    expect(
      simError(() => l.submit({ kind: "IMMOBILIZE", memo: "x", blockId: block.id, quantity: 10n, actingAccount: "HOLDER" }))
        .status,
    ).to.equal(403);
    l.submit({ kind: "IMMOBILIZE", memo: "i", blockId: block.id, quantity: 10n, actingAccount: "PLATFORM" });
    expect(l.block(block.id).status).to.equal("IMMOBILIZED");
    const back = l.submit({
      kind: "TRANSFER",
      memo: "w",
      blockId: block.id,
      quantity: 4n,
      actingAccount: "PLATFORM",
      toAccount: "HOLDER",
    });
    expect(l.block(back.resultBlockIds[0]!)).to.include({ status: "ACTIVE", account: "HOLDER" });
    const retired = l.addBlock({
      serial: "S-20-29",
      blockStart: 20n,
      blockEnd: 29n,
      projectId: "1",
      account: "PLATFORM",
      status: "RETIRED",
    });
    expect(
      simError(() => l.submit({ kind: "IMMOBILIZE", memo: "r", blockId: retired.id, quantity: 10n, actingAccount: "PLATFORM" }))
        .code,
    ).to.equal("BLOCK_NOT_ACTIVE");
    const cancelled = l.addBlock({ serial: "S-40-49", blockStart: 40n, blockEnd: 49n, projectId: "1", account: "PLATFORM" });
    l.setStatus(cancelled.id, "CANCELLED", "double issuance");
    expect(
      simError(() => l.submit({ kind: "IMMOBILIZE", memo: "c", blockId: cancelled.id, quantity: 10n, actingAccount: "PLATFORM" }))
        .status,
    ).to.equal(422);
  });

  it("restores the interrupted status when a hold is released", () => {
    const l = ledger();
    const block = l.addBlock({ serial: "S-1-10", blockStart: 1n, blockEnd: 10n, projectId: "1", account: "PLATFORM" });
    l.submit({ kind: "IMMOBILIZE", memo: "i", blockId: block.id, quantity: 10n, actingAccount: "PLATFORM" });
    l.setStatus(block.id, "ON_HOLD");
    expect(l.block(block.id).status).to.equal("ON_HOLD");
    l.setStatus(block.id, "ACTIVE");
    expect(l.block(block.id).status).to.equal("IMMOBILIZED");
  });

  it("stores the memo of every operation so it can be found later", () => {
    const l = ledger();
    const block = l.addBlock({ serial: "S-1-10", blockStart: 1n, blockEnd: 10n, projectId: "1", account: "HOLDER" });
    l.submit({
      kind: "TRANSFER",
      memo: "req-42",
      blockId: block.id,
      quantity: 2n,
      actingAccount: "HOLDER",
      toAccount: "PLATFORM",
    });
    expect(l.operationsByMemo("req-42")).to.have.length(1);
    expect(l.operationsByMemo("req-43")).to.have.length(0);
  });
});

describe("simulators/core: traffic gate", () => {
  it("answers 429 with Retry-After when the bucket is empty and refills over time", () => {
    const gate = new TrafficGate();
    gate.setRateLimit({ capacity: 2, refillPerSecond: 1 }, 0);
    expect(gate.admit(0).status).to.equal(200);
    expect(gate.admit(0).status).to.equal(200);
    expect(gate.admit(0)).to.deep.include({ status: 429, retryAfterSeconds: 1 });
    expect(gate.admit(1000).status).to.equal(200);
  });

  it("answers 503 with the time left in a maintenance window", () => {
    const gate = new TrafficGate();
    gate.setMaintenance([{ start: 1000, end: 61_000 }]);
    expect(gate.admit(500).status).to.equal(200);
    expect(gate.admit(1000)).to.deep.include({ status: 503, retryAfterSeconds: 60 });
    expect(gate.admit(61_000).status).to.equal(200);
  });
});

describe("simulators/core: webhook dispatcher", () => {
  let server: http.Server;
  let url: string;
  let received: Array<{ body: string; headers: http.IncomingHttpHeaders }>;
  const event = (sequence: number): SimEvent => ({
    id: `EV-${sequence}`,
    sequence,
    type: "block.created",
    occurredAt: new Date().toISOString(),
    blockIds: ["1"],
    data: {},
  });
  const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Waits until `count` deliveries arrived (the machine may be slow), then a little more to catch extras. */
  const arrived = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count && Date.now() < deadline) await settle(10);
    await settle(50);
  };

  beforeEach(async () => {
    received = [];
    server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        received.push({ body, headers: request.headers });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it("signs each delivery over timestamp.body", async () => {
    const dispatcher = new WebhookDispatcher();
    dispatcher.subscribe({ url, secret: "s3cret" });
    dispatcher.publish(event(1));
    await arrived(1);
    expect(received).to.have.length(1);
    expect(verifyWebhookSignature({ secret: "s3cret", headers: received[0]!.headers, rawBody: received[0]!.body }).ok).to.equal(
      true,
    );
    dispatcher.close();
  });

  it("drops, duplicates, delays and reorders on request", async () => {
    const dispatcher = new WebhookDispatcher();
    dispatcher.subscribe({ url, secret: "s" });
    dispatcher.knobs = { dropRate: 1, duplicateRate: 0, delayMs: 0, reorderWindowMs: 0 };
    dispatcher.publish(event(1));
    await settle();
    expect(received).to.have.length(0);
    dispatcher.knobs = { dropRate: 0, duplicateRate: 1, delayMs: 0, reorderWindowMs: 0 };
    dispatcher.publish(event(2));
    await arrived(2);
    expect(received.map((r) => (JSON.parse(r.body) as SimEvent).sequence)).to.deep.equal([2, 2]);
    received = [];
    dispatcher.knobs = { dropRate: 0, duplicateRate: 0, delayMs: 100, reorderWindowMs: 0 };
    dispatcher.publish(event(3));
    await settle(40);
    expect(received).to.have.length(0);
    await arrived(1);
    expect(received).to.have.length(1);
    received = [];
    dispatcher.knobs = { dropRate: 0, duplicateRate: 0, delayMs: 0, reorderWindowMs: 30 };
    for (const n of [4, 5, 6]) dispatcher.publish(event(n));
    await arrived(3);
    const order = received.map((r) => (JSON.parse(r.body) as SimEvent).sequence);
    expect(order).to.have.members([4, 5, 6]);
    expect(order[0]).to.equal(6);
    dispatcher.close();
  });
});
