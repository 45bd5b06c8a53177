import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  RegistryRateLimitedError,
  RegistryRejectedError,
  RegistryUnavailableError,
} from "../../../backend/src/registries/errors";
import type { CreditBlock } from "../../../backend/src/registries/model";
import type { RegistryPort } from "../../../backend/src/registries/port";
import { partitionsExactly } from "../../../backend/src/registries/serials/range";
import {
  signWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "../../../backend/src/registries/webhookSignature";

/**
 * The one contract every registry adapter must meet, run against each simulator over real HTTP and, when
 * configured, against a real registry. Tests that need to seed data or flip knobs need `control` (a simulator);
 * against a real registry they skip, saying why.
 */
export type SimulatorControl = {
  /** Creates a fresh block of `quantity` units of `projectId` in `account`; returns its record id. */
  seed(account: string, projectId: string, quantity: bigint): Promise<string>;
  rateLimit(capacity: number, refillPerSecond: number): void;
  clearRateLimit(): void;
  maintenance(ms: number): void;
  clearMaintenance(): void;
  /** Accepted operations wait for `confirmPending`. */
  manualConfirmation(): void;
  immediateConfirmation(): void;
  delayedConfirmation(ms: number): void;
  confirmPending(): void;
  ignoreFilters(names: string[]): void;
  /** Registry-initiated status changes. */
  hold(recordId: string): void;
  cancel(recordId: string, reason: string): void;
  subscribe(url: string, secret: string): void;
};

export type RegistryFixture = {
  adapter: RegistryPort;
  /** The platform custody account used by the tests. */
  account: string;
  /** Destination of test transfers. */
  otherAccount: string;
  /** A project (device, entity) id that exists in the registry. */
  projectId: string;
  otherProjectId: string;
  /** Native name of the filter the adapter sends for `projectId`. */
  projectFilterName: string;
  webhookSecret: string;
  /** Whether blocks expose unit ranges (I-REC does not). */
  hasRanges: boolean;
  control?: SimulatorControl | undefined;
  close(): Promise<void>;
};

let memoCounter = 0;
const newMemo = () => `req-${process.pid}-${Date.now()}-${++memoCounter}`;

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

export function registryContractSuite(
  name: string,
  factory: () => Promise<RegistryFixture | undefined>,
  skipReason?: string,
): void {
  describe(`registry adapter contract: ${name}`, function () {
    let fx: RegistryFixture;
    let control: SimulatorControl;

    before(async function () {
      const fixture = await factory();
      if (fixture === undefined) {
        // Nothing to talk to (no endpoint configured): the reason is stated by the caller.
        console.log(`      skipped: ${skipReason ?? "no endpoint"}`);
        this.skip();
      }
      fx = fixture;
    });
    after(async () => fx?.close());
    beforeEach(function () {
      if (fx?.control === undefined) {
        if (this.currentTest?.title.startsWith("[read-only]") === true) return;
        this.skip(); // needs seeding or knobs, which only a simulator offers
      }
      control = fx.control!;
      control.clearRateLimit();
      control.clearMaintenance();
      control.immediateConfirmation();
      control.ignoreFilters([]);
    });

    it("[read-only] lists holdings, every page collected and counted", async () => {
      const seeded =
        fx.control === undefined
          ? []
          : await Promise.all(Array.from({ length: 12 }, (_, i) => control.seed(fx.account, fx.projectId, BigInt(10 + i))));
      const result = await fx.adapter.listHoldings({ account: fx.account });
      expect(result.ignoredFilters).to.deep.equal([]);
      expect(result.blocks.length).to.equal(result.registryTotal);
      const ids = result.blocks.map((block) => block.registryRecordId);
      expect(new Set(ids).size).to.equal(ids.length);
      for (const id of seeded) expect(ids).to.include(id);
      for (const block of result.blocks) {
        expect(block.registry).to.equal(fx.adapter.registry);
        expect(block.holderAccount).to.equal(fx.account);
        expect(block.sourcePayload).to.not.equal(undefined);
      }
    });

    it("transfers part of a block to another account", async () => {
      const id = await control.seed(fx.account, fx.projectId, 100n);
      const memo = newMemo();
      const op = await fx.adapter.transfer({
        fromAccount: fx.account,
        toAccount: fx.otherAccount,
        recordId: id,
        quantity: 40n,
        memo,
      });
      expect(op).to.include({ kind: "TRANSFER", status: "CONFIRMED", memo });
      const movedId = op.resultRecordIds[0]!;
      const moved = (await fx.adapter.getBlock(movedId))!;
      expect(moved).to.include({ holderAccount: fx.otherAccount, quantity: 40n, status: "ACTIVE" });
      expect((await fx.adapter.getBlock(id))!.quantity).to.equal(60n);
      const theirs = await fx.adapter.listHoldings({ account: fx.otherAccount });
      expect(theirs.blocks.map((block) => block.registryRecordId)).to.include(movedId);
    });

    it("splits the block on partial retirement, low end first, keeping lineage", async () => {
      const id = await control.seed(fx.account, fx.projectId, 1000n);
      const before = (await fx.adapter.getBlock(id))!;
      const memo = newMemo();
      const op = await fx.adapter.retire({
        account: fx.account,
        recordId: id,
        quantity: 250n,
        memo,
        beneficiary: "Acme Ltd",
        reason: "Voluntary",
      });
      expect(op.status).to.equal("CONFIRMED");
      expect(op.kind).to.be.oneOf(["RETIRE", "REDEEM"]); // I-REC calls retirement redemption
      const retired = (await fx.adapter.getBlock(op.resultRecordIds[0]!))!;
      const remainder = (await fx.adapter.getBlock(id))!;
      expect(retired).to.include({ status: "RETIRED", quantity: 250n, parentBlock: id });
      expect(retired.retirement).to.include({ memo, beneficiary: "Acme Ltd" });
      expect(remainder).to.include({ status: "ACTIVE", quantity: 750n });
      if (fx.hasRanges) {
        expect(retired.blockStart).to.equal(before.blockStart);
        expect(retired.serialPrefix).to.equal(before.serialPrefix);
        const range = (block: CreditBlock) => ({ blockStart: block.blockStart!, blockEnd: block.blockEnd! });
        expect(partitionsExactly(range(before), [range(retired), range(remainder)])).to.equal(true);
      }
    });

    it("finds an operation by memo before and after confirmation", async () => {
      control.manualConfirmation();
      const id = await control.seed(fx.account, fx.projectId, 50n);
      const memo = newMemo();
      expect(await fx.adapter.findOperationByMemo(memo)).to.equal(undefined);
      const op = await fx.adapter.retire({ account: fx.account, recordId: id, quantity: 50n, memo });
      expect(op.status).to.equal("PENDING");
      const pending = (await fx.adapter.findOperationByMemo(memo))!;
      expect(pending).to.include({ operationId: op.operationId, status: "PENDING", memo });
      expect((await fx.adapter.getBlock(id))!.status).to.equal("ACTIVE");
      control.confirmPending();
      const confirmed = (await fx.adapter.findOperationByMemo(memo))!;
      expect(confirmed).to.include({ operationId: op.operationId, status: "CONFIRMED" });
      expect((await fx.adapter.getBlock(confirmed.resultRecordIds[0]!))!.status).to.equal("RETIRED");
    });

    it("confirms on its own after the configured delay, and the webhook-free poll sees it", async () => {
      control.delayedConfirmation(60);
      const id = await control.seed(fx.account, fx.projectId, 10n);
      const memo = newMemo();
      const op = await fx.adapter.transfer({
        fromAccount: fx.account,
        toAccount: fx.otherAccount,
        recordId: id,
        quantity: 10n,
        memo,
      });
      expect(op.status).to.equal("PENDING");
      const done = await until(async () => {
        const found = await fx.adapter.findOperationByMemo(memo);
        return found?.status === "CONFIRMED" ? found : undefined;
      }, "confirmation");
      expect(done.resultRecordIds).to.deep.equal([id]); // whole block: no split, same record
      expect((await fx.adapter.getBlock(id))!.holderAccount).to.equal(fx.otherAccount);
    });

    it("immobilizes a block and refuses to immobilize a retired one", async () => {
      const id = await control.seed(fx.account, fx.projectId, 30n);
      const op = await fx.adapter.immobilize({ account: fx.account, recordId: id, quantity: 30n, memo: newMemo() });
      expect(op).to.include({ kind: "IMMOBILIZE", status: "CONFIRMED" });
      expect((await fx.adapter.getBlock(id))!.status).to.equal("IMMOBILIZED");
      const retiredId = await control.seed(fx.account, fx.projectId, 5n);
      await fx.adapter.retire({ account: fx.account, recordId: retiredId, quantity: 5n, memo: newMemo() });
      const error = await rejection(
        fx.adapter.immobilize({ account: fx.account, recordId: retiredId, quantity: 5n, memo: newMemo() }),
      );
      expect(error).to.be.instanceOf(RegistryRejectedError);
      expect((error as RegistryRejectedError).retryable).to.equal(false);
    });

    it("reports holds and cancellations made by the registry, and a hold that lands before confirmation", async () => {
      const held = await control.seed(fx.account, fx.projectId, 20n);
      control.hold(held);
      expect((await fx.adapter.getBlock(held))!.status).to.equal("ON_HOLD");
      const refused = await rejection(fx.adapter.retire({ account: fx.account, recordId: held, quantity: 1n, memo: newMemo() }));
      expect(refused).to.be.instanceOf(RegistryRejectedError);
      const cancelled = await control.seed(fx.account, fx.projectId, 20n);
      control.cancel(cancelled, "double issuance");
      expect((await fx.adapter.getBlock(cancelled))!.status).to.equal("CANCELLED");
      expect((await fx.adapter.listHoldings({ account: fx.account })).blocks.map((b) => b.registryRecordId)).to.not.include(
        cancelled,
      );
      control.manualConfirmation();
      const racing = await control.seed(fx.account, fx.projectId, 20n);
      const memo = newMemo();
      await fx.adapter.retire({ account: fx.account, recordId: racing, quantity: 5n, memo });
      control.hold(racing);
      control.confirmPending();
      const rejected = (await fx.adapter.findOperationByMemo(memo))!;
      expect(rejected.status).to.equal("REJECTED");
      expect(rejected.rejectionReason).to.contain("ON_HOLD");
      expect((await fx.adapter.getBlock(racing))!.quantity).to.equal(20n);
    });

    it("surfaces 429 as retryable with the Retry-After delay", async () => {
      control.rateLimit(1, 0.1); // one token, then one every 10 s: Retry-After is 10 s (9 s on a very slow machine)
      await fx.adapter.findOperationByMemo("warm-up").catch(() => undefined);
      const error = await rejection(fx.adapter.findOperationByMemo("again"));
      expect(error).to.be.instanceOf(RegistryRateLimitedError);
      expect((error as RegistryRateLimitedError).retryable).to.equal(true);
      expect((error as RegistryRateLimitedError).retryAfterMs).to.be.oneOf([9000, 10_000]);
    });

    it("surfaces a maintenance window (503) as retryable unavailability", async () => {
      control.maintenance(30_000);
      const error = await rejection(fx.adapter.listHoldings({ account: fx.account }));
      expect(error).to.be.instanceOf(RegistryUnavailableError);
      expect((error as RegistryUnavailableError).retryable).to.equal(true);
      expect((error as RegistryUnavailableError).retryAfterMs).to.be.within(28_000, 30_000);
    });

    it("narrows client-side when the registry ignores a filter, and says so", async () => {
      const mine = await control.seed(fx.account, fx.projectId, 7n);
      const other = await control.seed(fx.account, fx.otherProjectId, 8n);
      const honoured = await fx.adapter.listHoldings({ account: fx.account, projectId: fx.otherProjectId });
      expect(honoured.ignoredFilters).to.deep.equal([]);
      control.ignoreFilters([fx.projectFilterName]);
      const result = await fx.adapter.listHoldings({ account: fx.account, projectId: fx.otherProjectId });
      expect(result.ignoredFilters).to.deep.equal([fx.projectFilterName]);
      const ids = result.blocks.map((block) => block.registryRecordId);
      expect(ids).to.include(other).and.not.include(mine);
      for (const block of result.blocks) expect(block.projectId).to.equal(fx.otherProjectId);
      expect(result.registryTotal).to.be.greaterThan(result.blocks.length);
    });

    it("polls changes after a cursor", async () => {
      const start = await fx.adapter.pollChanges();
      const id = await control.seed(fx.account, fx.projectId, 3n);
      const memo = newMemo();
      await fx.adapter.retire({ account: fx.account, recordId: id, quantity: 3n, memo });
      const next = await fx.adapter.pollChanges(start.cursor);
      expect(next.changes.map((change) => change.memo)).to.include(memo);
      expect(BigInt(next.cursor) > BigInt(start.cursor)).to.equal(true);
      expect((await fx.adapter.pollChanges(next.cursor)).changes).to.deep.equal([]);
    });

    it("verifies a signed webhook and refuses forged and stale ones", async () => {
      const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
      const server = http.createServer((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        request.on("end", () => {
          received.push({ headers: request.headers, body });
          response.end("ok");
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        control.subscribe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, fx.webhookSecret);
        const id = await control.seed(fx.account, fx.projectId, 9n);
        const memo = newMemo();
        await fx.adapter.retire({ account: fx.account, recordId: id, quantity: 4n, memo });
        const delivery = await until(
          async () => received.find((r) => r.body.includes(memo) && r.body.includes("operation.confirmed")),
          "webhook",
        );
        const verified = fx.adapter.verifyWebhook(delivery.headers, delivery.body);
        expect(verified.ok, verified.ok ? "" : verified.reason).to.equal(true);
        if (verified.ok) expect(verified.change).to.include({ memo, type: "operation.confirmed" });
        const forged = fx.adapter.verifyWebhook(delivery.headers, delivery.body.replace(memo, "someone-else"));
        expect(forged).to.deep.include({ ok: false });
        const old = Math.floor(Date.now() / 1000) - 3600;
        const stale = fx.adapter.verifyWebhook(
          {
            [WEBHOOK_TIMESTAMP_HEADER]: String(old),
            [WEBHOOK_SIGNATURE_HEADER]: `sha256=${signWebhook(fx.webhookSecret, old, delivery.body)}`,
          },
          delivery.body,
        );
        expect(stale.ok).to.equal(false);
        const wrongKey = fx.adapter.verifyWebhook(
          {
            ...delivery.headers,
            [WEBHOOK_SIGNATURE_HEADER]:
              `sha256=${signWebhook("not-the-secret", Number(delivery.headers[WEBHOOK_TIMESTAMP_HEADER]), delivery.body)}`,
          },
          delivery.body,
        );
        expect(wrongKey.ok).to.equal(false);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
}
