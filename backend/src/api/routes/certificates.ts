/**
 * Retirement certificates (issue 12 §4.6): the certificate in words as JSON, as a PDF with a QR code to the public
 * verification page, the public verification (by certificate id or by a PDF's SHA-256: no login), and the timeline
 * of any retirement or withdrawal request. What each field states and where it comes from: certificates/.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CertificateService } from "../../certificates";
import { address, bytes32, bytes32Param, errors, notFound, replyError, timestamp, uint256 } from "../http";

const nullableText = z.string().nullable();
const hashMatch = z
  .boolean()
  .nullable()
  .describe("keccak256 of the registry's text equals the attested hash; null while the text is unknown");

const certificateBody = z.object({
  certificateId: bytes32.describe("The retirement request id"),
  title: z.string(),
  statement: z.string().describe("The whole certificate in one sentence"),
  registry: z.object({ id: z.string(), name: z.string() }),
  project: z.object({
    registryProjectId: nullableText.describe("The registry's own project id (VCS 3352, GS7495, ...)"),
    name: nullableText,
    methodology: nullableText,
    type: nullableText,
    country: nullableText.describe("ISO 3166 alpha-2"),
  }),
  vintage: z.object({ start: nullableText, end: nullableText }),
  serialRange: z.object({
    serial: nullableText.describe("The retired block's serial, as the registry prints it"),
    first: nullableText,
    last: nullableText,
    matchesOnChainHash: hashMatch,
  }),
  quantity: uint256,
  unit: z.object({
    type: nullableText.describe("VCU, VER, CCC, ..."),
    name: nullableText,
    metric: nullableText.describe("tCO2e or MWh"),
  }),
  holder: address.describe("The wallet that retired the units"),
  beneficiary: z.string(),
  reason: z.string(),
  registryRetirementReference: z.object({
    reference: nullableText.describe("The registry's id of the retirement"),
    matchesOnChainHash: hashMatch,
  }),
  registryStatus: nullableText.describe("The registry's current word on the retired block"),
  dates: z.object({
    requestedAt: timestamp.nullable(),
    sentToRegistryAt: timestamp.nullable(),
    retiredAtRegistry: z.string().nullable(),
    confirmedOnChainAt: timestamp.nullable(),
  }),
  onChainProof: z.object({
    chainId: z.string(),
    registryBridge: z.string(),
    requestId: bytes32,
    holder: z.string(),
    batchId: uint256,
    amount: uint256,
    retirementIdHash: bytes32,
    serialRangeHash: bytes32,
    transactionHash: bytes32,
    blockNumber: z.string(),
    logIndex: z.string(),
    requestTransactionHash: bytes32.nullable(),
    blockTimestamp: timestamp.nullable().describe("The confirmation block's own timestamp (chain clock)"),
    attestedBy: z.object({
      signers: z.array(z.string()),
      threshold: z.number().nullable(),
      oracleSetSize: z.number().nullable(),
    }),
  }),
  onChainRecordSha256: z.string().describe("SHA-256 of the canonical JSON of the on-chain record (docs/web.md)"),
  pdfSha256: z.string().describe("SHA-256 of the certificate PDF (GET /certificates/:id/pdf)"),
  pdfUrl: z.string(),
  verificationUrl: z.string().describe("The public verification page (the QR code's target)"),
  // The fields this route answered before the certificate was stated in words, kept for existing clients.
  requestId: bytes32,
  batchId: uint256,
  registryId: z.string(),
  amount: uint256,
  registryReference: z.string().nullable(),
  retirement: z.record(z.string(), z.unknown()).nullable(),
  confirmedAt: timestamp,
  confirmation: z
    .object({ blockNumber: z.string(), txHash: bytes32, logIndex: z.number().int(), args: z.record(z.string(), z.unknown()) })
    .nullable(),
});

const checkBody = z.object({
  id: z.string(),
  group: z.enum(["chain", "record", "registry", "pdf"]),
  label: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
const verificationBody = z.object({
  certificateId: bytes32,
  verdict: z.enum(["VERIFIED", "FAILED"]),
  checks: z.array(checkBody),
  checkedAt: timestamp,
});

const stageBody = z.object({
  key: z.string(),
  label: z.string(),
  state: z.enum(["done", "current", "waiting", "failed"]),
  at: timestamp.nullable(),
  detail: z.string(),
  txHash: bytes32.nullable(),
});

const sha256Param = z.string().regex(/^[0-9a-fA-F]{64}$/, "expected a SHA-256 as 64 hex digits");

export type CertificateRoutesOptions = { service: CertificateService };

const certificateRoutes: FastifyPluginAsyncZod<CertificateRoutesOptions> = async (app, { service }) => {
  app.get(
    "/certificates/:requestId",
    {
      schema: {
        tags: ["certificates"],
        summary: "Retirement certificate of a confirmed retirement, in words, with the on-chain proof",
        description: "404 until the registry has confirmed the retirement and the oracles' quorum burned the units.",
        params: z.object({ requestId: bytes32Param }),
        response: { 200: certificateBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const lookup = await service.certificate(request.params.requestId);
      if (!lookup.found) return replyError(reply, 404, "not_found", lookup.reason);
      const { certificate, sources } = lookup;
      const { sha256 } = await service.pdf(certificate);
      const confirmed = sources.confirmed!;
      return {
        ...certificate,
        pdfSha256: sha256,
        pdfUrl: `/certificates/${certificate.certificateId}/pdf`,
        verificationUrl: service.verificationUrl(certificate),
        requestId: certificate.certificateId,
        batchId: sources.request.batch_id,
        registryId: sources.request.registry_id,
        amount: sources.request.amount,
        registryReference: sources.request.registry_reference,
        retirement: sources.request.retirement as Record<string, unknown> | null,
        confirmedAt: sources.request.updated_at.toISOString(),
        confirmation: {
          blockNumber: confirmed.block_number,
          txHash: confirmed.tx_hash,
          logIndex: confirmed.log_index,
          args: confirmed.args,
        },
      };
    },
  );

  app.get(
    "/certificates/:requestId/pdf",
    {
      schema: {
        tags: ["certificates"],
        summary: "The certificate as a PDF (with a QR code to the public verification page)",
        description: "The `x-content-sha256` header carries the PDF's SHA-256, which the verification page accepts.",
        params: z.object({ requestId: bytes32Param }),
        response: { 200: z.any().describe("application/pdf"), ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const lookup = await service.certificate(request.params.requestId);
      if (!lookup.found) return replyError(reply, 404, "not_found", lookup.reason);
      const { pdf, sha256 } = await service.pdf(lookup.certificate);
      return reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="certificate-${lookup.certificate.certificateId.slice(0, 10)}.pdf"`)
        .header("x-content-sha256", sha256)
        .header("cache-control", "no-cache")
        .send(pdf);
    },
  );

  app.get(
    "/certificates/:requestId/verification",
    {
      schema: {
        tags: ["certificates"],
        summary: "Public verification: re-checks the certificate on chain and against the registry, each check in words",
        params: z.object({ requestId: bytes32Param }),
        querystring: z.object({
          record: sha256Param.optional().describe("The on-chain record's SHA-256 from the QR code"),
          pdf: sha256Param.optional().describe("The SHA-256 of a PDF to check against this certificate"),
        }),
        response: { 200: verificationBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const result = await service.verify({
        certificateId: request.params.requestId,
        recordSha256: request.query.record,
        pdfSha256: request.query.pdf,
      });
      if ("found" in result) return replyError(reply, 404, "not_found", result.reason);
      return result;
    },
  );

  app.get(
    "/certificate-documents/:pdfSha256/verification",
    {
      schema: {
        tags: ["certificates"],
        summary: "Public verification by the SHA-256 of a certificate PDF",
        params: z.object({ pdfSha256: sha256Param }),
        response: { 200: verificationBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const result = await service.verify({ pdfSha256: request.params.pdfSha256 });
      if ("found" in result) return replyError(reply, 404, "not_found", result.reason);
      return result;
    },
  );

  app.get(
    "/requests/:requestId/timeline",
    {
      schema: {
        tags: ["requests"],
        summary:
          "A retirement or withdrawal through its stages: locked, sent to the registry, registry confirmed, attested, burned",
        params: z.object({ requestId: bytes32Param }),
        response: {
          200: z.object({
            requestId: bytes32,
            kind: z.enum(["retirement", "withdrawal"]),
            status: z.string(),
            stages: z.array(stageBody),
          }),
          ...notFound,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const timeline = await service.timeline(request.params.requestId);
      if (timeline === undefined) return replyError(reply, 404, "not_found", `Request ${request.params.requestId} not found`);
      return { ...timeline, kind: timeline.kind as "retirement" | "withdrawal" };
    },
  );
};

export default certificateRoutes;
