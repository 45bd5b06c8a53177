/**
 * The public verification of a certificate (no login), each check in words:
 *
 * 1. on chain, from the chain alone (`carbon audit verify-certificate`'s checks: the request and confirmation logs,
 *    every oracle signature against the oracle set of that block, the custody head, `certificateOf`);
 * 2. the SHA-256 of the on-chain record, recomputed from what the chain returned, equals the certificate's (and the
 *    one a QR code or a reader supplied);
 * 3. the registry: its own current word on the retired block (the custody mirror re-reads the registry), the
 *    serial range and retirement reference whose hashes the oracles attested;
 * 4. the PDF: a hash someone supplies is a rendering of this certificate made here, and which one is current.
 */
import type { CertificateReport } from "../audit/verifyCertificate";
import { type Certificate, onChainRecordJson, sha256Hex } from "./certificate";
import type { CertificateSources } from "./sources";

export type CertificateCheck = {
  id: string;
  group: "chain" | "record" | "registry" | "pdf";
  label: string;
  ok: boolean;
  detail: string;
};
export type CertificateVerification = {
  certificateId: string;
  verdict: "VERIFIED" | "FAILED";
  checks: CertificateCheck[];
  checkedAt: string;
};

export type VerifyCertificateRecordParameters = {
  certificate: Certificate;
  sources: CertificateSources;
  /** The chain's own answer (audit), or why it could not be had. */
  audit: CertificateReport | { error: string };
  /** A record hash the reader brought (from the QR code), if any. */
  claimedRecordSha256?: string | undefined;
  /** A PDF hash the reader brought, with what is known of it. */
  pdf?: { sha256: string; known: boolean; current: string } | undefined;
  now: Date;
};

type AddCheck = (id: string, group: CertificateCheck["group"], label: string, ok: boolean, detail: string) => void;

/** The chain's own answer, and the certificate's record hash and words rebuilt from it. */
function chainChecks(audit: VerifyCertificateRecordParameters["audit"], certificate: Certificate, add: AddCheck): void {
  if ("error" in audit) {
    add("chain.reachable", "chain", "The chain could be read", false, audit.error);
  } else {
    for (const check of audit.checks)
      add(`chain.${check.id}`, "chain", check.label, check.ok, check.detail ?? (check.ok ? "holds" : "does not hold"));
    const c = audit.confirmation;
    const recomputed = sha256Hex(
      onChainRecordJson({
        chainId: String(audit.chainId),
        registryBridge: audit.contracts.registryBridge,
        requestId: audit.requestId,
        holder: audit.request.holder,
        batchId: audit.request.batchId,
        amount: audit.request.amount,
        retirementIdHash: c.registryReferenceHash,
        serialRangeHash: c.serialRangeHash,
        transactionHash: c.transactionHash,
        blockNumber: c.blockNumber,
        logIndex: String(c.logIndex),
      }),
    );
    add(
      "record.sha256",
      "record",
      "The SHA-256 of the on-chain record, rebuilt from the chain, equals the certificate's",
      recomputed === certificate.onChainRecordSha256,
      `chain gives ${recomputed}; certificate states ${certificate.onChainRecordSha256}`,
    );
    add(
      "record.beneficiary",
      "record",
      "The beneficiary and reason on chain are the certificate's",
      audit.request.beneficiary === certificate.beneficiary && audit.request.reason === certificate.reason,
      `chain: "${audit.request.beneficiary}" / "${audit.request.reason}"`,
    );
  }
}

/** The registry's record as last read, against what the oracles attested on chain. */
function registryChecks(sources: CertificateSources, certificate: Certificate, add: AddCheck): void {
  const block = sources.retiredBlock;
  add(
    "registry.retired",
    "registry",
    "The registry shows the units as retired",
    block?.status === "RETIRED",
    block === undefined
      ? "the registry's record of this retirement has not been seen yet"
      : `${block.serial} is ${block.status} (${block.native_status ?? "-"}) at ${certificate.registry.name}, as last read ` +
        `${block.observed_at.toISOString()}`,
  );
  add(
    "registry.serial",
    "registry",
    "The registry's serial range is the one the oracles attested on chain",
    certificate.serialRange.matchesOnChainHash === true,
    certificate.serialRange.serial === null
      ? "no serial range from the registry yet"
      : `keccak256("${certificate.serialRange.serial}") vs ${certificate.onChainProof.serialRangeHash}`,
  );
  add(
    "registry.reference",
    "registry",
    "The registry's retirement reference is the one the oracles attested on chain",
    certificate.registryRetirementReference.matchesOnChainHash === true,
    `${certificate.registryRetirementReference.reference ?? "no reference"} vs ${certificate.onChainProof.retirementIdHash}`,
  );
}

export function verifyCertificateRecord(p: VerifyCertificateRecordParameters): CertificateVerification {
  const { certificate, sources, audit } = p;
  const checks: CertificateCheck[] = [];
  const add: AddCheck = (id, group, label, ok, detail) => checks.push({ id, group, label, ok, detail });

  chainChecks(audit, certificate, add);
  if (p.claimedRecordSha256 !== undefined) {
    add(
      "record.claimed",
      "record",
      "The record hash you brought (QR code) is this certificate's",
      p.claimedRecordSha256.toLowerCase() === certificate.onChainRecordSha256,
      `you brought ${p.claimedRecordSha256}`,
    );
  }

  registryChecks(sources, certificate, add);
  if (p.pdf !== undefined) {
    add(
      "pdf.known",
      "pdf",
      "The PDF is a certificate this platform issued for this retirement",
      p.pdf.known,
      p.pdf.known ? `SHA-256 ${p.pdf.sha256}` : `no certificate PDF with SHA-256 ${p.pdf.sha256} was issued for it`,
    );
    add(
      "pdf.current",
      "pdf",
      "The PDF is the current rendering",
      p.pdf.sha256 === p.pdf.current,
      `current rendering: ${p.pdf.current}`,
    );
  }
  return {
    certificateId: certificate.certificateId,
    verdict: checks.every((check) => check.ok) ? "VERIFIED" : "FAILED",
    checks,
    checkedAt: p.now.toISOString(),
  };
}
