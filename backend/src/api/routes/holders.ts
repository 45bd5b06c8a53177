import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { z } from "zod";
import { CURSOR_DECIMAL, addressParam, decodeCursor, errors, page, pageQuery, toPage, uint256 } from "../http";
import { type InventoryRow, listInventory } from "../queries/batches";
import { holderHistory } from "../queries/history";
import { chainEventBody, chainEventKey, chainEventView } from "./batches";

const inventoryItem = z.object({
  batchId: uint256,
  registryId: z.string(),
  serialPrefix: z.string(),
  available: uint256.describe("In the holder's balance"),
  escrowed: uint256.describe("Locked in open deals where the holder sells"),
  pendingRetirement: uint256,
  pendingWithdrawal: uint256,
  retired: uint256,
  withdrawn: uint256,
});

function inventoryView(row: InventoryRow): z.infer<typeof inventoryItem> {
  return {
    batchId: row.batch_id,
    registryId: row.registry_id,
    serialPrefix: row.serial_prefix,
    available: row.available,
    escrowed: row.escrowed,
    pendingRetirement: row.pending_retirement,
    pendingWithdrawal: row.pending_withdrawal,
    retired: row.retired,
    withdrawn: row.withdrawn,
  };
}

const holderParams = z.object({ address: addressParam });

/** What a holder has per batch, and the chain logs that name the holder. Public, like the chain itself. */
const holderRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    "/holders/:address/inventory",
    {
      schema: {
        tags: ["holders"],
        summary: "A holder's credits per batch: available, escrowed, pending, retired, withdrawn",
        params: holderParams,
        querystring: pageQuery,
        response: { 200: page(inventoryItem).extend({ holder: z.string() }), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = decodeCursor(cursor, [CURSOR_DECIMAL])?.[0];
      const rows = await listInventory(pool, { holder: request.params.address, after, limit });
      return { holder: request.params.address, ...toPage(rows, limit, inventoryView, (row) => [row.batch_id]) };
    },
  );

  app.get(
    "/holders/:address/history",
    {
      schema: {
        tags: ["holders"],
        summary: "Custody history of a holder: every indexed chain log with the address as an argument",
        params: holderParams,
        querystring: pageQuery,
        response: { 200: page(chainEventBody), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = decodeCursor(cursor, [CURSOR_DECIMAL, CURSOR_DECIMAL]);
      const rows = await holderHistory(pool, request.params.address, { after, limit });
      return toPage(rows, limit, chainEventView, chainEventKey);
    },
  );
};

export default holderRoutes;
