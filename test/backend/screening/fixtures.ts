import {
  buildScreeningIndex,
  defaultSources,
  loadLists,
  type ListEntry,
  type LoadedList,
  type ScreeningIndex,
} from "../../../backend/src/screening";

/** The embedded lists, loaded once for the whole screening suite (they are read-only). */
let loading: Promise<LoadedList[]> | undefined;
let index: ScreeningIndex | undefined;

export function embeddedLists(): Promise<LoadedList[]> {
  loading ??= loadLists(defaultSources(), {});
  return loading;
}

/** One index over both embedded lists with the default settings. */
export async function embeddedIndex(): Promise<ScreeningIndex> {
  index ??= buildScreeningIndex(await embeddedLists());
  return index;
}

export async function entry(list: string, id: string): Promise<ListEntry> {
  const found = (await embeddedLists()).find((each) => each.id === list)?.entries.find((each) => each.id === id);
  if (found === undefined) throw new Error(`${list}:${id} is not on the embedded lists`);
  return found;
}
