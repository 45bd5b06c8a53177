/**
 * The registry event log in Postgres (migration 0009): webhooks and the poller store changes here through the same
 * function, idempotently per (registry, event id), and the poller keeps its cursor beside them. A change is only
 * a pointer to what moved (records and a memo); `applier.ts` re-reads the registry for it.
 */
import type { Pool, PoolClient } from "pg";
import type { RegistryName } from "../registries/ids";
import type { RegistryChange } from "../registries/model";
import { replaceUnstorable, storableOrNull, withStorableStrings } from "../db/storable";

export type ChangeSource = "webhook" | "poll";

export type StoreChangesReturnType = {
  /** Changes stored now (first time seen), in the order given. */
  stored: RegistryChange[];
  /** Changes already stored (a duplicate delivery, or seen by the other source first). */
  duplicates: number;
};

/**
 * A registry's raw payload as JSON text for a jsonb column (bigints as decimal strings, every string storable by
 * `withStorableStrings`: a NUL in a memo must not stop the event log).
 */
export function payloadJson(value: unknown): string {
  const json = JSON.stringify(value ?? null, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
  return JSON.stringify(withStorableStrings(JSON.parse(json)));
}

/** Inserts the changes not seen yet in one statement; a change seen before is left as it is. */
export async function storeChanges(
  db: Pool | PoolClient,
  registry: RegistryName,
  changes: RegistryChange[],
  source: ChangeSource,
): Promise<StoreChangesReturnType> {
  if (changes.length === 0) return { stored: [], duplicates: 0 };
  const { rows } = await db.query<{ event_id: string }>(
    `INSERT INTO registry_events (registry_id, event_id, sequence, type, occurred_at, operation_id, memo, record_ids,
                                  source, payload)
     SELECT $1, c.event_id, c.sequence, c.type, c.occurred_at, c.operation_id, c.memo,
            ARRAY(SELECT jsonb_array_elements_text(c.record_ids)), $2, c.payload
       FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[])
            AS c(event_id, sequence, type, occurred_at, operation_id, memo, record_ids, payload)
     ON CONFLICT (registry_id, event_id) DO NOTHING
     RETURNING event_id`,
    [
      registry,
      source,
      changes.map((change) => replaceUnstorable(change.eventId)),
      changes.map((change) => change.sequence.toString()),
      changes.map((change) => replaceUnstorable(change.type)),
      changes.map((change) => change.occurredAt),
      changes.map((change) => storableOrNull(change.operationId)),
      changes.map((change) => storableOrNull(change.memo)),
      changes.map((change) => payloadJson(change.recordIds)),
      changes.map((change) => payloadJson(change.sourcePayload)),
    ],
  );
  const fresh = new Set(rows.map((row) => row.event_id));
  // The same event twice in one call counts once as stored and once as a duplicate.
  const stored = changes.filter((change) => fresh.delete(replaceUnstorable(change.eventId)));
  return { stored, duplicates: changes.length - stored.length };
}

export async function readPollCursor(db: Pool | PoolClient, registry: RegistryName): Promise<string | undefined> {
  const { rows } = await db.query<{ cursor: string }>("SELECT cursor FROM registry_poll_cursors WHERE registry_id = $1", [
    registry,
  ]);
  return rows[0]?.cursor;
}

export async function writePollCursor(db: Pool | PoolClient, registry: RegistryName, cursor: string): Promise<void> {
  await db.query(
    `INSERT INTO registry_poll_cursors (registry_id, cursor) VALUES ($1, $2)
     ON CONFLICT (registry_id) DO UPDATE SET cursor = excluded.cursor, polled_at = now()`,
    [registry, cursor],
  );
}

export type UnappliedEvent = { eventId: string; recordIds: string[]; memo: string | null };

/** The oldest events of `registry` whose state has not been re-read yet. */
export async function unappliedEvents(db: Pool | PoolClient, registry: RegistryName, limit: number): Promise<UnappliedEvent[]> {
  const { rows } = await db.query<{ event_id: string; record_ids: string[]; memo: string | null }>(
    `SELECT event_id, record_ids, memo FROM registry_events
      WHERE registry_id = $1 AND applied_at IS NULL ORDER BY sequence, event_id LIMIT $2`,
    [registry, limit],
  );
  return rows.map((row) => ({ eventId: row.event_id, recordIds: row.record_ids, memo: row.memo }));
}

/** Marks events applied; `errors` names the events whose records could not be read (kept for operators). */
export async function markApplied(
  db: Pool | PoolClient,
  registry: RegistryName,
  eventIds: string[],
  errors: Map<string, string>,
): Promise<void> {
  await db.query(
    `UPDATE registry_events e SET applied_at = now(), apply_error = u.error
       FROM unnest($2::text[], $3::text[]) AS u(event_id, error)
      WHERE e.registry_id = $1 AND e.event_id = u.event_id`,
    [registry, eventIds, eventIds.map((id) => storableOrNull(errors.get(id)))],
  );
}

export async function countUnapplied(db: Pool | PoolClient, registry: RegistryName): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM registry_events WHERE registry_id = $1 AND applied_at IS NULL",
    [registry],
  );
  return Number(rows[0]?.n ?? 0);
}
