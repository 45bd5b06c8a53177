import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import {
  CURSOR_HEX32,
  CURSOR_TIME,
  address,
  addressParam,
  bytes32,
  bytes32Param,
  checksum,
  decodeCursor,
  errors,
  iso,
  notFound,
  page,
  pageQuery,
  replyError,
  timestamp,
  toPage,
  uint256,
  uint256Param,
  registryStatusView,
} from "../http";
import { CHAIN_STATUSES, REQUEST_KINDS, REQUEST_STATUSES, type RequestRow, getRequest, listRequests } from "../../requests/store";
import { type RegistryStatus, type RegistryStatusSource, statusesByRegistry } from "../../registries/status";

const kind = z.enum(REQUEST_KINDS);
const status = z.enum(REQUEST_STATUSES);

const requestBody = z.object({
  requestId: bytes32.describe("keccak256(holder, idempotencyKey), as RegistryBridge derives it"),
  kind,
  holder: address,
  batchId: uint256,
  registryId: z.string(),
  amount: uint256,
  status: status.describe("The platform's view (chain + queue)"),
  registryStatus: z.string().nullable().describe("The registry's own word on the request, as last seen"),
  registryReference: z.string().nullable().describe("Registry retirement or transaction id, once known"),
  destinationAccount: z.string().nullable().describe("Withdrawals: the holder's registry account"),
  retirement: z.record(z.string(), z.unknown()).nullable().describe("Retirements: beneficiary, reason, ..."),
  deadline: timestamp.nullable(),
  chainStatus: z.enum(CHAIN_STATUSES).describe("The bridge's answer as indexed"),
  requestedTxHash: bytes32.nullable(),
  answeredTxHash: bytes32.nullable().describe("Transaction of the quorum-attested confirmation or rejection"),
  registryHealth: z.object({
    paused: z.boolean().nullable(),
    circuit: z.enum(["closed", "open", "half_open", "unknown"]),
    detail: z.string().optional(),
  }),
  createdAt: timestamp,
  updatedAt: timestamp,
});
type RequestBody = z.infer<typeof requestBody>;

function requestView(row: RequestRow, health: RegistryStatus): RequestBody {
  return {
    requestId: row.request_id,
    kind: row.kind,
    holder: checksum(row.holder),
    batchId: row.batch_id,
    registryId: row.registry_id,
    amount: row.amount,
    status: row.status,
    registryStatus: row.registry_status,
    registryReference: row.registry_reference,
    destinationAccount: row.destination_account,
    retirement: row.retirement,
    deadline: iso(row.deadline),
    chainStatus: row.chain_status,
    requestedTxHash: row.requested_tx_hash,
    answeredTxHash: row.answered_tx_hash,
    registryHealth: registryStatusView(health),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type RequestRoutesOptions = { pool: Pool; registryStatus: RegistryStatusSource };

/** Retirement and withdrawal requests with the registry's status beside the platform's. */
const requestRoutes: FastifyPluginAsyncZod<RequestRoutesOptions> = async (app, { pool, registryStatus }) => {
  app.get(
    "/requests",
    {
      schema: {
        tags: ["requests"],
        summary: "Retirement and withdrawal requests, newest first, by holder, batch, kind and status",
        querystring: pageQuery.extend({
          holder: addressParam.optional(),
          batchId: uint256Param.optional(),
          kind: kind.optional(),
          status: status.optional(),
        }),
        response: { 200: page(requestBody), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const after = decodeCursor(cursor, [CURSOR_TIME, CURSOR_HEX32]);
      const rows = await listRequests(pool, { ...filters, after, limit });
      const statuses = await statusesByRegistry(registryStatus, rows.map((row) => row.registry_id));
      return toPage(
        rows,
        limit,
        (row) => requestView(row, statuses.get(row.registry_id)!),
        (row) => [row.created_at.toISOString(), row.request_id],
      );
    },
  );

  app.get(
    "/requests/:requestId",
    {
      schema: {
        tags: ["requests"],
        summary: "One retirement or withdrawal request with its registry status",
        params: z.object({ requestId: bytes32Param }),
        response: { 200: requestBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const row = await getRequest(pool, request.params.requestId);
      if (row === undefined) return replyError(reply, 404, "not_found", `Request ${request.params.requestId} not found`);
      return requestView(row, await registryStatus.get(row.registry_id));
    },
  );
};

export default requestRoutes;
