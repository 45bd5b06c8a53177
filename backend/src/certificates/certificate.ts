/**
 * A retirement certificate (issue 12 §4.6): what a buyer can show to anyone, in words. Every field says where it
 * comes from (sources.ts); the on-chain proof is the `RetirementConfirmed` log the oracle quorum's attestation
 * produced, and the registry's own words (reference, serial range) are checked against the hashes that log carries:
 * `keccak256(reference)` must equal `retirementIdHash`, `keccak256(serial)` must equal `serialRangeHash`.
 *
 * The on-chain record's SHA-256 is taken over its canonical JSON (`onChainRecordJson`: keys in the order below,
 * numbers as decimal strings, hex lowercase), so anyone can rebuild it from the chain and compare.
 */
import crypto from "node:crypto";
import { getAddress, keccak256, toHex } from "viem";
import type { RegistryName } from "../registries/ids";
import { REGISTRY_DISPLAY_NAMES, UNIT_METRIC, UNIT_TYPE_NAMES, projectInfoOf } from "../registries/projectInfo";
import type { CertificateSources } from "./sources";

export type OnChainRecord = {
  chainId: string;
  registryBridge: string;
  requestId: string;
  holder: string;
  batchId: string;
  amount: string;
  retirementIdHash: string;
  serialRangeHash: string;
  transactionHash: string;
  blockNumber: string;
  logIndex: string;
};

export type Certificate = {
  certificateId: string;
  title: string;
  statement: string;
  registry: { id: string; name: string };
  project: {
    registryProjectId: string | null;
    name: string | null;
    methodology: string | null;
    type: string | null;
    country: string | null;
  };
  vintage: { start: string | null; end: string | null };
  serialRange: { serial: string | null; first: string | null; last: string | null; matchesOnChainHash: boolean | null };
  quantity: string;
  unit: { type: string | null; name: string | null; metric: string | null };
  holder: string;
  beneficiary: string;
  reason: string;
  registryRetirementReference: { reference: string | null; matchesOnChainHash: boolean | null };
  registryStatus: string | null;
  dates: {
    requestedAt: string | null;
    sentToRegistryAt: string | null;
    retiredAtRegistry: string | null;
    confirmedOnChainAt: string | null;
  };
  onChainProof: OnChainRecord & {
    requestTransactionHash: string | null;
    blockTimestamp: string | null;
    attestedBy: { signers: string[]; threshold: number | null; oracleSetSize: number | null };
  };
  onChainRecordSha256: string;
};

export type BuildCertificateParameters = {
  sources: CertificateSources;
  chainId: number;
  registryBridge: string;
  /** Block timestamps (undefined when the node cannot say: the indexing time is used). */
  blockTimes: { requested?: Date | undefined; confirmed?: Date | undefined };
};

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The canonical JSON of the on-chain record (fixed key order), the input of `onChainRecordSha256`. */
export function onChainRecordJson(record: OnChainRecord): string {
  const ordered: OnChainRecord = {
    chainId: record.chainId,
    registryBridge: record.registryBridge.toLowerCase(),
    requestId: record.requestId.toLowerCase(),
    holder: record.holder.toLowerCase(),
    batchId: record.batchId,
    amount: record.amount,
    retirementIdHash: record.retirementIdHash.toLowerCase(),
    serialRangeHash: record.serialRangeHash.toLowerCase(),
    transactionHash: record.transactionHash.toLowerCase(),
    blockNumber: record.blockNumber,
    logIndex: record.logIndex,
  };
  return JSON.stringify(ordered);
}

export function sha256Hex(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

const sameHash = (plain: string | null | undefined, hash: string | null | undefined): boolean | null =>
  plain === null || plain === undefined || plain === "" || hash === null || hash === undefined
    ? null
    : keccak256(toHex(plain)) === hash.toLowerCase();

/** The fields of the confirmation event the certificate's hash covers. */
function onChainRecordOf(
  request: CertificateSources["request"],
  confirmed: NonNullable<CertificateSources["confirmed"]>,
  chainId: BuildCertificateParameters["chainId"],
  registryBridge: string,
): OnChainRecord {
  const args = confirmed.args as Record<string, string>;
  return {
    chainId: String(chainId),
    registryBridge: registryBridge.toLowerCase(),
    requestId: request.request_id.toLowerCase(),
    holder: text(args.holder).toLowerCase(),
    batchId: text(args.batchId),
    amount: text(args.amount),
    retirementIdHash: text(args.retirementIdHash).toLowerCase(),
    serialRangeHash: text(args.serialRangeHash).toLowerCase(),
    transactionHash: confirmed.tx_hash.toLowerCase(),
    blockNumber: confirmed.block_number,
    logIndex: String(confirmed.log_index),
  };
}

/** When the registry retired the units: its own date when its record has one, else when the platform saw it retired. */
function retiredAtRegistry(retiredBlock: CertificateSources["retiredBlock"]): string | null {
  return (
    text(retiredBlock?.payload.retiredDate) ||
    text(retiredBlock?.payload.completed_at) ||
    retiredBlock?.observed_at.toISOString() ||
    null
  );
}

/** The certificate of a confirmed retirement; undefined while the request is not a confirmed, indexed retirement. */
export function buildCertificate({
  sources,
  chainId,
  registryBridge,
  blockTimes,
}: BuildCertificateParameters): Certificate | undefined {
  const { request, retiredBlock, confirmed } = sources;
  if (request.kind !== "retirement" || request.status !== "confirmed" || confirmed === undefined) return undefined;
  const registry = request.registry_id as RegistryName;
  const serial = retiredBlock?.serial;
  const info = projectInfoOf(registry, serial, sources.projectRecords);
  const record = onChainRecordOf(request, confirmed, chainId, registryBridge);
  const beneficiary = text(request.retirement?.beneficiary);
  const reason = text(request.retirement?.reason);
  const unitType = info.unitType ?? null;
  const registryName = REGISTRY_DISPLAY_NAMES[registry] ?? registry;
  const quantity = request.amount;
  const metric = unitType === null ? null : (UNIT_METRIC[unitType] ?? null);
  return {
    certificateId: request.request_id.toLowerCase(),
    title: "Certificate of carbon credit retirement",
    statement:
      `${quantity} ${unitType ?? "units"}${metric === null ? "" : ` (${quantity} ${metric})`} of ${registryName} ` +
      `project ${info.projectId ?? "?"}${info.name === undefined ? "" : ` "${info.name}"`} were retired at the registry ` +
      `on behalf of ${beneficiary || "the holder"}${reason === "" ? "" : ` for: ${reason}`}. ` +
      `The registry's answer was attested on chain by ${sources.attestations.length} of ` +
      `${sources.oracleSet?.oracles.length ?? "?"} oracles and the tokens were burned.`,
    registry: { id: registry, name: registryName },
    project: {
      registryProjectId: info.projectId ?? null,
      name: info.name ?? null,
      methodology: info.methodology ?? null,
      type: info.type ?? null,
      country: info.country ?? null,
    },
    vintage: { start: info.vintageStart ?? null, end: info.vintageEnd ?? null },
    serialRange: {
      serial: serial ?? null,
      first: retiredBlock?.block_start ?? null,
      last: retiredBlock?.block_end ?? null,
      matchesOnChainHash: sameHash(serial, record.serialRangeHash),
    },
    quantity,
    unit: { type: unitType, name: unitType === null ? null : (UNIT_TYPE_NAMES[unitType] ?? unitType), metric },
    holder: getAddress(request.holder),
    beneficiary,
    reason,
    registryRetirementReference: {
      reference: request.registry_reference,
      matchesOnChainHash: sameHash(request.registry_reference, record.retirementIdHash),
    },
    registryStatus: retiredBlock?.status ?? request.registry_status,
    dates: {
      // Wall-clock times, as the platform saw each step (the same clock as the registry's and the queue's times);
      // the confirmation block's own timestamp is in the on-chain proof.
      requestedAt: (sources.requested?.indexed_at ?? request.created_at).toISOString(),
      sentToRegistryAt: sources.sent?.finished_at?.toISOString() ?? null,
      retiredAtRegistry: retiredAtRegistry(sources.retiredBlock),
      confirmedOnChainAt: confirmed.indexed_at.toISOString(),
    },
    onChainProof: {
      ...record,
      requestTransactionHash: request.requested_tx_hash,
      blockTimestamp: blockTimes.confirmed?.toISOString() ?? null,
      attestedBy: {
        signers: sources.attestations.map((attestation) => attestation.signer),
        threshold: sources.oracleSet?.threshold ?? null,
        oracleSetSize: sources.oracleSet?.oracles.length ?? null,
      },
    },
    onChainRecordSha256: sha256Hex(onChainRecordJson(record)),
  };
}
