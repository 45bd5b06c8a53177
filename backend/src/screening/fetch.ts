import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { ListFetchError } from "./errors";
import type { ListFileVersion, LoadedList } from "./model";
import type { ListSource } from "./port";

/**
 * Fetching a source's files and hashing them into the list version. Three places a list can come from:
 *
 * - `embedded`: the snapshots shipped in `backend/data/sanctions/` (README there names publishers and dates), so a
 *   fresh clone screens with no network;
 * - `dir`: a folder holding newer files under the same names (SANCTIONS_LISTS_DIR), e.g. filled by a download job;
 * - `url`: the publisher's base URL (SANCTIONS_LIST_URLS), the publisher's file names appended.
 */
export const EMBEDDED_LISTS_DIR = path.resolve(__dirname, "..", "..", "data", "sanctions");

export type ListLocation =
  | { kind: "embedded" }
  | { kind: "dir"; path: string }
  | { kind: "url"; baseUrl: string; timeoutMs?: number | undefined };

/** Human-readable form of a location, kept in `LoadedList.loadedFrom`. */
export function describeLocation(location: ListLocation): string {
  if (location.kind === "embedded") return "embedded";
  return location.kind === "dir" ? path.resolve(location.path) : location.baseUrl;
}

/**
 * The list version: SHA-256 over each present file in declared order, each framed as `name NUL length NUL bytes`,
 * so the same bytes always give the same version and moving bytes between files changes it.
 */
export function versionHash(source: ListSource, files: ReadonlyMap<string, Buffer>): string {
  const hash = createHash("sha256");
  for (const spec of source.files) {
    const bytes = files.get(spec.name);
    if (bytes === undefined) continue;
    hash.update(`${spec.name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest("hex");
}

async function readFromDir(source: ListSource, dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const spec of source.files) {
    try {
      files.set(spec.name, await fs.readFile(path.join(dir, spec.name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw new ListFetchError(source.id, `cannot read ${spec.name} in ${dir}`, false, error);
    }
  }
  return files;
}

async function readFromUrl(source: ListSource, baseUrl: string, timeoutMs: number): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const spec of source.files) {
    const url = new URL(spec.remoteName, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).toString();
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new ListFetchError(source.id, `GET ${url} failed: ${(error as Error).message}`, true, error);
    }
    if (response.status === 404 && !spec.required) continue;
    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new ListFetchError(source.id, `GET ${url} answered ${response.status}`, retryable);
    }
    files.set(spec.name, Buffer.from(await response.arrayBuffer()));
  }
  return files;
}

/** The bytes of every present file of `source` at `location`, by file name. Throws ListFetchError. */
export async function fetchListFiles(source: ListSource, location: ListLocation): Promise<Map<string, Buffer>> {
  const files =
    location.kind === "url"
      ? await readFromUrl(source, location.baseUrl, location.timeoutMs ?? 60_000)
      : await readFromDir(source, location.kind === "dir" ? location.path : EMBEDDED_LISTS_DIR);
  const missing = source.files.filter((spec) => spec.required && !files.has(spec.name)).map((spec) => spec.name);
  if (missing.length > 0)
    throw new ListFetchError(source.id, `missing ${missing.join(", ")} at ${describeLocation(location)}`, false);
  return files;
}

/** Parses already fetched bytes into a `LoadedList` (version, file hashes, entries). Throws ListParseError. */
export function parseListFiles(source: ListSource, files: ReadonlyMap<string, Buffer>, loadedFrom: string): LoadedList {
  const parsed = source.parse(files);
  const versions: ListFileVersion[] = source.files
    .filter((spec) => files.has(spec.name))
    .map((spec) => {
      const bytes = files.get(spec.name) as Buffer;
      return { name: spec.name, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
    });
  return {
    id: source.id,
    title: source.title,
    publisher: source.publisher,
    version: versionHash(source, files),
    files: versions,
    loadedFrom,
    publishedAt: parsed.publishedAt,
    entries: parsed.entries,
  };
}

/** Fetches and parses one source. */
export async function loadList(source: ListSource, location: ListLocation): Promise<LoadedList> {
  return parseListFiles(source, await fetchListFiles(source, location), describeLocation(location));
}
