import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../logger";
import { createServicePasses, type ServicePasses } from "../serviceLoop";
import type { Shutdown } from "../shutdown";
import { type ListDelta, diffLists, isEmptyDelta } from "./delta";
import { fetchListFiles, type ListLocation, parseListFiles, versionHash, describeLocation } from "./fetch";
import type { LoadedList } from "./model";
import type { ListSource } from "./port";
import { buildScreeningIndex, type ScreeningIndex, type ScreeningIndexSettings } from "./screen";
import { createOfacSdnSource } from "./sources/ofac";
import { createUnConsolidatedSource } from "./sources/un";

/**
 * Which lists are screened, where each is read from, and the scheduled refresh (docs/screening.md §2).
 *
 * Where a source's files come from, first that applies: its URL in SANCTIONS_LIST_URLS (`ofac-sdn=https://...`);
 * SANCTIONS_LISTS_DIR when that folder holds any of the source's files (then it must hold all its required ones);
 * else the embedded snapshot. A new list is a new `ListSource` added to `defaultSources()`.
 */
export function defaultSources(): ListSource[] {
  return [createOfacSdnSource(), createUnConsolidatedSource()];
}

export type ListSettings = {
  /** SANCTIONS_LISTS_DIR. */
  dir?: string | undefined;
  /** SANCTIONS_LIST_URLS: source id → base URL. */
  urls?: ReadonlyMap<string, string> | undefined;
};

export async function locationFor(source: ListSource, settings: ListSettings): Promise<ListLocation> {
  const url = settings.urls?.get(source.id);
  if (url !== undefined) return { kind: "url", baseUrl: url };
  if (settings.dir !== undefined) {
    const dir = settings.dir;
    const present = await Promise.all(
      source.files.map((spec) =>
        fs.access(path.join(dir, spec.name)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (present.some(Boolean)) return { kind: "dir", path: dir };
  }
  return { kind: "embedded" };
}

/** Loads every source from its configured location. Throws the first source's error (nothing half-loaded). */
export async function loadLists(sources: ListSource[], settings: ListSettings): Promise<LoadedList[]> {
  const lists: LoadedList[] = [];
  for (const source of sources) {
    const location = await locationFor(source, settings);
    lists.push(parseListFiles(source, await fetchListFiles(source, location), describeLocation(location)));
  }
  return lists;
}

export type ListUpdate = { index: ScreeningIndex; lists: LoadedList[]; deltas: ListDelta[] };

export type ListRefresher = ServicePasses<ListUpdate | undefined> & {
  /** The index of the lists in force. */
  current(): ScreeningIndex;
  lists(): LoadedList[];
};

export type CreateListRefresherParameters = {
  sources: ListSource[];
  settings: ListSettings;
  /** The lists in force at start (loadLists' result). */
  initial: LoadedList[];
  intervalMs: number;
  index?: ScreeningIndexSettings | undefined;
  logger: Logger;
  /** Called after a new index is in force, with what changed per list (for re-screening the delta). */
  onUpdate?: ((update: ListUpdate) => Promise<void> | void) | undefined;
};

/**
 * Re-fetches every source each `intervalMs`. A source whose bytes hash to the version in force is not parsed
 * again; a changed one is parsed, diffed against the version in force, and a new index over all lists replaces
 * the old one in a single swap, so a screening always sees one consistent set of versions. A source that fails to
 * fetch or parse keeps its version in force (logged with whether a retry can help); the next pass tries again.
 */
export function createListRefresher(shutdown: Pick<Shutdown, "register">, params: CreateListRefresherParameters): ListRefresher {
  let lists = params.initial;
  let index = buildScreeningIndex(lists, params.index);

  async function fetchChanged(source: ListSource, inForce: LoadedList | undefined): Promise<LoadedList | undefined> {
    const location = await locationFor(source, params.settings);
    const files = await fetchListFiles(source, location);
    if (inForce !== undefined && versionHash(source, files) === inForce.version) return undefined;
    return parseListFiles(source, files, describeLocation(location));
  }

  async function pass(): Promise<ListUpdate | undefined> {
    const next: LoadedList[] = [];
    const deltas: ListDelta[] = [];
    for (const source of params.sources) {
      const inForce = lists.find((list) => list.id === source.id);
      try {
        const fresh = await fetchChanged(source, inForce);
        if (fresh === undefined) {
          if (inForce !== undefined) next.push(inForce);
          continue;
        }
        next.push(fresh);
        if (inForce !== undefined) deltas.push(diffLists(inForce, fresh));
        params.logger.info(
          { list: source.id, version: fresh.version, entries: fresh.entries.length, from: fresh.loadedFrom },
          "sanctions list updated",
        );
      } catch (error) {
        const retryable = (error as { retryable?: boolean }).retryable === true;
        params.logger.warn(
          { list: source.id, err: error, retryable },
          "sanctions list refresh failed; the version in force stays",
        );
        if (inForce !== undefined) next.push(inForce);
      }
    }
    const changed = next.some((list, i) => list !== lists[i]) || next.length !== lists.length;
    if (!changed) return undefined;
    lists = next;
    index = buildScreeningIndex(lists, params.index);
    const update: ListUpdate = { index, lists, deltas: deltas.filter((delta) => !isEmptyDelta(delta)) };
    await params.onUpdate?.(update);
    return update;
  }

  const passes = createServicePasses(shutdown, {
    name: "sanctions-lists",
    intervalMs: params.intervalMs,
    pass,
    onError: (error) => params.logger.error({ err: error }, "sanctions list refresh pass failed"),
  });
  return Object.assign(passes, { current: () => index, lists: () => lists });
}
