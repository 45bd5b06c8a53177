/**
 * The requests module's status machine (backend/src/requests/store.ts) over a real database: the indexer's moves,
 * a worker's submission and the watchers' registry word, each by the rule its doc states, whatever order they
 * arrive in.
 */
import { expect } from "chai";
import {
  flagOverdue,
  getRequest,
  recordAnswer,
  recordRegistryWords,
  recordRequested,
  recordSubmission,
  resetForReplay,
} from "../../../backend/src/requests/store";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { HOLDER, requestIdOf, seedRequests } from "../workers/fixtures/seed";

describe("requests: one owner, one status machine", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: true });
    await seedRequests(db.pool, 1n, []);
  });
  after(async () => {
    await db?.drop();
  });

  async function requested(tag: string) {
    const requestId = requestIdOf(tag);
    await recordRequested(db.pool, {
      requestId,
      kind: "retirement",
      holder: HOLDER,
      batchId: "1",
      amount: "5",
      retirement: { beneficiary: "Acme Ltd", reason: "FY2025" },
      destinationAccount: null,
      deadline: String(Math.floor(Date.now() / 1000) + 86_400),
      idempotencyKey: `0x${"11".repeat(32)}`,
      blockNumber: "7",
      txHash: `0x${"22".repeat(32)}`,
    });
    return requestId;
  }

  it("the registry's word moves forward only, from the worker and the watchers in either order", async () => {
    const requestId = await requested("forward");
    // The watchers saw the confirmation first; the worker's PENDING from its submission lands after it.
    expect(await recordRegistryWords(db.pool, [{ requestId, status: "CONFIRMED", reference: "OP-1" }])).to.equal(1);
    await recordSubmission(db.pool, { requestId, status: "PENDING", reference: "OP-1" });
    let row = await getRequest(db.pool, requestId);
    expect(row).to.include({ status: "submitted", registry_status: "CONFIRMED", registry_reference: "OP-1" });
    // An older read of the watchers (PENDING) and another final word change nothing.
    expect(await recordRegistryWords(db.pool, [{ requestId, status: "PENDING", reference: "OP-1" }])).to.equal(0);
    expect(await recordRegistryWords(db.pool, [{ requestId, status: "REJECTED", reference: "OP-2" }])).to.equal(0);
    row = await getRequest(db.pool, requestId);
    expect(row).to.include({ registry_status: "CONFIRMED", registry_reference: "OP-1" });
  });

  it("a worker's submission moves requested to submitted only, and fills in the word it finds", async () => {
    const requestId = await requested("submitted");
    await recordSubmission(db.pool, { requestId, status: "PENDING", reference: "OP-9" });
    expect(await getRequest(db.pool, requestId)).to.include({
      status: "submitted",
      registry_status: "PENDING",
      registry_reference: "OP-9",
    });
    await recordAnswer(db.pool, { requestId, outcome: "confirmed", blockNumber: "9", txHash: `0x${"33".repeat(32)}` });
    await recordSubmission(db.pool, { requestId, status: "CONFIRMED", reference: "OP-9" });
    expect(await getRequest(db.pool, requestId)).to.include({
      status: "confirmed",
      chain_status: "confirmed",
      registry_status: "CONFIRMED",
    });
  });

  it("overdue only from requested or submitted; a reorg reset keeps the worker's submitted and the registry's word", async () => {
    const waiting = await requested("overdue");
    await recordSubmission(db.pool, { requestId: waiting, status: "PENDING", reference: "OP-3" });
    await flagOverdue(db.pool, waiting);
    expect(await getRequest(db.pool, waiting)).to.include({ status: "overdue" });
    const answered = await requested("answered");
    await recordAnswer(db.pool, {
      requestId: answered,
      outcome: "rejected",
      blockNumber: "8",
      txHash: `0x${"44".repeat(32)}`,
      reasonHash: `0x${"55".repeat(32)}`,
    });
    await flagOverdue(db.pool, answered);
    expect(await getRequest(db.pool, answered)).to.include({ status: "rejected", chain_status: "rejected" });

    await resetForReplay(db.pool, "1");
    expect(await getRequest(db.pool, waiting)).to.include({
      status: "requested",
      chain_status: "pending",
      registry_status: "PENDING",
    });
    expect(await getRequest(db.pool, answered)).to.include({ status: "requested", chain_status: "pending" });
    const forward = await getRequest(db.pool, requestIdOf("forward"));
    expect(forward).to.include({ status: "submitted", registry_status: "CONFIRMED" });
  });
});
