/**
 * The counts every scenario must end with at zero (ISSUE 7, BENCHMARKS.md "Correctness under load"), computed from
 * three independent sources: the registry simulator's own books (`/_admin/state`), the chain (through the running
 * platform's indexed state and the contracts) and the platform database.
 *
 * - duplicateRegistryOps: memos carried by more than one effective (pending or confirmed) registry operation;
 * - ghostCredits: units the registry retired for a platform request whose burn the chain does not show, plus units
 *   the chain burned for a request the registry did not retire;
 * - custodyGaps: per batch, on-chain supply minus the units the registry holds in custody (active or immobilized)
 *   for that batch's serial prefix, at rest (no request in flight);
 * - lostUnits: per batch, on-chain supply minus the sum of every indexed balance (holders, bridge, escrow).
 */
import { Client } from "pg";
import { parseSerial } from "../../../backend/src/registries/serials";
import type { PlatformProcess } from "../../support/platformProcess";
import { getJson } from "../../support/platformProcess";

type SimBlock = {
  id: string;
  serial: string;
  account: string;
  status: string;
  blockStart: string;
  blockEnd: string;
  retirement?: { memo?: string };
};
type SimOperation = { id: string; kind: string; memo: string; status: string; quantity: string };
type SimState = { blocks: SimBlock[]; operations: SimOperation[] };

export type InvariantReport = {
  duplicateRegistryOps: number;
  ghostCredits: number;
  custodyGaps: Array<{ batchId: string; supply: string; custody: string }>;
  lostUnits: Array<{ batchId: string; supply: string; balances: string }>;
  inFlightRequests: number;
};

/** What `checkInvariants` reports for a platform at rest with nothing wrong. */
export const AT_REST: InvariantReport = {
  duplicateRegistryOps: 0,
  ghostCredits: 0,
  custodyGaps: [],
  lostUnits: [],
  inFlightRequests: 0,
};

/** The simulator's books, as its admin route shows them (bigints arrive as strings). */
export async function simulatorState(
  platform: PlatformProcess,
  registry: "VERRA" | "GOLD_STANDARD" | "IREC" | "IN_CCTS" = "VERRA",
): Promise<SimState> {
  return (await getJson(`${platform.simulatorUrl(registry)}/_admin/state`)) as SimState;
}

/** Checks the VERRA books against the chain and the database. Call it once the platform is at rest. */
export async function checkInvariants(platform: PlatformProcess, custodyAccount = "PLATFORM-CUSTODY"): Promise<InvariantReport> {
  const state = await simulatorState(platform);
  const db = new Client({ connectionString: platform.databaseUrl() });
  await db.connect();
  try {
    const effective = state.operations.filter((operation) => operation.status !== "REJECTED");
    const perMemo = new Map<string, number>();
    for (const operation of effective) perMemo.set(operation.memo, (perMemo.get(operation.memo) ?? 0) + 1);
    const duplicateRegistryOps = [...perMemo.values()].filter((count) => count > 1).length;

    const { rows: requests } = await db.query<{ request_id: string; kind: string; amount: string; chain_status: string }>(
      "SELECT request_id, kind::text, amount::text, chain_status FROM requests",
    );
    let ghostCredits = 0n;
    for (const request of requests) {
      const retiredAtRegistry = effective.some(
        (operation) => operation.memo === request.request_id && operation.status === "CONFIRMED",
      );
      const burned = request.chain_status === "confirmed";
      if (retiredAtRegistry !== burned) ghostCredits += BigInt(request.amount);
    }

    const { rows: batches } = await db.query<{ batch_id: string; serial_prefix: string; supply: string; balances: string }>(
      `SELECT b.batch_id::text, b.serial_prefix, b.total_supply::text AS supply,
              coalesce((SELECT sum(amount) FROM balances WHERE batch_id = b.batch_id), 0)::text AS balances
         FROM batches b WHERE b.registry_id = 'VERRA'`,
    );
    const custodyOf = (prefix: string) =>
      state.blocks
        .filter((block) => block.account === custodyAccount && (block.status === "ACTIVE" || block.status === "IMMOBILIZED"))
        .filter((block) => parseSerial({ serial: block.serial, registry: "VERRA" }).serialPrefix === prefix)
        .reduce((sum, block) => sum + BigInt(block.blockEnd) - BigInt(block.blockStart) + 1n, 0n);
    const custodyGaps = batches
      .map((batch) => ({ batchId: batch.batch_id, supply: batch.supply, custody: custodyOf(batch.serial_prefix).toString() }))
      .filter((row) => row.supply !== row.custody);
    const lostUnits = batches
      .filter((batch) => batch.supply !== batch.balances)
      .map((batch) => ({ batchId: batch.batch_id, supply: batch.supply, balances: batch.balances }));
    const inFlightRequests = requests.filter((request) => request.chain_status === "pending").length;
    return { duplicateRegistryOps, ghostCredits: Number(ghostCredits), custodyGaps, lostUnits, inFlightRequests };
  } finally {
    await db.end();
  }
}
