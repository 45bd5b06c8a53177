import { RegistryProtocolError, RegistryRejectedError, RegistryUnavailableError } from "../errors";
import type { RegistryName } from "../ids";
import { parseNative } from "../http";
import type { CreditBlock, RegistryOperation } from "../model";
import type { ListHoldingsReturnType, PollChangesReturnType } from "../port";
import { nativeEventSchema, nativeEventToChange } from "../webhook";

/**
 * Paging and filter checks shared by the adapters: REGISTRIES.md says never trust a filter or a page size
 * without checking, so every listing is counted against the registry's own total and every row is checked
 * against the filters that were sent.
 */
export type Page<T> = { rows: T[]; total: number };

export type CollectPagesParameters<T> = {
  registry: RegistryName;
  what: string;
  /** Fetches page number `index` (0-based; the adapter converts to the registry's own scheme). */
  fetchPage: (index: number) => Promise<Page<T>>;
  /** The most pages we will ask for (the registry's own cap, e.g. Verra's start ≤ 10,000). */
  maxPages?: number | undefined;
};

/** Fetches every page until the rows add up to the total; fails when they cannot. */
export async function collectPages<T>(params: CollectPagesParameters<T>): Promise<Page<T>> {
  const first = await params.fetchPage(0);
  const rows = [...first.rows];
  const total = first.total;
  const { registry, what } = params;
  for (let index = 1; rows.length < total; index += 1) {
    if (params.maxPages !== undefined && index >= params.maxPages) {
      throw new RegistryProtocolError(
        `${registry} ${what}: ${total} rows exceed what paging can reach (${rows.length} read); partition the query by a filter`,
        { registry, details: { total, read: rows.length } },
      );
    }
    const page = await params.fetchPage(index);
    if (page.total !== total) {
      throw new RegistryUnavailableError(
        `${registry} ${what}: total changed from ${total} to ${page.total} while paging; retry`,
        { registry },
      );
    }
    if (page.rows.length === 0) {
      throw new RegistryProtocolError(
        `${registry} ${what}: page ${index} is empty but only ${rows.length} of ${total} rows were read`,
        { registry },
      );
    }
    rows.push(...page.rows);
  }
  if (rows.length !== total) {
    throw new RegistryProtocolError(`${registry} ${what}: read ${rows.length} rows but the registry reports ${total}`, {
      registry,
    });
  }
  return { rows, total };
}

/** A filter as sent to the registry, and how to check a returned row against it. */
export type SentFilter<T> = { name: string; test: (row: T) => boolean };

/**
 * Keeps rows that satisfy every filter. A filter that some row violates was ignored by the registry: it is
 * reported, and applied here instead (our policy: narrow client-side, never fail, never pass wrong rows on).
 */
export function narrow<T>(rows: T[], filters: SentFilter<T>[]): { rows: T[]; ignoredFilters: string[] } {
  const ignoredFilters = filters.filter((filter) => rows.some((row) => !filter.test(row))).map((filter) => filter.name);
  return { rows: rows.filter((row) => filters.every((filter) => filter.test(row))), ignoredFilters };
}

/**
 * The operation `memo` names, among rows a memo query returned: rows without that memo are dropped (a registry
 * may ignore the filter), and when several carry it (a retry that should not have happened) the effective one wins.
 */
export function operationByMemo(operations: RegistryOperation[], memo: string): RegistryOperation | undefined {
  const carrying = operations.filter((operation) => operation.memo === memo);
  return carrying.find((operation) => operation.status !== "REJECTED") ?? carrying.at(-1);
}

/**
 * Holdings of `account` from a listing, narrowed by account and (when given) project; `projectFilter` is the native
 * filter name.
 */
export function narrowHoldings(
  page: Page<CreditBlock>,
  account: string,
  projectId: string | undefined,
  projectFilter: string,
): ListHoldingsReturnType {
  const narrowed = narrow(page.rows, [
    { name: "account", test: (block) => block.holderAccount === account },
    ...(projectId === undefined ? [] : [{ name: projectFilter, test: (block: CreditBlock) => block.projectId === projectId }]),
  ]);
  return { blocks: narrowed.rows, registryTotal: page.total, ignoredFilters: narrowed.ignoredFilters };
}

/** A single-record read where 404 means "no such record". */
export async function unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RegistryRejectedError && error.status === 404) return undefined;
    throw error;
  }
}

/** Maps the simulators' shared event body (webhook.ts `nativeEventSchema`) after `cursor` to canonical changes. */
export function eventsToChanges(registry: RegistryName, rows: unknown[], cursor: string): PollChangesReturnType {
  const events = rows
    .map((raw) => ({ raw, event: parseNative(registry, nativeEventSchema, raw, "event") }))
    .filter(({ event }) => event.sequence > Number(cursor))
    .sort((a, b) => a.event.sequence - b.event.sequence);
  const changes = events.map(({ raw, event }) => nativeEventToChange(registry, event, raw));
  return { changes, cursor: events.length === 0 ? cursor : String(events.at(-1)!.event.sequence) };
}
