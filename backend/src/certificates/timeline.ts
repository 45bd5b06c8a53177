/**
 * The life of a retirement (or withdrawal) request in the stages a holder follows (issue 14, Retire page):
 *
 *   locked -> sent to the registry -> registry confirmed -> attested by N of M oracles -> burned
 *
 * Each stage is `done` (with its time and, on chain, its transaction), `current` (the one being waited for),
 * `waiting` (after the current one) or `failed` (the registry refused: the units went back to the holder).
 */
import type { CertificateSources } from "./sources";

export type StageState = "done" | "current" | "waiting" | "failed";
export type TimelineStage = {
  key: string;
  label: string;
  state: StageState;
  at: string | null;
  detail: string;
  txHash: string | null;
};
export type RequestTimeline = { requestId: string; kind: string; status: string; stages: TimelineStage[] };

type Draft = Omit<TimelineStage, "state"> & { done: boolean; failed?: boolean };

/** What several stages depend on. */
type StageFacts = {
  retirement: boolean;
  rejected: boolean;
  registryDone: boolean;
  threshold: number | null;
  size: number | null;
};

function lockedStage(sources: CertificateSources, facts: StageFacts): Draft {
  const { request } = sources;
  const { retirement } = facts;
  return {
    key: "locked",
    label: retirement ? "Units locked for retirement" : "Units locked for withdrawal",
    done: sources.requested !== undefined || request.requested_tx_hash !== null,
    // Wall-clock times throughout (the chain's block clock can run ahead of it on a development node).
    at: (sources.requested?.indexed_at ?? request.created_at).toISOString(),
    detail: `${request.amount} units of batch ${request.batch_id} locked in the registry bridge`,
    txHash: request.requested_tx_hash,
  };
}

/** The instruction to the registry: taken (its reference), or the job's progress. */
function sentStage(sources: CertificateSources, _facts: StageFacts): Draft {
  const { request, sent } = sources;
  return {
    key: "sent",
    label: "Sent to the registry",
    done: sent?.state === "succeeded" || request.registry_reference !== null,
    at: sent?.finished_at?.toISOString() ?? null,
    detail:
      request.registry_reference !== null
        ? `the registry took the instruction as ${request.registry_reference}`
        : sent === undefined
          ? "waiting for a registry worker"
          : `job ${sent.state}, ${sent.attempts} ` +
            `attempt(s)${sent.last_error === null ? "" : `; last error: ${sent.last_error}`}`,
    txHash: null,
  };
}

/** The registry's own record: retired (or delivered), refused, or its last reported status. */
function registryStage(sources: CertificateSources, facts: StageFacts): Draft {
  const { request, retiredBlock } = sources;
  const { rejected, registryDone } = facts;
  return {
    key: "registry",
    label: rejected ? "Refused by the registry" : "Registry confirmed",
    done: registryDone && !rejected,
    failed: rejected,
    at: retiredBlock?.changed_at.toISOString() ?? null,
    detail: rejected
      ? "the registry refused; the units went back to the holder once the oracles attested the refusal"
      : retiredBlock === undefined
        ? `registry status: ${request.registry_status ?? "not reported yet"}`
        : `${retiredBlock.serial} is ${retiredBlock.status} at the registry`,
    txHash: null,
  };
}

/** The oracles' signatures on the registry's answer, against the set's quorum. */
function attestedStage(sources: CertificateSources, facts: StageFacts): Draft {
  const { attestations, confirmed } = sources;
  const { threshold, size } = facts;
  return {
    key: "attested",
    label: `Attested by ${attestations.length} of ${size ?? "?"} oracles`,
    done: confirmed !== undefined || (threshold !== null && attestations.length >= threshold),
    at:
      attestations.length === 0
        ? null
        : attestations[Math.min(attestations.length, threshold ?? 1) - 1]!.created_at.toISOString(),
    detail:
      attestations.length === 0
        ? `no oracle has signed yet (a quorum of ${threshold ?? "?"} is needed)`
        : `signed by ${attestations.map((a) => a.signer).join(", ")} (quorum ${threshold ?? "?"})`,
    txHash: null,
  };
}

function burnedStage(sources: CertificateSources, facts: StageFacts): Draft {
  const { confirmed } = sources;
  const { retirement } = facts;
  return {
    key: "burned",
    label: retirement ? "Burned on chain" : "Burned on chain, delivered at the registry",
    done: confirmed !== undefined,
    at: confirmed === undefined ? null : confirmed.indexed_at.toISOString(),
    detail: confirmed === undefined ? "waiting for the quorum's transaction" : `block ${confirmed.block_number}`,
    txHash: confirmed?.tx_hash ?? null,

  };
}

export function buildTimeline(sources: CertificateSources): RequestTimeline {
  const { request, retiredBlock, oracleSet, confirmed } = sources;
  const retirement = request.kind === "retirement";
  const rejected = request.status === "rejected" || request.registry_status === "REJECTED";
  const registryDone =
    request.registry_status === "CONFIRMED" ||
    retiredBlock?.status === "RETIRED" ||
    (!retirement && retiredBlock !== undefined) ||
    confirmed !== undefined;
  const threshold = oracleSet?.threshold ?? null;
  const size = oracleSet?.oracles.length ?? null;
  const facts: StageFacts = { retirement, rejected, registryDone, threshold, size };
  const stageDrafts = [lockedStage, sentStage, registryStage, attestedStage, burnedStage];
  const drafts: Draft[] = stageDrafts.map((stage) => stage(sources, facts));
  let currentSet = false;
  const stages = drafts.map(({ done, failed, ...stage }): TimelineStage => {
    if (failed === true) {
      currentSet = true;
      return { ...stage, state: "failed" };
    }
    if (done) return { ...stage, state: "done" };
    if (!currentSet && !rejected) {
      currentSet = true;
      return { ...stage, state: "current" };
    }
    return { ...stage, state: "waiting" };
  });
  return { requestId: request.request_id, kind: request.kind, status: request.status, stages };
}
