/**
 * An oracle node: one per operator key. Every `pollMs` it takes the platform's to-do list from Postgres (pending
 * requests, arrived deposit intents, deals waiting for their registry delivery or their fiat payment), establishes
 * each fact itself through its own registry adapters, bank statement reader and chain client (`verify.ts`), and
 * publishes what it signs in `oracle_observations`. Every `reserveIntervalMs` it signs `ReserveAttested` per
 * registered batch, with `asOf` aligned to the interval so honest nodes sign the same message. It answers the
 * aggregator's batch proposals by signing a `...Batch` attestation only when every item is a message it signed
 * itself (its own signature, found and verified); otherwise it records a refusal.
 */
import type { Address, LocalAccount, PublicClient } from "viem";
import type { Context } from "../context";
import { createServiceLoop } from "../serviceLoop";
import type { RegistryGuard } from "../guard";
import type { Deployment } from "../chain/deployment";
import type { PaymentPort } from "../payments";
import type { RegistryName } from "../registries/ids";
import type { RegistryPort } from "../registries/port";
import { createChainReader } from "../chain/reader";
import {
  type Domains,
  type ObservationKind,
  digestOf,
  domainsOf,
  fromJson,
  recoverSigner,
  signMessage,
  toJson,
} from "./messages";
import * as store from "./store";
import {
  type Observation,
  type Verdict,
  type VerifyDeps,
  verifyDealDelivery,
  verifyDeposit,
  verifyFiatPayment,
  verifyRequest,
  verifyReserves,
} from "./verify";

export type OracleNodeOptions = {
  account: LocalAccount;
  /** This node's own adapter instances (never shared with workers or other nodes). */
  adapters: Partial<Record<RegistryName, RegistryPort>>;
  custodyAccount: string;
  deployment: Deployment;
  publicClient: PublicClient;
  /** Registry calls go through the guard (shared rate limit, breaker) when given. */
  guard?: Pick<RegistryGuard, "guardedCall"> | undefined;
  pollMs: number;
  /** Reserve attestation interval; 0 turns reserves off. */
  reserveIntervalMs: number;
  /** Registry checks of each list per pass (default 100). */
  limit?: number;
  /**
   * The fiat collection account's statement, read through this node's own adapter, and the ISO 4217 currency of
   * fiat legs. Absent: the node attests no FIAT_PAYMENT_RECEIVED.
   */
  payments?: { port: PaymentPort; currency: string } | undefined;
};

/** Most rows of each to-do list read per pass (a bound on memory, far above what is in flight). */
const MAX_TODO_ROWS = 10_000;

export type OracleNode = {
  readonly address: Address;
  /** One pass over the to-do list and the open batch proposals (tests; the loop calls it). */
  tick(): Promise<void>;
  stop(): Promise<void>;
};

export type OracleNodeContext = Pick<Context, "logger" | "metrics" | "shutdown" | "readiness"> & {
  db: { pool: Context["db"]["pool"] };
};

export function startOracleNode(ctx: OracleNodeContext, options: OracleNodeOptions): OracleNode {
  const { account, adapters, custodyAccount, pollMs, reserveIntervalMs, payments } = options;
  const pool = ctx.db.pool;
  const limit = options.limit ?? 100;
  const log = ctx.logger.child({ component: "oracle-node", oracle: account.address });
  const chain = createChainReader(options.publicClient, options.deployment);
  const domains: Domains = domainsOf(options.deployment);
  const signed = ctx.metrics.counter({
    name: "oracle_observations_total",
    help: "Observations an oracle node signed, by kind",
    labelNames: ["oracle", "kind"],
  });
  const votes = ctx.metrics.counter({
    name: "oracle_batch_votes_total",
    help: "Batch proposals an oracle node signed or refused",
    labelNames: ["oracle", "outcome"],
  });
  const me = account.address.toLowerCase() as Address;
  let lastReserveAsOf = 0n;
  let lastSuccess = Date.now();

  function depsFor(registry: RegistryName): VerifyDeps | undefined {
    const adapter = adapters[registry];
    if (adapter === undefined) return undefined;
    const guard = options.guard;
    const call = <T>(fn: () => Promise<T>) => (guard === undefined ? fn() : guard.guardedCall(registry, () => fn()));
    return { registry, adapter, custodyAccount, chain, call };
  }

  async function publish(observation: Observation): Promise<void> {
    const { kind, subject, message } = observation;
    const digest = digestOf(domains, kind, message as never);
    const signature = await signMessage(account, domains, kind, message as never);
    if (await store.publishObservation(pool, { kind, subject, digest, message: toJson(message), signer: me, signature })) {
      signed.inc({ oracle: me, kind });
      log.info({ kind, subject, digest }, "signed");
    }
  }

  /** When each to-do item was last checked, per list: items never checked come first, then the longest waiting. */
  const checkedAt = {
    requests: new Map<string, number>(),
    deposits: new Map<string, number>(),
    deals: new Map<string, number>(),
    payments: new Map<string, number>(),
  };

  /**
   * Verifies up to `limit` items of a list, the least recently checked first, so items the registry has not
   * answered yet (checked again every pass) never crowd out newer ones. One item's failure (registry or bank
   * down, ...) never stops the others. `verify` answers undefined for an item this node has no source for.
   */
  async function each<W>(
    list: keyof typeof checkedAt,
    items: W[],
    verify: (item: W) => Promise<Verdict> | undefined,
    keyOf: (item: W) => string,
  ) {
    const seen = checkedAt[list];
    const current = new Set(items.map(keyOf));
    for (const key of seen.keys()) if (!current.has(key)) seen.delete(key);
    const due = [...items].sort((a, b) => (seen.get(keyOf(a)) ?? 0) - (seen.get(keyOf(b)) ?? 0)).slice(0, limit);
    for (const item of due) {
      try {
        const checking = verify(item);
        if (checking === undefined) continue;
        seen.set(keyOf(item), Date.now());
        const verdict = await checking;
        if ("wait" in verdict) log.debug({ item: keyOf(item), reason: verdict.wait }, "nothing to sign yet");
        else await publish(verdict);
      } catch (error) {
        log.warn({ item: keyOf(item), err: error }, "check failed; will retry");
      }
    }
  }

  /** A registry check with this node's deps for the item's registry; undefined when it has no adapter for it. */
  const atRegistry =
    <W>(verify: (deps: VerifyDeps, item: W) => Promise<Verdict>) =>
    (item: W & { registry: RegistryName }): Promise<Verdict> | undefined => {
      const deps = depsFor(item.registry);
      return deps === undefined ? undefined : verify(deps, item);
    };

  async function reserves(): Promise<void> {
    if (reserveIntervalMs <= 0) return;
    const asOf = BigInt(Math.floor(Date.now() / reserveIntervalMs) * reserveIntervalMs) / 1000n;
    if (asOf <= lastReserveAsOf) return;
    for (const [registry, batches] of await store.reserveBatches(pool)) {
      const deps = depsFor(registry);
      if (deps === undefined) continue;
      try {
        for (const observation of await verifyReserves(deps, batches, asOf)) await publish(observation);
      } catch (error) {
        log.warn({ registry, err: error }, "reserve check failed; will retry");
        return;
      }
    }
    lastReserveAsOf = asOf;
  }

  /** Signs a proposed batch only when every item is a message this node signed itself. */
  async function answerBatches(): Promise<void> {
    for (const batch of await store.unansweredBatches(pool, me)) {
      const itemKind = batch.kind.replace(/Batch$/, "") as ObservationKind;
      let items: unknown[] = [];
      let refusal: string | undefined;
      try {
        items = batch.items.map((item) => fromJson(itemKind, item));
        const digests = items.map((item) => digestOf(domains, itemKind, item as never));
        const own = await store.ownObservations(pool, me, digests);
        for (const digest of digests) {
          const signature = own.get(digest);
          if (signature === undefined || (await recoverSigner(digest, signature)) !== me) {
            refusal = `item ${digest} is not a message this oracle verified and signed`;
            break;
          }
        }
      } catch {
        refusal = "malformed batch items";
      }
      if (refusal !== undefined) {
        await store.recordVote(pool, batch.id, me, { refusal });
        votes.inc({ oracle: me, outcome: "refused" });
        log.warn({ batch: batch.id, reason: refusal }, "refused to sign a batch");
        continue;
      }
      const signature = await signMessage(account, domains, batch.kind, { items } as never);
      await store.recordVote(pool, batch.id, me, { signature });
      votes.inc({ oracle: me, outcome: "signed" });
    }
  }

  const paymentDeps = payments === undefined ? undefined : { payments: payments.port, currency: payments.currency, chain };

  async function tick(): Promise<void> {
    await each("requests", await store.pendingRequests(pool, me, MAX_TODO_ROWS), atRegistry(verifyRequest), (w) => w.requestId);
    await each("deposits", await store.openDeposits(pool, me, MAX_TODO_ROWS), atRegistry(verifyDeposit), (w) => w.intentId);
    await each("deals", await store.deliveringDeals(pool, me, MAX_TODO_ROWS), atRegistry(verifyDealDelivery), (w) => w.dealId);
    if (paymentDeps !== undefined) {
      await each(
        "payments",
        await store.payingDeals(pool, me, MAX_TODO_ROWS),
        (w) => verifyFiatPayment(paymentDeps, w),
        (w) => w.dealId,
      );
    }
    await reserves();
    lastSuccess = Date.now();
  }

  const passes = createServiceLoop(ctx.shutdown, {
    name: `oracle-node-${me}`,
    intervalMs: pollMs,
    run: () => tick().catch((error: unknown) => log.error({ err: error }, "oracle node pass failed")),
  });
  // Batch proposals are answered on a loop of their own: a pass over many pending items at the registry can take
  // seconds, and the aggregator holds a batch until the quorum's votes arrive.
  const voting = createServiceLoop(ctx.shutdown, {
    name: `oracle-node-votes-${me}`,
    intervalMs: Math.min(200, pollMs),
    run: () => answerBatches().catch((error: unknown) => log.error({ err: error }, "answering batch proposals failed")),
  });
  passes.start();
  voting.start();
  const stop = async () => {
    await Promise.all([passes.stop(), voting.stop()]);
  };
  ctx.readiness.register(`oracle_node_${me}`, async () => {
    const age = Date.now() - lastSuccess;
    return age > 10 * pollMs + 30_000 ? { ok: false, detail: `no successful pass for ${Math.round(age / 1000)} s` } : undefined;
  });
  log.info({ registries: Object.keys(adapters), custodyAccount, fiatCurrency: payments?.currency }, "oracle node started");
  return { address: account.address, tick, stop };
}


