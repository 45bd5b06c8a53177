/**
 * The aggregator: collects the nodes' signed observations to the threshold and relays them. It trusts no row:
 * each message is re-hashed from its fields, each signature recovered and kept only when it recovers to its
 * stated signer and that signer is in the CURRENT on-chain oracle set (`oracles()`, `threshold()`). Identical
 * messages (same digest) are grouped; one with `threshold` distinct members is ready, so a message only one
 * (compromised) oracle signed is never sent.
 *
 * Confirmations go through the bridge's batched entry points (`createAttestationBatcher`): ready items arriving
 * within `windowMs` become one proposal in `oracle_batches`; nodes sign the `...Batch` attestation (each only over
 * items it signed itself) and the batch is sent once `threshold` members did; deposits carry the bridge's unsigned
 * overlap-check hints, read from the chain when the batch is sent (`depositHintsOf`). Rejections, reserves and deal
 * conditions go singly. Every outcome is recorded in `oracle_relays` (tx hash, or `closed` with the custom error
 * when the contract refuses it for good, e.g. the request was already answered), so nothing is sent again after a
 * restart; a resend of a message whose receipt was lost is refused by gas estimation (no transaction) and closed.
 */
import type { Address, Hex, PublicClient } from "viem";
import { registryBridgeAbi, settlementAbi } from "../chain/abi";
import { type DepositConfirmed, sortSigners } from "../chain/attestations";
import { depositHintsOf } from "../chain/deposits";
import type { Context } from "../context";
import { sleep } from "../sleep";
import type { Deployment } from "../chain/deployment";
import { type CallBatcher, type Relayer, type RelayerReceipt, RelayerRevertError, createAttestationBatcher } from "../relayer";
import { createChainReader } from "../chain/reader";
import {
  BATCHED,
  type BatchableKind,
  type ObservationKind,
  type ObservationMessages,
  digestOf,
  domainsOf,
  fromJson,
  isBatchable,
  recoverSigner,
  toJson,
} from "./messages";
import { OracleBatchUnsignedError } from "./errors";
import * as store from "./store";

/** Reverts that say the signatures were not enough right now (oracle set changed): retried, not closed. */
const QUORUM_ERRORS = new Set([
  "RegistryBridgeInvalidSignature",
  "RegistryBridgeSignerNotOracle",
  "RegistryBridgeDuplicateSigner",
  "RegistryBridgeSignersNotAscending",
  "RegistryBridgeQuorumNotMet",
]);

export type OracleAggregatorOptions = {
  relayer: Relayer;
  deployment: Deployment;
  publicClient: PublicClient;
  /** How long the first ready confirmation waits for company before its batch is proposed. */
  windowMs: number;
  /** Pause between passes over the observations (default `windowMs`). */
  pollMs?: number;
  /** How long a proposal waits for the nodes' batch signatures before it is abandoned (default 30 s). */
  batchSignTimeoutMs?: number;
  /** Most items per batch (default 50). */
  maxItems?: number;
  /**
   * How long a member's message may wait short of the quorum, nothing relayed about its subject, before it is alerted
   * (default 5 min).
   */
  strandedAfterMs?: number;
};

export type OracleAggregator = { stop(): Promise<void> };

type Group = {
  kind: ObservationKind;
  subject: string;
  digest: Hex;
  message: ObservationMessages[ObservationKind];
  signatures: Map<Address, Hex>;
};

export type OracleAggregatorContext = Pick<Context, "logger" | "metrics" | "shutdown"> & { db: { pool: Context["db"]["pool"] } };

export function startOracleAggregator(ctx: OracleAggregatorContext, options: OracleAggregatorOptions): OracleAggregator {
  const pool = ctx.db.pool;
  const { deployment, relayer, windowMs } = options;
  const pollMs = options.pollMs ?? windowMs;
  const signTimeoutMs = options.batchSignTimeoutMs ?? 30_000;
  const log = ctx.logger.child({ component: "oracle-aggregator" });
  const chain = createChainReader(options.publicClient, deployment);
  const domains = domainsOf(deployment);
  const relays = ctx.metrics.counter({
    name: "oracle_relays_total",
    help: "Quorum messages relayed or closed, by kind",
    labelNames: ["kind", "outcome"],
  });
  const disagreementsSeen = ctx.metrics.counter({
    name: "oracle_disagreements_total",
    help: "Subjects about which current oracle members signed different messages (first sight), by kind",
    labelNames: ["kind"],
  });
  const disagreementsOpen = ctx.metrics.gauge({
    name: "oracle_disagreements",
    help: "Subjects with conflicting signed oracle messages now",
  });
  const strandedSeen = ctx.metrics.counter({
    name: "oracle_stranded_messages_total",
    help: "Messages signed by current oracle members that waited past the stranded limit short of the quorum (first " +
      "sight), by kind",
    labelNames: ["kind"],
  });
  const strandedOpen = ctx.metrics.gauge({
    name: "oracle_stranded_messages",
    help: "Signed oracle messages short of the quorum past the stranded limit now",
  });
  const strandedAfterMs = options.strandedAfterMs ?? 300_000;
  let nextStrandedCheck = 0;
  const strandedAlerted = new Set<string>();
  const alerted = new Set<string>();
  const inFlight = new Set<string>();
  const sends = new Set<Promise<void>>();

  /** Signatures over `digest` by distinct current members, sorted by signer, `threshold` of them (or undefined). */
  function quorumOf(signatures: Map<Address, Hex>, threshold: number): Hex[] | undefined {
    if (signatures.size < threshold) return undefined;
    const sorted = sortSigners([...signatures].map(([address, signature]) => ({ address, signature })));
    return sorted.slice(0, threshold).map((s) => s.signature);
  }

  async function validSignatures(
    digest: Hex,
    votes: Array<{ signer: Address; signature: Hex }>,
    members: Set<string>,
  ): Promise<Map<Address, Hex>> {
    const out = new Map<Address, Hex>();
    for (const { signer, signature } of votes) {
      const recovered = await recoverSigner(digest, signature);
      if (recovered !== undefined && recovered === signer.toLowerCase() && members.has(recovered)) out.set(recovered, signature);
    }
    return out;
  }

    /** Proposes `items` as one batch and waits until `threshold` current members signed its digest. */
  function signBatchFor(kind: BatchableKind) {
    const batchKind = BATCHED[kind].batchKind;
    return async (items: readonly ObservationMessages[BatchableKind][]): Promise<Hex[]> => {
      const digest = digestOf(domains, batchKind, { items } as never);
      const id = await store.proposeBatch(pool, batchKind, digest, items.map(toJson));
      log.info({ batch: id, kind: batchKind, items: items.length }, "batch proposed");
      const deadline = Date.now() + signTimeoutMs;
      for (;;) {
        const { members, threshold } = await chain.oracleSet();
        const valid = await validSignatures(digest, await store.batchSignatures(pool, id), members);
        const quorum = quorumOf(valid, threshold);
        if (quorum !== undefined) {
          await store.setBatchStatus(pool, id, "signed");
          return quorum;
        }
        if (Date.now() > deadline) {
          await store.setBatchStatus(pool, id, "abandoned");
          throw new OracleBatchUnsignedError(id, valid.size, threshold);
        }
        await sleep(Math.min(pollMs, 200));
      }
    };
  }

  /** `confirmDeposits`' hints, from the chain as it stands when the batch is sent. */
  const depositHints = async (items: readonly DepositConfirmed[]) => [
    await depositHintsOf({ deposits: items, hintOnChain: chain.depositHintOf }),
  ];

  const batchers = Object.fromEntries(
    (Object.keys(BATCHED) as BatchableKind[]).map((kind) => [
      kind,
      createAttestationBatcher({
        relayer,
        registryBridge: deployment.registryBridge,
        functionName: BATCHED[kind].functionName,
        signBatch: signBatchFor(kind) as never,
        ...(kind === "DepositConfirmed" ? { extraArgs: depositHints as never } : {}),
        windowMs,
        ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
      }),
    ]),
  ) as Record<BatchableKind, CallBatcher<unknown, RelayerReceipt>>;

  function sendSingle(group: Group, signatures: Hex[]): Promise<RelayerReceipt> {
    const m = group.message as never;
    switch (group.kind) {
      case "RetirementRejected":
        return relayer.send({
          to: deployment.registryBridge,
          abi: registryBridgeAbi,
          functionName: "rejectRetirement",
          args: [m, signatures],
        });
      case "WithdrawalRejected":
        return relayer.send({
          to: deployment.registryBridge,
          abi: registryBridgeAbi,
          functionName: "rejectWithdrawal",
          args: [m, signatures],
        });
      case "ReserveAttested":
        return relayer.send({
          to: deployment.registryBridge,
          abi: registryBridgeAbi,
          functionName: "attestReserve",
          args: [m, signatures],
        });
      case "DealConditionAttested": {
        const { dealId, condition, evidence } = group.message as ObservationMessages["DealConditionAttested"];
        return relayer.send({
          to: deployment.settlement,
          abi: settlementAbi,
          functionName: "attestDealCondition",
          args: [dealId, condition, evidence, signatures],
        });
      }
      default:
        throw new Error(`${group.kind} is relayed in batches`);
    }
  }

  async function relay(group: Group, signatures: Hex[]): Promise<void> {
    const record = { digest: group.digest, kind: group.kind, subject: group.subject };
    try {
      const receipt = isBatchable(group.kind)
        ? await batchers[group.kind].add(group.message)
        : await sendSingle(group, signatures);
      await store.recordRelay(pool, { ...record, status: "relayed", txHash: receipt.hash });
      relays.inc({ kind: group.kind, outcome: "relayed" });
      log.info({ ...record, txHash: receipt.hash }, "relayed");
    } catch (error) {
      if (error instanceof RelayerRevertError && !QUORUM_ERRORS.has(error.errorName ?? "")) {
        await store.recordRelay(pool, { ...record, status: "closed", error: error.errorName ?? error.message });
        relays.inc({ kind: group.kind, outcome: "closed" });
        log.warn({ ...record, error: error.errorName }, "contract refused the message for good; closed");
        return;
      }
      log.warn({ ...record, err: error }, "relay failed; will retry");
    }
  }

  /** The row's message in typed form and its recomputed digest, when the row is well formed and hashes to its digest. */
  function hashRow(row: store.ObservationRow): { message: ObservationMessages[ObservationKind]; digest: Hex } | undefined {
    try {
      const message = fromJson(row.kind, row.message);
      const digest = digestOf(domains, row.kind, message as never);
      return digest === row.digest.toLowerCase() ? { message, digest } : undefined;
    } catch {
      return undefined;
    }
  }

  async function tick(): Promise<void> {
    const { members, threshold } = await chain.oracleSet();
    await checkDisagreements(members);
    if (Date.now() >= nextStrandedCheck) {
      nextStrandedCheck = Date.now() + Math.min(strandedAfterMs, 10_000);
      await checkStranded(members, threshold);
    }
    const groups = new Map<string, Group>();
    for (const row of await store.quorumCandidates(pool, threshold, 500)) {
      if (inFlight.has(row.digest)) continue;
      const parsed = hashRow(row);
      if (parsed === undefined) continue; // malformed, or its message does not hash to its digest
      const { message, digest } = parsed;
      const group = groups.get(digest) ?? { kind: row.kind, subject: row.subject, digest, message, signatures: new Map() };
      for (const [signer, signature] of await validSignatures(digest, [row], members)) group.signatures.set(signer, signature);
      groups.set(digest, group);
    }
    for (const group of groups.values()) {
      const signatures = quorumOf(group.signatures, threshold);
      if (signatures === undefined || inFlight.has(group.digest)) continue;
      inFlight.add(group.digest);
      const send = relay(group, signatures).finally(() => {
        inFlight.delete(group.digest);
        sends.delete(send);
      });
      sends.add(send);
    }
  }

  /**
   * Alerts (error log, `carbon_oracle_disagreements_total`) when current members signed different messages about
   * one subject. Nothing is relayed differently because of it: only an exact message with a quorum is ever sent, so
   * a minority's message stays unsent; the alert is for the operators to find the node that disagrees.
   */
  async function checkDisagreements(members: Set<string>): Promise<void> {
    const bySubject = new Map<string, Map<string, { kind: ObservationKind; signers: Address[] }>>();
    for (const row of await store.conflictingObservations(pool)) {
      const parsed = hashRow(row);
      if (parsed === undefined || (await validSignatures(parsed.digest, [row], members)).size === 0) continue;
      const digests = bySubject.get(row.subject) ?? new Map<string, { kind: ObservationKind; signers: Address[] }>();
      const entry = digests.get(parsed.digest) ?? { kind: row.kind, signers: [] };
      entry.signers.push(row.signer);
      digests.set(parsed.digest, entry);
      bySubject.set(row.subject, digests);
    }
    let open = 0;
    for (const [subject, digests] of bySubject) {
      if (digests.size < 2) continue;
      open += 1;
      const key = `${subject}:${[...digests.keys()].sort().join(",")}`;
      if (alerted.has(key)) continue;
      alerted.add(key);
      const messages = [...digests].map(([digest, { kind, signers }]) => ({ kind, digest, signers }));
      disagreementsSeen.inc({ kind: messages[0]!.kind });
      log.error({ subject, messages }, "oracle disagreement: members signed different messages about the same subject");
    }
    disagreementsOpen.set(open);
  }

  /**
   * Alerts (error log, `carbon_oracle_stranded_messages_total`) when a message signed by current members has waited
   * `strandedAfterMs` short of the quorum while nothing was relayed about its subject. Either the other members are
   * down or behind, or the signers claim what the registry does not show: a lone forgery, which no disagreement
   * reveals while the honest nodes have nothing to sign. Reserve attestations are left out: nodes reading at
   * different moments may sign different reserves, and the next period supersedes them.
   */
  async function checkStranded(members: Set<string>, threshold: number): Promise<void> {
    const byDigest = new Map<string, { kind: ObservationKind; subject: string; signers: Address[]; since: Date }>();
    for (const row of await store.strandedObservations(pool, strandedAfterMs)) {
      const parsed = hashRow(row);
      if (parsed === undefined || (await validSignatures(parsed.digest, [row], members)).size === 0) continue;
      const entry = byDigest.get(parsed.digest) ?? { kind: row.kind, subject: row.subject, signers: [], since: row.created_at };
      entry.signers.push(row.signer);
      byDigest.set(parsed.digest, entry);
    }
    let open = 0;
    for (const [digest, { kind, subject, signers, since }] of byDigest) {
      if (new Set(signers).size >= threshold) continue; // a quorum: the relay's work
      open += 1;
      if (strandedAlerted.has(digest)) continue;
      strandedAlerted.add(digest);
      strandedSeen.inc({ kind });
      log.error(
        { subject, kind, digest, signers, since: since.toISOString(), threshold },
        "oracle message stranded short of the quorum: the other members are down or behind, or these signers claim " +
          "what the registry does not show",
      );
    }
    strandedOpen.set(open);
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const loop = () => {
    running = tick()
      .catch((error: unknown) => log.error({ err: error }, "aggregator pass failed"))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  };
  void store.abandonOpenBatches(pool).then(loop, (error: unknown) => {
    log.error({ err: error }, "aggregator could not start");
  });

  const stop = async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await running;
    await Promise.all(Object.values(batchers).map((b) => b.close()));
    await Promise.allSettled([...sends]);
  };
  ctx.shutdown.register("services", "oracle-aggregator", stop);
  log.info({ windowMs }, "oracle aggregator started");
  return { stop };
}
