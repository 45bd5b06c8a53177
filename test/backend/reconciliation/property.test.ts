import { expect } from "chai";
import fc from "fast-check";
import { type TestDatabase, createTestDatabase } from "../../support/database";
import { type SnapshotBlockStatus, reconcile } from "../../../backend/src/reconciliation";
import {
  addBatch,
  addPendingDeposit,
  addRegistry,
  addRequest,
  address,
  clearState,
  requestId,
  snapshot,
} from "./fixtures";

/**
 * The SQL engine against an in-memory reference implementation of the definitions in
 * backend/src/reconciliation/index.ts, over random small states.
 */

const STATUSES: SnapshotBlockStatus[] = [
  "ACTIVE",
  "IMMOBILIZED",
  "PENDING_TRANSFER",
  "RETIRED",
  "CANCELLED",
  "ON_HOLD",
  "EXPIRED",
  "BUFFER",
];
const LAG_MS = 60_000;

type Block = { quantity: bigint; status: SnapshotBlockStatus; memo: number | null };
type Request = {
  amount: bigint;
  kind: "retirement" | "withdrawal";
  chainStatus: "pending" | "confirmed" | "rejected";
  old: boolean;
};
type Batch = {
  holders: bigint[];
  supplyDelta: bigint;
  balanceTweak: bigint;
  snapshot: Block[] | null;
  olderSnapshot: Block[] | null;
  requests: Request[];
  deposits: bigint[];
};

/** Memo number n names request (batch n >> 4, index n & 15); 0 is "no memo"-like unknown. */
const memoId = (n: number) => requestId(n);
const reqNumber = (batch: number, index: number) => batch * 16 + index;

const blockArb = fc.record({
  quantity: fc.bigInt({ min: 1n, max: 40n }),
  status: fc.constantFrom(...STATUSES),
  memo: fc.option(fc.oneof(fc.integer({ min: 16, max: 16 * 3 + 3 }), fc.constant(999)), { nil: null }),
});

const batchArb: fc.Arbitrary<Batch> = fc.record({
  holders: fc.array(fc.bigInt({ min: 0n, max: 60n }), { maxLength: 3 }),
  supplyDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 20n }) }),
  balanceTweak: fc.oneof({ weight: 4, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 5n }) }),
  snapshot: fc.option(fc.array(blockArb, { maxLength: 6 }), { freq: 6, nil: null }),
  olderSnapshot: fc.option(fc.array(blockArb, { maxLength: 3 }), { nil: null }),
  requests: fc.array(
    fc.record({
      amount: fc.bigInt({ min: 1n, max: 40n }),
      kind: fc.constantFrom("retirement" as const, "withdrawal" as const),
      chainStatus: fc.constantFrom("pending" as const, "confirmed" as const, "rejected" as const),
      old: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
  deposits: fc.array(fc.bigInt({ min: 1n, max: 30n }), { maxLength: 2 }),
});

const stateArb = fc.array(batchArb, { minLength: 1, maxLength: 3 });

type Row = { class: string; batchId: string; expected: string; actual: string };

const max0 = (v: bigint) => (v > 0n ? v : 0n);
const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

/** The definitions of index.ts, in plain TypeScript. */
function reference(state: Batch[]): Row[] {
  const rows: Row[] = [];
  state.forEach((batch, i) => {
    const b = i + 1;
    const batchId = String(b);
    const eventSupply = sum(batch.holders);
    const S = eventSupply + batch.supplyDelta;
    const balances = batch.holders.map((amount, h) => (h === 0 && amount > 0n ? amount + batch.balanceTweak : amount));
    const blocks = batch.snapshot ?? [];
    const qty = (filter: (block: Block) => boolean) => sum(blocks.filter(filter).map((block) => block.quantity));
    const C = qty((x) => x.status === "ACTIVE" || x.status === "IMMOBILIZED");
    const H = qty((x) => x.status === "ON_HOLD");
    const X = qty((x) => x.status === "CANCELLED");
    const retiredAll = qty((x) => x.status === "RETIRED");
    let retiredPlatform = 0n;
    let pEff = 0n;
    let lagCount = 0;
    let lagUnits = 0n;
    let lagEffective = 0n;
    batch.requests.forEach((request, r) => {
      const mine = (x: Block) => x.memo === reqNumber(b, r);
      const retired = qty((x) => mine(x) && x.status === "RETIRED");
      const gone = qty((x) => mine(x) && !["ACTIVE", "IMMOBILIZED", "ON_HOLD", "CANCELLED"].includes(x.status));
      if (request.chainStatus !== "rejected") retiredPlatform += retired;
      if (request.chainStatus !== "pending") return;
      const effective = request.amount < gone ? request.amount : gone;
      pEff += effective;
      if (gone > 0n && request.old) {
        lagCount += 1;
        lagUnits += request.amount;
        lagEffective += effective;
      }
    });
    const O = max0(retiredAll - retiredPlatform);
    const T = S - pEff;
    const Dp = sum(batch.deposits);
    const custody = { expected: max0(T).toString(), actual: C.toString() };
    if (batch.snapshot !== null && C + H + X + O < T) rows.push({ class: "shortfall", batchId, ...custody });
    if ((O > 0n && T > 0n) || C > T + Dp) rows.push({ class: "ghost_credit", batchId, ...custody });
    if (H + X > 0n && T > 0n) rows.push({ class: "status_mismatch", batchId, ...custody });
    if (lagCount > 0)
      rows.push({ class: "pending_lag", batchId, expected: lagUnits.toString(), actual: lagEffective.toString() });
    const holderMismatch = balances.some((amount, h) => amount !== batch.holders[h]);
    if (S !== eventSupply || sum(balances) !== S || holderMismatch) {
      rows.push({ class: "index_drift", batchId, expected: eventSupply.toString(), actual: S.toString() });
    }
  });
  return rows.sort(compare);
}

function compare(a: Row, b: Row): number {
  return `${a.batchId}/${a.class}`.localeCompare(`${b.batchId}/${b.class}`);
}

describe("reconciliation property: SQL equals the reference implementation", () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  after(async () => {
    await db?.drop();
  });

  async function load(state: Batch[]): Promise<void> {
    await clearState(db.pool);
    await addRegistry(db.pool);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const [i, batch] of state.entries()) {
      const b = i + 1;
      const batchId = BigInt(b);
      await addBatch(db.pool, {
        batchId,
        holders: batch.holders.map((amount, h) => [address(h + 1), amount] as [string, bigint]),
      });
      if (batch.supplyDelta !== 0n) {
        await db.pool.query("UPDATE batches SET total_supply = total_supply + $2 WHERE batch_id = $1", [
          b,
          batch.supplyDelta.toString(),
        ]);
      }
      if (batch.balanceTweak !== 0n) {
        await db.pool.query("UPDATE balances SET amount = amount + $3 WHERE batch_id = $1 AND holder = $2", [
          b, address(1), batch.balanceTweak.toString(),
        ]);
      }
      for (const [r, request] of batch.requests.entries()) {
        await addRequest(db.pool, {
          requestId: requestId(reqNumber(b, r)),
          batchId,
          amount: request.amount,
          kind: request.kind,
          chainStatus: request.chainStatus,
          ...(request.old ? { createdAt: hourAgo } : {}),
        });
      }
      let next = 1_000_000n * batchId;
      for (const quantity of batch.deposits) {
        await addPendingDeposit(db.pool, batchId, next, quantity);
        next += quantity;
      }
      const asBlocks = (blocks: Block[], tag: string) =>
        blocks.map((block, k) => ({
          nativeId: `${tag}${k}`,
          quantity: block.quantity,
          status: block.status,
          ...(block.memo === null ? {} : { memo: memoId(block.memo) }),
        }));
      if (batch.olderSnapshot !== null) {
        await snapshot(db.pool, batchId, asBlocks(batch.olderSnapshot, "old"), { takenAt: new Date(Date.now() - 86_400_000) });
      }
      if (batch.snapshot !== null) await snapshot(db.pool, batchId, asBlocks(batch.snapshot, "blk"));
    }
  }

  it("agrees on every class, batch, expected and actual (30 random states)", async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, async (state) => {
        // A state with an older snapshot but no current one: the older one is the latest. Model that.
        const effective = state.map((batch) => (batch.snapshot === null ? { ...batch, snapshot: batch.olderSnapshot } : batch));
        await load(state);
        const { found, summary } = await reconcile(db.pool, { pendingLagMs: LAG_MS });
        const actual = found
          .map((d) => ({ class: d.class, batchId: d.batchId ?? "", expected: d.expected ?? "", actual: d.actual ?? "" }))
          .sort(compare);
        expect(actual).to.deep.equal(reference(effective));
        expect(summary.total).to.equal(found.length);
        expect(summary.blocks).to.equal(effective.reduce((n, batch) => n + (batch.snapshot?.length ?? 0), 0));
        expect(summary.unobserved).to.equal(
          effective.filter((batch) => batch.snapshot === null && sum(batch.holders) + batch.supplyDelta > 0n).length,
        );
      }),
      { numRuns: 30 },
    );
  });
});
