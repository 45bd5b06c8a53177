/**
 * Projections of `chain_events` into the tables the API reads. One `applyEvent` serves both the live path
 * (an event just stored) and the reorg rebuild (events of a batch replayed from `chain_events`), so the two cannot
 * disagree. Every write here is derived from events alone; `resetBatch` puts a batch's derived state back to
 * "no events" so a replay recomputes it (see `store.ts` for why we rebuild rather than undo).
 *
 * The indexer owns `batches`, `balances` and `deals` and writes them here. Events about tables other modules own
 * go through their owners, in the same transaction: requests (`requests/store.ts`), deposit claims
 * (`deposits/claims.ts`), orders and fills (`orders/store.ts`), the registries row (`registries/store.ts`).
 */
import type { PoolClient } from "pg";
import { conditionNamesOf, conditionNameOf } from "../chain/bridge";
import * as deposits from "../deposits/claims";
import * as orders from "../orders/store";
import { registryNameOf } from "../registries/ids";
import { ensureRegistry } from "../registries/store";
import * as requests from "../requests/store";
import { IndexerProjectionError } from "./errors";
import type { EventArgs, JsonValue } from "./types";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The event stored in `chain_events`, as projections see it. */
export type StoredEvent = {
  blockNumber: string;
  txHash: string;
  logIndex: number;
  eventName: string;
  args: EventArgs;
  /** `chain_events.string_bytes`: exact bytes of the string arguments by path. */
  stringBytes?: Record<string, string> | undefined;
};

/**
 * Events whose projection gates no money: the chain itself enforces what they describe, and the tables they feed
 * are informational for the API (a reserve figure, an overdue flag, a deal's condition and delivery progress).
 * A poison event of these kinds is recorded and skipped (`store.ts`); any other kind moves balances, supply,
 * locked units, deposits, orders, fills or deal status, and later events build on it, so a poison one halts the
 * indexer before its block instead.
 */
export const SKIPPABLE_EVENTS: ReadonlySet<string> = new Set([
  "ReserveAttested",
  "RequestOverdue",
  "DealConditionConfirmed",
  "DealDeliveryStarted",
]);

/** Events with no projection at all (stored in `chain_events` only) cannot be poison and are skippable too. */
export function isSkippable(eventName: string): boolean {
  return SKIPPABLE_EVENTS.has(eventName) || HANDLERS[eventName] === undefined;
}

function arg(event: StoredEvent, key: string): string {
  const value: JsonValue | undefined = event.args[key];
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new IndexerProjectionError(`${event.eventName}: argument ${key} missing or not scalar`, { key });
}

function list(event: StoredEvent, key: string): string[] {
  const value = event.args[key];
  if (!Array.isArray(value)) throw new IndexerProjectionError(`${event.eventName}: argument ${key} is not a list`, { key });
  return value.map((item) => String(item));
}

/** Registry id (uint8) -> `registries.id`; unknown ids get a stable placeholder name. */
export function registryKey(registryId: number): string {
  return registryNameOf(registryId) ?? `REGISTRY_${registryId}`;
}

/**
 * The batches an event is about (stored in `chain_events.batch_ids`). Events that name a request, deal or order
 * but no batch inherit the batch of that row, which an earlier event of the same history created.
 */
export async function batchIdsOf(db: PoolClient, event: StoredEvent): Promise<string[]> {
  const args = event.args;
  if (typeof args.batchId === "string") return [args.batchId];
  if (event.eventName === "TransferSingle") return [arg(event, "id")];
  if (event.eventName === "TransferBatch") return [...new Set(list(event, "ids"))];
  if (event.eventName === "WalletRecovered") return [...new Set(list(event, "batchIds"))];
  const lookups: Array<[string, (id: string) => Promise<string | undefined>]> = [
    ["dealId", (id) => batchOfDeal(db, id)],
    ["requestId", (id) => requests.batchOfRequest(db, id)],
    ["orderHash", (id) => orders.batchOfOrder(db, id)],
  ];
  for (const [key, lookup] of lookups) {
    const id = args[key];
    if (typeof id !== "string") continue;
    const batchId = await lookup(id);
    if (batchId !== undefined) return [batchId];
  }
  return [];
}

async function batchOfDeal(db: PoolClient, dealId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ batch_id: string }>("SELECT batch_id FROM deals WHERE deal_id = $1", [dealId]);
  return rows[0]?.batch_id;
}

/**
 * Applies one event to the projections. `onlyBatch` (rebuild) restricts multi-batch events to that batch's part.
 */
export async function applyEvent(db: PoolClient, event: StoredEvent, onlyBatch?: string): Promise<void> {
  const handler = HANDLERS[event.eventName];
  if (handler !== undefined) await handler(db, event, onlyBatch);
}

type Handler = (db: PoolClient, event: StoredEvent, onlyBatch: string | undefined) => Promise<void>;

async function move(db: PoolClient, event: StoredEvent, batchId: string, from: string, to: string, value: string) {
  if (from === ZERO_ADDRESS) {
    await db.query("UPDATE batches SET total_supply = total_supply + $2 WHERE batch_id = $1", [batchId, value]);
  } else {
    const { rows } = await db.query<{ amount: string }>(
      `UPDATE balances SET amount = amount - $3, updated_block = $4 WHERE batch_id = $1 AND holder = $2 RETURNING amount`,
      [batchId, from, value, event.blockNumber],
    );
    if (rows[0] === undefined) {
      throw new IndexerProjectionError(`balance of ${from} in batch ${batchId} missing before a transfer out`, {
        txHash: event.txHash,
      });
    }
    if (rows[0].amount === "0") await db.query("DELETE FROM balances WHERE batch_id = $1 AND holder = $2", [batchId, from]);
  }
  if (to === ZERO_ADDRESS) {
    await db.query("UPDATE batches SET total_supply = total_supply - $2 WHERE batch_id = $1", [batchId, value]);
  } else {
    await db.query(
      `INSERT INTO balances (batch_id, holder, amount, updated_block) VALUES ($1, $2, $3, $4)
       ON CONFLICT (batch_id, holder) DO UPDATE SET amount = balances.amount + excluded.amount,
         updated_block = excluded.updated_block`,
      [batchId, to, value, event.blockNumber],
    );
  }
}

/** The exact bytes of the string fields under `prefix.` (`details.beneficiary` -> `beneficiary`). */
function bytesUnder(event: StoredEvent, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, hex] of Object.entries(event.stringBytes ?? {})) {
    if (path.startsWith(`${prefix}.`)) out[path.slice(prefix.length + 1)] = hex;
  }
  return out;
}

function requested(event: StoredEvent, kind: requests.RequestKind): requests.RequestedEvent {
  return {
    requestId: arg(event, "requestId"),
    kind,
    holder: arg(event, "holder"),
    batchId: arg(event, "batchId"),
    amount: arg(event, "amount"),
    retirement: kind === "retirement" ? (event.args.details ?? null) : null,
    retirementBytes: kind === "retirement" ? bytesUnder(event, "details") : null,
    destinationAccount: kind === "withdrawal" ? arg(event, "registryAccount") : null,
    deadline: arg(event, "deadline"),
    idempotencyKey: arg(event, "idempotencyKey"),
    blockNumber: event.blockNumber,
    txHash: event.txHash,
  };
}

function answered(event: StoredEvent, outcome: requests.RequestAnswer["outcome"], hashes: Partial<requests.RequestAnswer>) {
  return { requestId: arg(event, "requestId"), outcome, blockNumber: event.blockNumber, txHash: event.txHash, ...hashes };
}

function minted(event: StoredEvent): deposits.MintedDeposit {
  return {
    batchId: arg(event, "batchId"),
    blockStart: arg(event, "blockStart"),
    blockEnd: arg(event, "blockEnd"),
    holder: arg(event, "holder"),
    depositId: arg(event, "depositId"),
    blockKey: arg(event, "blockKey"),
    txHash: event.txHash,
    blockNumber: event.blockNumber,
  };
}

const HANDLERS: Record<string, Handler> = {
  async BatchRegistered(db, event) {
    const registryId = Number(arg(event, "registryId"));
    const registry = registryKey(registryId);
    const vintage = Number(arg(event, "vintage"));
    await ensureRegistry(db, registry);
    await db.query(
      `INSERT INTO batches (batch_id, registry_id, serial_prefix, project_id, vintage_start, vintage_end, unit_type,
         metadata, registered_block)
       VALUES ($1, $2, $3, $4, CASE WHEN $5::int > 0 THEN make_date($5::int, 1, 1) END,
         CASE WHEN $5::int > 0 THEN make_date($5::int, 12, 31) END, $6, $7::jsonb, $8)
       ON CONFLICT (batch_id) DO UPDATE SET registered_block = excluded.registered_block,
         project_id = coalesce(batches.project_id, excluded.project_id),
         vintage_start = coalesce(batches.vintage_start, excluded.vintage_start),
         vintage_end = coalesce(batches.vintage_end, excluded.vintage_end),
         unit_type = coalesce(batches.unit_type, excluded.unit_type),
         metadata = batches.metadata || excluded.metadata`,
      [
        arg(event, "batchId"),
        registry,
        arg(event, "serialPrefix"),
        arg(event, "projectId"),
        vintage,
        arg(event, "unitType"),
        JSON.stringify({ registryId, projectId: arg(event, "projectId"), vintage, unitType: Number(arg(event, "unitType")) }),
        event.blockNumber,
      ],
    );
  },
  async TransferSingle(db, event) {
    await move(db, event, arg(event, "id"), arg(event, "from"), arg(event, "to"), arg(event, "value"));
  },
  async TransferBatch(db, event, onlyBatch) {
    const ids = list(event, "ids");
    const values = list(event, "values");
    for (const [i, id] of ids.entries()) {
      if (onlyBatch !== undefined && id !== onlyBatch) continue;
      await move(db, event, id, arg(event, "from"), arg(event, "to"), values[i] ?? "0");
    }
  },
  async BatchFrozen(db, event) {
    await db.query("UPDATE batches SET frozen = true WHERE batch_id = $1", [arg(event, "batchId")]);
  },
  async BatchUnfrozen(db, event) {
    await db.query("UPDATE batches SET frozen = false WHERE batch_id = $1", [arg(event, "batchId")]);
  },
  DepositConfirmed: (db, event) => deposits.recordMinted(db, minted(event)),
  RetirementRequested: (db, event) => requests.recordRequested(db, requested(event, "retirement")),
  WithdrawalRequested: (db, event) => requests.recordRequested(db, requested(event, "withdrawal")),
  RetirementConfirmed: (db, event) =>
    requests.recordAnswer(
      db,
      answered(event, "confirmed", {
        registryRefHash: arg(event, "retirementIdHash"),
        serialRangeHash: arg(event, "serialRangeHash"),
      }),
    ),
  WithdrawalConfirmed: (db, event) =>
    requests.recordAnswer(
      db,
      answered(event, "confirmed", {
        registryRefHash: arg(event, "registryTxHash"),
        serialRangeHash: arg(event, "serialRangeHash"),
      }),
    ),
  RetirementRejected: (db, event) =>
    requests.recordAnswer(db, answered(event, "rejected", { reasonHash: arg(event, "reasonHash") })),
  WithdrawalRejected: (db, event) =>
    requests.recordAnswer(db, answered(event, "rejected", { reasonHash: arg(event, "reasonHash") })),
  RequestOverdue: (db, event) => requests.flagOverdue(db, arg(event, "requestId")),
  async BlockKeyReleased(db, event) {
    await deposits.recordWithdrawn(db, arg(event, "blockKey"));
    await requests.recordReleasedBlockKey(db, arg(event, "requestId"), arg(event, "blockKey"));
  },
  async ReserveAttested(db, event) {
    await db.query("UPDATE batches SET reserve_units = $2, reserve_as_of = to_timestamp($3) WHERE batch_id = $1", [
      arg(event, "batchId"),
      arg(event, "units"),
      arg(event, "asOf"),
    ]);
  },
  OrderFilled: (db, event) =>
    orders.recordFill(db, {
      orderHash: arg(event, "orderHash"),
      seller: arg(event, "seller"),
      buyer: arg(event, "buyer"),
      amount: arg(event, "amount"),
      price: arg(event, "price"),
      blockNumber: event.blockNumber,
      txHash: event.txHash,
      logIndex: event.logIndex,
    }),
  OrderCancelled: (db, event) => orders.recordCancelled(db, arg(event, "orderHash")),
  async DealOpened(db, event) {
    const token = arg(event, "paymentToken");
    await db.query(
      `INSERT INTO deals (deal_id, seller, buyer, batch_id, amount, payment_token, payment_amount, conditions, deadline,
         status, opened_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, to_timestamp($9), 'open', $10)
       ON CONFLICT (deal_id) DO UPDATE SET status = 'open', opened_block = excluded.opened_block, updated_at = now()`,
      [
        arg(event, "dealId"),
        arg(event, "seller"),
        arg(event, "buyer"),
        arg(event, "batchId"),
        arg(event, "amount"),
        token === ZERO_ADDRESS ? null : token,
        arg(event, "price"),
        JSON.stringify(conditionNamesOf(Number(arg(event, "conditions")))),
        arg(event, "deadline"),
        event.blockNumber,
      ],
    );
  },
  async DealConditionConfirmed(db, event) {
    const name = conditionNameOf(Number(arg(event, "condition")));
    await db.query(
      `UPDATE deals SET conditions_satisfied = conditions_satisfied || to_jsonb($2::text), updated_at = now()
       WHERE deal_id = $1 AND NOT conditions_satisfied ? $2`,
      [arg(event, "dealId"), name],
    );
  },
  async DealDeliveryStarted(db, event) {
    await db.query("UPDATE deals SET delivery_request_id = $2, updated_at = now() WHERE deal_id = $1", [
      arg(event, "dealId"),
      arg(event, "requestId"),
    ]);
  },
  async DealSettled(db, event) {
    await db.query("UPDATE deals SET status = 'settled', seller_proceeds = $2, fee = $3, updated_at = now() WHERE deal_id = $1", [
      arg(event, "dealId"),
      arg(event, "sellerProceeds"),
      arg(event, "fee"),
    ]);
  },
  async DealLegReclaimed(db, event) {
    await db.query("UPDATE deals SET status = 'reclaimed', updated_at = now() WHERE deal_id = $1", [arg(event, "dealId")]);
  },
  async DealCancelled(db, event) {
    await db.query("UPDATE deals SET status = 'cancelled', updated_at = now() WHERE deal_id = $1", [arg(event, "dealId")]);
  },
};

/**
 * Puts every indexer-derived value of `batchId` back to its state before any event, keeping rows and columns
 * that other components own (orders' signatures, requests' worker status). Deposits are not reset here but undone
 * event by event (`undoDroppedDeposits`): resetting minted and withdrawn claims of one serial block together would
 * make them overlap under `deposits_no_overlap`, and replaying a kept `DepositConfirmed` is a no-op.
 */
export async function resetBatch(db: PoolClient, batchId: string): Promise<void> {
  await db.query(
    `UPDATE batches SET total_supply = 0, frozen = false, registered_block = NULL, reserve_units = NULL,
       reserve_as_of = NULL WHERE batch_id = $1`,
    [batchId],
  );
  await db.query("DELETE FROM balances WHERE batch_id = $1", [batchId]);
  await orders.resetForReplay(db, batchId);
  await db.query("DELETE FROM deals WHERE batch_id = $1", [batchId]);
  await requests.resetForReplay(db, batchId);
}

/** Undoes the deposit projection of events a reorg dropped (see `resetBatch`). */
export async function undoDroppedDeposits(db: PoolClient, dropped: StoredEvent[]): Promise<void> {
  for (const event of [...dropped].reverse()) {
    if (event.eventName === "BlockKeyReleased") await deposits.undoWithdrawn(db, arg(event, "blockKey"));
    else if (event.eventName === "DepositConfirmed") await deposits.undoMinted(db, arg(event, "depositId"));
  }
}
