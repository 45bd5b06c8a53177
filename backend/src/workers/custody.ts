/**
 * Which custody block a request is served from, and a per-process view of the custody account's holdings so a
 * job does not list every holding of the registry each time (a listing is one or more registry calls).
 *
 * Policy (one request = one registry block): among the blocks the custody account holds with the batch's serial
 * prefix, IMMOBILIZED or ACTIVE, with at least the requested units, take the SMALLEST (best fit: large blocks stay
 * whole for large requests, fewer splits at the registry); at equal size an IMMOBILIZED block (tokenized units)
 * before an ACTIVE one, then the lowest record id. Units this process is submitting on right now (other jobs in
 * flight) are not counted as available. No block
 * big enough: the job dead-letters naming the largest block (a request bigger than every single custody block of
 * its batch needs an operator; splitting one request over several registry operations is not supported).
 *
 * Why a cached view is safe: the view only chooses WHICH block to name. The registry checks holder, status and
 * quantity atomically when it accepts the instruction, and the memo lookup before every submission keeps the
 * instruction single. A stale view can therefore only make the registry refuse (block gone, smaller, busy); the
 * handler reads that block back and, when it no longer fits, lists afresh and tries again. A refusal of a block
 * that still fits is final.
 */
import type { RegistryName } from "../registries/ids";
import type { CreditBlock } from "../registries/model";

/** Statuses a custody block may be retired or withdrawn from. */
const USABLE = new Set(["IMMOBILIZED", "ACTIVE"]);

export type BlockChoice =
  | { block: CreditBlock }
  | { block: undefined; largest: CreditBlock | undefined };

/** The block to serve `amount` units of `serialPrefix` from, per the policy above. */
export function chooseBlock(
  blocks: readonly CreditBlock[],
  serialPrefix: string,
  amount: bigint,
  reserved: ReadonlyMap<string, bigint> = new Map(),
): BlockChoice {
  const usable = blocks.filter((block) => block.serialPrefix === serialPrefix && USABLE.has(block.status));
  const free = (block: CreditBlock) => block.quantity - (reserved.get(block.registryRecordId) ?? 0n);
  const fitting = usable
    .filter((block) => free(block) >= amount)
    .sort(
      (a, b) =>
        compare(free(a), free(b)) ||
        Number(a.status !== "IMMOBILIZED") - Number(b.status !== "IMMOBILIZED") ||
        a.registryRecordId.localeCompare(b.registryRecordId, "en", { numeric: true }),
    );
  const block = fitting[0];
  if (block !== undefined) return { block };
  const largest = usable.reduce<CreditBlock | undefined>(
    (max, b) => (max === undefined || b.quantity > max.quantity ? b : max),
    undefined,
  );
  return { block: undefined, largest };
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type CustodyHoldingsParameters = {
  /** Lists the custody account's live blocks at one registry (the handler passes a guarded adapter call). */
  list(registry: RegistryName): Promise<CreditBlock[]>;
  /** A listing is reused for this long, default 10 s. */
  maxAgeMs?: number;
};

export type CustodySnapshot = { blocks: readonly CreditBlock[]; fresh: boolean };

export type CustodyHoldings = {
  /** The cached listing while young enough (`fresh: false`), else a new one (`fresh: true`). */
  get(registry: RegistryName, options?: { refresh?: boolean }): Promise<CustodySnapshot>;
  /** Our operation took `quantity` units of the block (the low end): shrink it in the view. */
  consumed(registry: RegistryName, recordId: string, quantity: bigint): void;
  /** Units per record id this process is submitting operations on right now. */
  reserved(registry: RegistryName): ReadonlyMap<string, bigint>;
  /** Reserves `quantity` units of the block until the returned function is called. */
  reserve(registry: RegistryName, recordId: string, quantity: bigint): () => void;
};

export function createCustodyHoldings(parameters: CustodyHoldingsParameters): CustodyHoldings {
  const maxAgeMs = parameters.maxAgeMs ?? 10_000;
  const views = new Map<RegistryName, { at: number; blocks: CreditBlock[] }>();
  const loading = new Map<RegistryName, Promise<CreditBlock[]>>();
  const reservations = new Map<RegistryName, Map<string, bigint>>();

  /** One listing at a time per registry: jobs that need one while it runs share it. */
  function load(registry: RegistryName): Promise<CreditBlock[]> {
    const inFlight = loading.get(registry);
    if (inFlight !== undefined) return inFlight;
    const promise = parameters
      .list(registry)
      .then((blocks) => {
        views.set(registry, { at: Date.now(), blocks: blocks.map((block) => ({ ...block })) });
        return blocks;
      })
      .finally(() => loading.delete(registry));
    loading.set(registry, promise);
    return promise;
  }

  function reservationsOf(registry: RegistryName): Map<string, bigint> {
    let map = reservations.get(registry);
    if (map === undefined) reservations.set(registry, (map = new Map()));
    return map;
  }

  return {
    async get(registry, options = {}) {
      const view = views.get(registry);
      if (options.refresh !== true && view !== undefined && Date.now() - view.at < maxAgeMs) {
        return { blocks: view.blocks, fresh: false };
      }
      await load(registry);
      return { blocks: views.get(registry)?.blocks ?? [], fresh: true };
    },
    consumed(registry, recordId, quantity) {
      const view = views.get(registry);
      if (view === undefined) return;
      const index = view.blocks.findIndex((block) => block.registryRecordId === recordId);
      const block = view.blocks[index];
      if (block === undefined) return;
      if (block.quantity <= quantity) view.blocks.splice(index, 1);
      else {
        // The registry splits the low end off into a new record; the remainder keeps this record id.
        block.quantity -= quantity;
        if (block.blockStart !== undefined) block.blockStart += quantity;
      }
    },
    reserved: (registry) => reservationsOf(registry),
    reserve(registry, recordId, quantity) {
      const map = reservationsOf(registry);
      map.set(recordId, (map.get(recordId) ?? 0n) + quantity);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (map.get(recordId) ?? quantity) - quantity;
        if (left <= 0n) map.delete(recordId);
        else map.set(recordId, left);
      };
    },
  };
}
