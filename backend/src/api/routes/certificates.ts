import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import { address, bytes32, bytes32Param, checksum, errors, notFound, replyError, timestamp, uint256 } from "../http";
import { getRequest } from "../../requests/store";
import { getConfirmationEvent } from "../queries/certificates";

const certificateBody = z.object({
  requestId: bytes32,
  holder: address,
  batchId: uint256,
  registryId: z.string(),
  amount: uint256,
  registryReference: z.string().nullable().describe("The registry's retirement id"),
  retirement: z.record(z.string(), z.unknown()).nullable().describe("Beneficiary, reason and certificate details"),
  confirmedAt: timestamp.describe("When the platform recorded the confirmation"),
  confirmation: z
    .object({
      blockNumber: z.string(),
      txHash: bytes32,
      logIndex: z.number().int(),
      args: z.record(z.string(), z.unknown()),
    })
    .nullable()
    .describe("The RetirementConfirmed log (quorum-attested burn), when indexed; verify it with `carbon audit`"),
});

/** Retirement certificates: a confirmed retirement request and the chain log that burned its units. */
const certificateRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    "/certificates/:requestId",
    {
      schema: {
        tags: ["requests"],
        summary: "Retirement certificate of a confirmed retirement request",
        description: "404 until the registry has confirmed the retirement and the oracles' quorum burned the units.",
        params: z.object({ requestId: bytes32Param }),
        response: { 200: certificateBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const { requestId } = request.params;
      const row = await getRequest(pool, requestId);
      if (row === undefined || row.kind !== "retirement") {
        return replyError(reply, 404, "not_found", `No retirement request ${requestId}`);
      }
      if (row.status !== "confirmed") {
        return replyError(reply, 404, "not_found", `Retirement ${requestId} is ${row.status}: no certificate yet`);
      }
      const event = await getConfirmationEvent(pool, requestId);
      return {
        requestId: row.request_id,
        holder: checksum(row.holder),
        batchId: row.batch_id,
        registryId: row.registry_id,
        amount: row.amount,
        registryReference: row.registry_reference,
        retirement: row.retirement,
        confirmedAt: row.updated_at.toISOString(),
        confirmation:
          event === undefined
            ? null
            : { blockNumber: event.block_number, txHash: event.tx_hash, logIndex: event.log_index, args: event.args },
      };
    },
  );
};

export default certificateRoutes;
