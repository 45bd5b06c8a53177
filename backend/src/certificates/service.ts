/**
 * Certificates as the API serves them: the JSON (`buildCertificate`), the PDF and its SHA-256 (recorded in
 * `certificate_documents`), the request timeline, and the public verification (chain, registry, PDF).
 */
import type { Address, Hex, PublicClient } from "viem";
import type { Pool } from "pg";
import { verifyCertificate } from "../audit/verifyCertificate";
import { type Certificate, buildCertificate, sha256Hex } from "./certificate";
import { findDocument, recordDocument } from "./documents";
import { renderCertificatePdf } from "./pdf";
import { type CertificateSources, loadCertificateSources } from "./sources";
import { type RequestTimeline, buildTimeline } from "./timeline";
import { type CertificateVerification, verifyCertificateRecord } from "./verify";

export type CreateCertificateServiceParameters = {
  pool: Pool;
  chainId: number;
  registryBridge: Address;
  /** Block timestamps and the chain-only audit; absent: indexing times are used and the chain checks fail. */
  client?: PublicClient | undefined;
  /** Base URL of the web app, for the verification link and QR code. */
  publicUrl: string;
  now?: () => Date;
};

export type CertificateLookup =
  { found: false; reason: string } | { found: true; certificate: Certificate; sources: CertificateSources };

export type CertificateService = {
  verificationUrl(certificate: Certificate): string;
  certificate(requestId: string): Promise<CertificateLookup>;
  /** The PDF and its SHA-256 (the rendering is recorded, so the hash can be looked up later). */
  pdf(certificate: Certificate): Promise<{ pdf: Buffer; sha256: string }>;
  timeline(requestId: string): Promise<RequestTimeline | undefined>;
  /** By certificate id, or by the SHA-256 of a PDF. */
  verify(input: {
    certificateId?: string | undefined;
    pdfSha256?: string | undefined;
    recordSha256?: string | undefined;
  }): Promise<CertificateVerification | { found: false; reason: string }>;
};

export function createCertificateService(p: CreateCertificateServiceParameters): CertificateService {
  const now = p.now ?? (() => new Date());
  const times = new Map<string, Date>();
  // Renderings by content: the JSON route reports the PDF's hash on every read, and a certificate rarely changes.
  const renderings = new Map<string, Promise<{ pdf: Buffer; sha256: string }>>();
  async function blockTime(block: string | null | undefined): Promise<Date | undefined> {
    if (block === null || block === undefined || p.client === undefined) return undefined;
    const hit = times.get(block);
    if (hit !== undefined) return hit;
    try {
      const found = await p.client.getBlock({ blockNumber: BigInt(block) });
      const time = new Date(Number(found.timestamp) * 1000);
      times.set(block, time);
      return time;
    } catch {
      return undefined;
    }
  }
  async function blockTimesOf(sources: CertificateSources) {
    const [requested, confirmed] = await Promise.all([
      blockTime(sources.requested?.block_number),
      blockTime(sources.confirmed?.block_number),
    ]);
    return { requested, confirmed };
  }

  const service: CertificateService = {
    verificationUrl(certificate) {
      // Short enough for a QR code a phone reads at arm's length; the record hash binds chain, transaction and log.
      return `${p.publicUrl.replace(/\/$/, "")}/verify/${certificate.certificateId}?record=${certificate.onChainRecordSha256}`;
    },
    async certificate(requestId) {
      const sources = await loadCertificateSources(p.pool, requestId);
      if (sources === undefined || sources.request.kind !== "retirement")
        return { found: false, reason: `No retirement request ${requestId}` };
      const certificate = buildCertificate({
        sources,
        chainId: p.chainId,
        registryBridge: p.registryBridge,
        blockTimes: await blockTimesOf(sources),
      });
      if (certificate === undefined)
        return { found: false, reason: `Retirement ${requestId} is ${sources.request.status}: no certificate yet` };
      return { found: true, certificate, sources };
    },
    pdf(certificate) {
      const key = JSON.stringify(certificate);
      let rendering = renderings.get(key);
      if (rendering === undefined) {
        rendering = (async () => {
          const pdf = await renderCertificatePdf({ certificate, verificationUrl: service.verificationUrl(certificate) });
          const sha256 = sha256Hex(pdf);
          await recordDocument(p.pool, {
            pdfSha256: sha256,
            requestId: certificate.certificateId,
            recordSha256: certificate.onChainRecordSha256,
          });
          return { pdf, sha256 };
        })();
        rendering.catch(() => renderings.delete(key));
        if (renderings.size >= 200) renderings.delete(renderings.keys().next().value as string);
        renderings.set(key, rendering);
      }
      return rendering;
    },
    async timeline(requestId) {
      const sources = await loadCertificateSources(p.pool, requestId);
      return sources === undefined ? undefined : buildTimeline(sources);
    },
    async verify(input) {
      let certificateId = input.certificateId;
      let known = false;
      if (input.pdfSha256 !== undefined) {
        const document = await findDocument(p.pool, input.pdfSha256);
        if (document !== undefined) {
          known = certificateId === undefined || document.requestId === certificateId.toLowerCase();
          certificateId ??= document.requestId;
        }
      }
      if (certificateId === undefined)
        return { found: false, reason: `No certificate PDF with SHA-256 ${input.pdfSha256} was issued here` };
      const lookup = await service.certificate(certificateId);
      if (!lookup.found) return lookup;
      const audit =
        p.client === undefined
          ? { error: "no chain node configured for this API" }
          : await verifyCertificate({ client: p.client, bridge: p.registryBridge, requestId: certificateId as Hex }).catch(
              (error: unknown) => ({
                error: error instanceof Error ? error.message : String(error),
              }),
            );
      const current = input.pdfSha256 === undefined ? undefined : (await service.pdf(lookup.certificate)).sha256;
      return verifyCertificateRecord({
        certificate: lookup.certificate,
        sources: lookup.sources,
        audit,
        claimedRecordSha256: input.recordSha256,
        pdf:
          input.pdfSha256 === undefined || current === undefined
            ? undefined
            : { sha256: input.pdfSha256.toLowerCase(), known: known || input.pdfSha256.toLowerCase() === current, current },
        now: now(),
      });
    },
  };
  return service;
}
