import type { ListEntry } from "./model";

/**
 * The one seam between screening and a list publisher. One source per list (OFAC SDN, UN consolidated; EU, UK
 * OFSI, India MHA UAPA and a PEP source plug in the same way, docs/screening.md §2); the loader (`fetch.ts`), the
 * refresher and the index use only this.
 *
 * A source declares the files it reads and parses their bytes exactly as the publisher publishes them. It does
 * no I/O of its own: `loadList` fetches the declared files from the embedded folder, a configured folder or a
 * configured base URL, hashes them (the list version) and hands the bytes to `parse`. So a source is a pure
 * function of bytes, tested on the real files, and the version of every decision names exactly the bytes screened.
 *
 * `parse` throws `ListParseError` (errors.ts) naming the file and line of anything it cannot read; a partial list
 * is never returned, so a damaged download leaves the previous version in force.
 */
export type ListFileSpec = {
  /** The file's name in the embedded folder and in SANCTIONS_LISTS_DIR (`ofac-sdn.csv`). */
  name: string;
  /** The publisher's name for it, appended to the source's base URL (`sdn.csv`). */
  remoteName: string;
  /** A source without one of its required files does not load; optional files are hashed when present. */
  required: boolean;
};

export type ParseListReturnType = {
  entries: ListEntry[];
  /** The publisher's own publication date, when the files carry one. */
  publishedAt?: string | undefined;
};

export interface ListSource {
  /** Stable id, part of every decision record and entry key (`ofac-sdn`). */
  readonly id: string;
  readonly title: string;
  readonly publisher: string;
  /** In the order they are hashed into the version. */
  readonly files: readonly ListFileSpec[];
  /** `files` holds the bytes of every present file by `ListFileSpec.name`. Pure: same bytes, same entries. */
  parse(files: ReadonlyMap<string, Buffer>): ParseListReturnType;
}
