/**
 * Projections of `chain_events` into the tables the API reads. One `applyEvent` serves both the live path
 * (an event just stored) and the reorg rebuild (events of a batch replayed from `chain_events`), so the two cannot
 * disagree. Every write here is derived from events alone; `resetBatch` puts a batch's derived state back to
 * "no events" so a replay recomputes it (see `store.ts` for why we rebuild rather than undo).
 */
import type { PoolClient } from "pg";
import { registryNameOf } from "../registries/ids";
import { BaseError } from "../errors";
import type { EventArgs, JsonValue } from "./types";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The event stored in `chain_events`, as projections see it. */
export type StoredEvent = {
  blockNumber: string;
  txHash: string;
  logIndex: number;
  eventName: string;
  args: EventArgs;
};

export class IndexerProjectionError extends BaseError {
  override name = "IndexerProjectionError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "INDEXER_PROJECTION", retryable: false, details });
  }
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

const CONDITION_NAMES: Record<number, string> = { 1: "FIAT_PAYMENT_RECEIVED", 2: "REGISTRY_DELIVERY" };

function conditionNames(bits: number): string[] {
  return Object.entries(CONDITION_NAMES)
    .filter(([bit]) => (bits & Number(bit)) !== 0)
    .map(([, name]) => name);
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
  const lookups: Array<[string, string]> = [
    ["dealId", "select batch_id from deals where deal_id = $1"],
    ["requestId", "select batch_id from requests where request_id = $1"],
    ["orderHash", "select batch_id from orders where order_hash = $1"],
  ];
  for (const [key, sql] of lookups) {
    if (typeof args[key] !== "string") continue;
    const { rows } = await db.query<{ batch_id: string }>(sql, [args[key]]);
    if (rows[0] !== undefined) return [rows[0].batch_id];
  }
  return [];
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
    await db.query("update batches set total_supply = total_supply + $2 where batch_id = $1", [batchId, value]);
  } else {
    const { rows } = await db.query<{ amount: string }>(
      `update balances set amount = amount - $3, updated_block = $4 where batch_id = $1 and holder = $2 returning amount`,
      [batchId, from, value, event.blockNumber],
    );
    if (rows[0] === undefined) {
      throw new IndexerProjectionError(`balance of ${from} in batch ${batchId} missing before a transfer out`, {
        txHash: event.txHash,
      });
    }
    if (rows[0].amount === "0") await db.query("delete from balances where batch_id = $1 and holder = $2", [batchId, from]);
  }
  if (to === ZERO_ADDRESS) {
    await db.query("update batches set total_supply = total_supply - $2 where batch_id = $1", [batchId, value]);
  } else {
    await db.query(
      `insert into balances (batch_id, holder, amount, updated_block) values ($1, $2, $3, $4)
       on conflict (batch_id, holder) do update set amount = balances.amount + excluded.amount, updated_block = excluded.updated_block`,
      [batchId, to, value, event.blockNumber],
    );
  }
}

async function requestAnswered(db: PoolClient, event: StoredEvent, status: "confirmed" | "rejected", extra: string, values: unknown[]) {
  await db.query(
    `update requests set chain_status = $2::text, status = $2::text::request_status, answered_block = $3, answered_tx_hash = $4,
       updated_at = now() ${extra} where request_id = $1`,
    [arg(event, "requestId"), status, event.blockNumber, event.txHash, ...values],
  );
}

async function requested(db: PoolClient, event: StoredEvent, kind: "retirement" | "withdrawal") {
  const details = kind === "retirement" ? JSON.stringify(event.args.details ?? null) : null;
  const destination = kind === "withdrawal" ? arg(event, "registryAccount") : null;
  await db.query(
    `insert into requests (request_id, kind, holder, batch_id, amount, status, retirement, destination_account, deadline,
       chain_status, idempotency_key, requested_block, requested_tx_hash)
     values ($1, $2, $3, $4, $5, 'requested', $6::jsonb, $7, to_timestamp($8), 'pending', $9, $10, $11)
     on conflict (request_id) do update set kind = excluded.kind, holder = excluded.holder, batch_id = excluded.batch_id,
       amount = excluded.amount, retirement = coalesce(excluded.retirement, requests.retirement),
       destination_account = coalesce(excluded.destination_account, requests.destination_account),
       deadline = excluded.deadline, idempotency_key = excluded.idempotency_key,
       requested_block = excluded.requested_block, requested_tx_hash = excluded.requested_tx_hash, updated_at = now()`,
    [
      arg(event, "requestId"),
      kind,
      arg(event, "holder"),
      arg(event, "batchId"),
      arg(event, "amount"),
      details,
      destination,
      arg(event, "deadline"),
      arg(event, "idempotencyKey"),
      event.blockNumber,
      event.txHash,
    ],
  );
}

async function depositConfirmed(db: PoolClient, event: StoredEvent) {
  const batchId = arg(event, "batchId");
  const values = [
    batchId,
    arg(event, "blockStart"),
    arg(event, "blockEnd"),
    arg(event, "holder"),
    arg(event, "depositId"),
    arg(event, "blockKey"),
    event.txHash,
    event.blockNumber,
  ];
  // A pending claim of the deposit flow for exactly this block becomes minted; without one the indexer records it.
  const updated = await db.query(
    `update deposits d set status = 'minted', batch_id = $1::numeric, holder = $4::text, deposit_id = $5::text,
       block_key = $6::text, mint_tx_hash = $7::text, minted_block = $8::bigint, updated_at = now()
     where d.id = (select d2.id from deposits d2 join batches b on b.registry_id = d2.registry_id
                     and b.serial_prefix = d2.serial_prefix
                   where b.batch_id = $1::numeric and d2.block_start = $2::bigint and d2.block_end = $3::bigint
                     and d2.status = 'pending' and d2.deposit_id is null
                   order by d2.id limit 1)`,
    values,
  );
  if (updated.rowCount !== 0) return;
  await db.query("savepoint deposit_insert");
  try {
    await db.query(
      `insert into deposits (registry_id, serial_prefix, block_start, block_end, batch_id, holder, status, deposit_id,
         block_key, mint_tx_hash, minted_block, indexer_inserted)
       select b.registry_id, b.serial_prefix, $2::bigint, $3::bigint, $1::numeric, $4::text, 'minted', $5::text,
         $6::text, $7::text, $8::bigint, true from batches b
       where b.batch_id = $1::numeric
       on conflict (deposit_id) do nothing`,
      values,
    );
    await db.query("release savepoint deposit_insert");
  } catch (error) {
    // An overlapping claim in Postgres for a block the chain minted is a discrepancy for reconciliation, not a
    // reason to stop indexing: the event stays in chain_events and reconciliation compares the two.
    if ((error as { code?: string }).code !== "23P01") throw error;
    await db.query("rollback to savepoint deposit_insert");
  }
}

const HANDLERS: Record<string, Handler> = {
  async BatchRegistered(db, event) {
    const registryId = Number(arg(event, "registryId"));
    const registry = registryKey(registryId);
    const vintage = Number(arg(event, "vintage"));
    await db.query("insert into registries (id, name) values ($1, $1) on conflict (id) do nothing", [registry]);
    await db.query(
      `insert into batches (batch_id, registry_id, serial_prefix, project_id, vintage_start, vintage_end, unit_type,
         metadata, registered_block)
       values ($1, $2, $3, $4, case when $5::int > 0 then make_date($5::int, 1, 1) end,
         case when $5::int > 0 then make_date($5::int, 12, 31) end, $6, $7::jsonb, $8)
       on conflict (batch_id) do update set registered_block = excluded.registered_block,
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
    await db.query("update batches set frozen = true where batch_id = $1", [arg(event, "batchId")]);
  },
  async BatchUnfrozen(db, event) {
    await db.query("update batches set frozen = false where batch_id = $1", [arg(event, "batchId")]);
  },
  DepositConfirmed: depositConfirmed,
  RetirementRequested: (db, event) => requested(db, event, "retirement"),
  WithdrawalRequested: (db, event) => requested(db, event, "withdrawal"),
  RetirementConfirmed: (db, event) =>
    requestAnswered(db, event, "confirmed", ", registry_ref_hash = $5, serial_range_hash = $6", [
      arg(event, "retirementIdHash"),
      arg(event, "serialRangeHash"),
    ]),
  WithdrawalConfirmed: (db, event) =>
    requestAnswered(db, event, "confirmed", ", registry_ref_hash = $5, serial_range_hash = $6", [
      arg(event, "registryTxHash"),
      arg(event, "serialRangeHash"),
    ]),
  RetirementRejected: (db, event) => requestAnswered(db, event, "rejected", ", reason_hash = $5", [arg(event, "reasonHash")]),
  WithdrawalRejected: (db, event) => requestAnswered(db, event, "rejected", ", reason_hash = $5", [arg(event, "reasonHash")]),
  async RequestOverdue(db, event) {
    await db.query(
      `update requests set overdue_flagged = true, updated_at = now(),
         status = case when status in ('requested', 'submitted') then 'overdue'::request_status else status end
       where request_id = $1`,
      [arg(event, "requestId")],
    );
  },
  async BlockKeyReleased(db, event) {
    await db.query("update deposits set status = 'withdrawn', updated_at = now() where block_key = $1 and status = 'minted'", [
      arg(event, "blockKey"),
    ]);
    await db.query("update requests set released_block_key = $2 where request_id = $1", [
      arg(event, "requestId"),
      arg(event, "blockKey"),
    ]);
  },
  async ReserveAttested(db, event) {
    await db.query("update batches set reserve_units = $2, reserve_as_of = to_timestamp($3) where batch_id = $1", [
      arg(event, "batchId"),
      arg(event, "units"),
      arg(event, "asOf"),
    ]);
  },
  async OrderFilled(db, event) {
    // Orders reach `orders` through the API (signature, expiry); a fill of an order the platform never saw stays in
    // chain_events and balances only.
    const orderHash = arg(event, "orderHash");
    const { rows } = await db.query<{ maker: string }>("select maker from orders where order_hash = $1", [orderHash]);
    const maker = rows[0]?.maker.toLowerCase();
    if (maker === undefined) return;
    const taker = maker === arg(event, "seller") ? arg(event, "buyer") : arg(event, "seller");
    const inserted = await db.query(
      `insert into fills (order_hash, taker, amount, payment_amount, block_number, tx_hash, log_index)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (tx_hash, log_index) do nothing`,
      [orderHash, taker, arg(event, "amount"), arg(event, "price"), event.blockNumber, event.txHash, event.logIndex],
    );
    if (inserted.rowCount === 0) return;
    await db.query(
      `update orders set filled_amount = filled_amount + $2,
         status = case when filled_amount + $2 >= amount then 'filled'::order_status else 'partially_filled'::order_status end
       where order_hash = $1`,
      [orderHash, arg(event, "amount")],
    );
  },
  async OrderCancelled(db, event) {
    await db.query("update orders set status = 'cancelled' where order_hash = $1", [arg(event, "orderHash")]);
  },
  async DealOpened(db, event) {
    const token = arg(event, "paymentToken");
    await db.query(
      `insert into deals (deal_id, seller, buyer, batch_id, amount, payment_token, payment_amount, conditions, deadline,
         status, opened_block)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, to_timestamp($9), 'open', $10)
       on conflict (deal_id) do update set status = 'open', opened_block = excluded.opened_block, updated_at = now()`,
      [
        arg(event, "dealId"),
        arg(event, "seller"),
        arg(event, "buyer"),
        arg(event, "batchId"),
        arg(event, "amount"),
        token === ZERO_ADDRESS ? null : token,
        arg(event, "price"),
        JSON.stringify(conditionNames(Number(arg(event, "conditions")))),
        arg(event, "deadline"),
        event.blockNumber,
      ],
    );
  },
  async DealConditionConfirmed(db, event) {
    const name = CONDITION_NAMES[Number(arg(event, "condition"))] ?? `CONDITION_${arg(event, "condition")}`;
    await db.query(
      `update deals set conditions_satisfied = conditions_satisfied || to_jsonb($2::text), updated_at = now()
       where deal_id = $1 and not conditions_satisfied ? $2`,
      [arg(event, "dealId"), name],
    );
  },
  async DealDeliveryStarted(db, event) {
    await db.query("update deals set delivery_request_id = $2, updated_at = now() where deal_id = $1", [
      arg(event, "dealId"),
      arg(event, "requestId"),
    ]);
  },
  async DealSettled(db, event) {
    await db.query(
      "update deals set status = 'settled', seller_proceeds = $2, fee = $3, updated_at = now() where deal_id = $1",
      [arg(event, "dealId"), arg(event, "sellerProceeds"), arg(event, "fee")],
    );
  },
  async DealLegReclaimed(db, event) {
    await db.query("update deals set status = 'reclaimed', updated_at = now() where deal_id = $1", [arg(event, "dealId")]);
  },
  async DealCancelled(db, event) {
    await db.query("update deals set status = 'cancelled', updated_at = now() where deal_id = $1", [arg(event, "dealId")]);
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
    `update batches set total_supply = 0, frozen = false, registered_block = null, reserve_units = null,
       reserve_as_of = null where batch_id = $1`,
    [batchId],
  );
  await db.query("delete from balances where batch_id = $1", [batchId]);
  await db.query("delete from fills f using orders o where f.order_hash = o.order_hash and o.batch_id = $1", [batchId]);
  await db.query(
    `update orders set filled_amount = 0,
       status = case when status in ('partially_filled', 'filled', 'cancelled') then 'open'::order_status else status end
     where batch_id = $1`,
    [batchId],
  );
  await db.query("delete from deals where batch_id = $1", [batchId]);
  await db.query(
    `update requests set chain_status = 'pending', overdue_flagged = false, requested_block = null,
       requested_tx_hash = null, answered_block = null, answered_tx_hash = null, registry_ref_hash = null,
       serial_range_hash = null, reason_hash = null, released_block_key = null,
       status = case when status in ('confirmed', 'rejected', 'overdue') then 'requested'::request_status else status end
     where batch_id = $1`,
    [batchId],
  );
}

/** Undoes the deposit projection of events a reorg dropped (see `resetBatch`). */
export async function undoDroppedDeposits(db: PoolClient, dropped: StoredEvent[]): Promise<void> {
  for (const event of [...dropped].reverse()) {
    if (event.eventName === "BlockKeyReleased") {
      await db.query("update deposits set status = 'minted', updated_at = now() where block_key = $1 and status = 'withdrawn'", [
        arg(event, "blockKey"),
      ]);
    } else if (event.eventName === "DepositConfirmed") {
      const depositId = arg(event, "depositId");
      await db.query("delete from deposits where deposit_id = $1 and indexer_inserted", [depositId]);
      await db.query(
        `update deposits set status = 'pending', deposit_id = null, block_key = null, mint_tx_hash = null,
           minted_block = null, updated_at = now() where deposit_id = $1`,
        [depositId],
      );
    }
  }
}
