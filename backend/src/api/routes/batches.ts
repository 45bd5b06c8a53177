import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import {
  CURSOR_DECIMAL,
  type Page,
  address,
  bytes32,
  decodeCursor,
  errors,
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
import { type BatchRow, getBatch, listBatches } from "../queries/batches";
import { type ChainEventRow, batchHistory } from "../queries/history";
import { type RegistryStatus, type RegistryStatusSource, statusesByRegistry } from "../../registries/status";

const gate = z.enum(["open", "closed", "unknown"]);

const custodyBody = z.object({
  totalSupply: uint256.describe("CreditToken.totalSupply(batch): minted minus burned"),
  available: uint256.describe("In holders' balances"),
  escrowed: uint256.describe("Held by Settlement for open deals"),
  pendingRetirement: uint256.describe("Held by RegistryBridge under open retirement requests"),
  pendingWithdrawal: uint256.describe("Held by RegistryBridge under open withdrawal requests"),
  retired: uint256.describe("Burned on a registry-confirmed retirement"),
  withdrawn: uint256.describe("Burned on a registry-confirmed withdrawal"),
});

export const batchBody = z.object({
  batchId: uint256.describe("CreditToken id"),
  registryId: z.string(),
  serialPrefix: z.string(),
  projectId: z.string().nullable(),
  vintageStart: z.string().nullable().describe("YYYY-MM-DD"),
  vintageEnd: z.string().nullable().describe("YYYY-MM-DD"),
  unitType: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  custody: custodyBody,
  frozen: z.boolean().describe("Frozen on CreditToken (last BatchFrozen/BatchUnfrozen): no mint, no transfer"),
  reserve: z
    .object({ units: uint256.describe("Registry-held units the oracles attested"), asOf: timestamp })
    .nullable()
    .describe("Last ReserveAttested on the bridge; null before the first"),
  registryStatus: z.object({
    paused: z.boolean().nullable().describe("Paused on RegistryBridge; null when not known"),
    circuit: z.enum(["closed", "open", "half_open", "unknown"]).describe("The backend's circuit breaker"),
    detail: z.string().optional(),
  }),
  availability: z
    .object({
      trading: gate.describe("Instant DvP (needs no registry; closed only when the batch is frozen)"),
      retirement: gate,
      withdrawal: gate,
      escrowDeals: gate,
      reasons: z.array(z.string()).describe("Why something is closed or unknown"),
    })
    .describe("What can be done with the batch right now, and why not"),
});

type BatchBody = z.infer<typeof batchBody>;

export const chainEventBody = z.object({
  blockNumber: z.string(),
  blockHash: bytes32,
  txHash: bytes32,
  logIndex: z.number().int(),
  contract: address,
  event: z.string(),
  args: z.record(z.string(), z.unknown()).describe("Decoded log arguments as indexed (integers as decimal strings)"),
});

export function chainEventView(row: ChainEventRow): z.infer<typeof chainEventBody> {
  return {
    blockNumber: row.block_number,
    blockHash: row.block_hash,
    txHash: row.tx_hash,
    logIndex: row.log_index,
    contract: row.contract,
    event: row.event_name,
    args: row.args,
  };
}

export const chainEventKey = (row: ChainEventRow) => [row.block_number, String(row.log_index)];

/** What the registry status and the freeze allow. Unknown status is said as unknown, never as open. */
function availability(frozen: boolean, status: RegistryStatus): BatchBody["availability"] {
  const reasons: string[] = [];
  let registryGate: z.infer<typeof gate> = "open";
  if (status.paused === true) {
    registryGate = "closed";
    reasons.push("Registry paused on the bridge: new retirements, withdrawals and escrow deals revert; instant DvP stays open");
  } else if (status.circuit === "open") {
    registryGate = "closed";
    reasons.push("Registry circuit open (registry failing): new requests would wait; the guardian pause is pending");
  } else if (status.paused === null) {
    registryGate = "unknown";
    reasons.push("Registry status unknown: no status source reports on this registry yet");
  }
  if (frozen) {
    reasons.unshift("Batch frozen on-chain (reconciliation or agent): no transfers, requests or deals until unfrozen");
    return { trading: "closed", retirement: "closed", withdrawal: "closed", escrowDeals: "closed", reasons };
  }
  return { trading: "open", retirement: registryGate, withdrawal: registryGate, escrowDeals: registryGate, reasons };
}

function batchView(row: BatchRow, status: RegistryStatus): BatchBody {
  const supply = BigInt(row.total_supply);
  const locked = BigInt(row.escrowed) + BigInt(row.pending_retirement) + BigInt(row.pending_withdrawal);
  const available = supply > locked ? supply - locked : 0n;
  return {
    batchId: row.batch_id,
    registryId: row.registry_id,
    serialPrefix: row.serial_prefix,
    projectId: row.project_id,
    vintageStart: row.vintage_start,
    vintageEnd: row.vintage_end,
    unitType: row.unit_type,
    metadata: row.metadata,
    custody: {
      totalSupply: row.total_supply,
      available: available.toString(),
      escrowed: row.escrowed,
      pendingRetirement: row.pending_retirement,
      pendingWithdrawal: row.pending_withdrawal,
      retired: row.retired,
      withdrawn: row.withdrawn,
    },
    frozen: row.frozen,
    reserve:
      row.reserve_units === null || row.reserve_as_of === null
        ? null
        : { units: row.reserve_units, asOf: row.reserve_as_of.toISOString() },
    registryStatus: registryStatusView(status),
    availability: availability(row.frozen, status),
  };
}

export type BatchRoutesOptions = { pool: Pool; registryStatus: RegistryStatusSource };

const batchParams = z.object({ batchId: uint256Param });

/** Batches with live custody quantities, freeze and registry status; the custody history of one batch. */
const batchRoutes: FastifyPluginAsyncZod<BatchRoutesOptions> = async (app, { pool, registryStatus }) => {
  app.get(
    "/batches",
    {
      schema: {
        tags: ["batches"],
        summary: "Credit batches with live availability",
        querystring: pageQuery.extend({
          registryId: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "expected a registry id like VERRA").optional(),
        }),
        response: { 200: page(batchBody), ...errors },
      },
    },
    async (request): Promise<Page<BatchBody>> => {
      const { limit, cursor, registryId } = request.query;
      const after = decodeCursor(cursor, [CURSOR_DECIMAL])?.[0];
      const rows = await listBatches(pool, { registryId, after, limit });
      const statuses = await statusesByRegistry(registryStatus, rows.map((row) => row.registry_id));
      return toPage(rows, limit, (row) => batchView(row, statuses.get(row.registry_id)!), (row) => [row.batch_id]);
    },
  );

  app.get(
    "/batches/:batchId",
    {
      schema: {
        tags: ["batches"],
        summary: "One batch: custody quantities, frozen flag, registry status and why it is unavailable",
        params: batchParams,
        response: { 200: batchBody, ...notFound, ...errors },
      },
    },
    async (request, reply) => {
      const row = await getBatch(pool, request.params.batchId);
      if (row === undefined) return replyError(reply, 404, "not_found", `Batch ${request.params.batchId} not found`);
      return batchView(row, await registryStatus.get(row.registry_id));
    },
  );

  app.get(
    "/batches/:batchId/history",
    {
      schema: {
        tags: ["batches"],
        summary: "Custody history of a batch: every indexed chain log naming it, in chain order",
        params: batchParams,
        querystring: pageQuery,
        response: { 200: page(chainEventBody), ...notFound, ...errors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await batchHistory(pool, request.params.batchId, {
        after: decodeCursor(cursor, [CURSOR_DECIMAL, CURSOR_DECIMAL]),
        limit,
      });
      return toPage(rows, limit, chainEventView, chainEventKey);
    },
  );
};

export default batchRoutes;
