import { isDeepStrictEqual } from "node:util";
import type { ListEntry, LoadedList } from "./model";

/**
 * What changed between two versions of one list (docs/screening.md §9), for continuous re-screening: only the
 * customers that could match an added or changed entry need screening again, and a whitelisted false positive is
 * re-checked when its entry changed. Entries are matched by their publisher id; an entry is `changed` when any of
 * its data differs (names, dates, identifiers, addresses, programs, remarks).
 */
export type ListDelta = {
  list: string;
  fromVersion: string;
  toVersion: string;
  added: ListEntry[];
  changed: Array<{ before: ListEntry; after: ListEntry }>;
  removed: ListEntry[];
};

export function diffLists(previous: LoadedList, next: LoadedList): ListDelta {
  if (previous.id !== next.id) throw new RangeError(`cannot diff list ${previous.id} against list ${next.id}`);
  const delta: ListDelta = {
    list: next.id,
    fromVersion: previous.version,
    toVersion: next.version,
    added: [],
    changed: [],
    removed: [],
  };
  if (previous.version === next.version) return delta;
  const before = new Map(previous.entries.map((entry) => [entry.id, entry]));
  for (const entry of next.entries) {
    const old = before.get(entry.id);
    if (old === undefined) delta.added.push(entry);
    else if (!isDeepStrictEqual(old, entry)) delta.changed.push({ before: old, after: entry });
    before.delete(entry.id);
  }
  delta.removed = [...before.values()];
  return delta;
}

/** True when the delta changes nothing a screening could see. */
export function isEmptyDelta(delta: ListDelta): boolean {
  return delta.added.length === 0 && delta.changed.length === 0 && delta.removed.length === 0;
}
