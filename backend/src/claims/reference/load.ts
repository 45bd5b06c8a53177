import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { canonicalHash } from "../canonical-json";
import { ClaimsReferenceError } from "../errors";
import { type LabelsFile, labelsFileSchema } from "../labels/schema";
import { type Parameters, parametersFileSchema } from "../rules/params";
import { type ProjectFacts, type Signal, signalsFileSchema } from "../signals/model";
import { ratingView } from "../signals/ratings";
import { type StatusesFile, statusesFileSchema } from "../signals/status";
import { type WordingFile, wordingFileSchema } from "../statement/wording";
import { formatPath } from "../validate";
import { type Citation, type Source, fileHeader, sourceSchema } from "./common";

/**
 * The claims reference data: one catalogue of sources and five kinds of file citing it, all JSON validated with
 * zod (backend/data/claims/, docs/claims.md). Loading checks each file's shape, then what crosses files: every
 * cited source exists, every signal's project is described, ratings sit on a known scale, ids are unique. Any
 * problem stops the load with the file and JSON path named; nothing is half-loaded.
 */

export const DEFAULT_REFERENCE_DIR = path.resolve(__dirname, "..", "..", "..", "data", "claims");

export const sourcesFileSchema = z.object({
  ...fileHeader("carbon-custody/claims-sources"),
  sources: z.record(z.string().regex(/^[A-Z][A-Z0-9-]*$/, "source ids are upper case, like S37"), sourceSchema),
});

/** The files as read (parsed JSON, not yet validated): what an operator upload replaces one of. */
export type ClaimsReferenceFiles = {
  sources: unknown;
  labels: unknown;
  statuses: unknown;
  wording: unknown;
  parameters: unknown;
  signals: Array<{ name: string; body: unknown }>;
};

export const REFERENCE_FILE_NAMES = {
  sources: "sources.json",
  labels: "labels.json",
  statuses: "registry-statuses.json",
  wording: "wording-rules.json",
  parameters: "parameters.json",
} as const;

export type ClaimsReference = {
  /** SHA-256 over the canonical JSON of every file: names the exact data a verdict or statement used. */
  version: string;
  /** True when any signals file is the embedded demo (simulated projects). */
  demo: boolean;
  files: Array<{ name: string; format: string; dataVersion: string; sha256: string }>;
  sources: Readonly<Record<string, Source>>;
  labels: LabelsFile;
  statuses: StatusesFile;
  wording: WordingFile;
  parameters: Parameters;
  projects: ProjectFacts[];
  signals: Signal[];
  raw: ClaimsReferenceFiles;
};

function parseFile<T extends z.ZodType>(name: string, schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new ClaimsReferenceError(
    name,
    result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  );
}

/** Every `sources` array of string ids anywhere in `value`, with its path. */
function citedIds(value: unknown, at: string, out: Array<{ path: string; id: string }>): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => citedIds(item, `${at}[${index}]`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      const childPath = at === "" ? key : `${at}.${key}`;
      if (key === "sources" && Array.isArray(child) && child.every((id) => typeof id === "string")) {
        child.forEach((id, index) => out.push({ path: `${childPath}[${index}]`, id: id as string }));
      } else citedIds(child, childPath, out);
    }
  }
}

function checkCitations(name: string, body: unknown, catalogue: Record<string, unknown>): void {
  const ids: Array<{ path: string; id: string }> = [];
  citedIds(body, "", ids);
  const missing = ids.filter(({ id }) => !(id in catalogue));
  if (missing.length > 0) {
    throw new ClaimsReferenceError(name, missing.map(({ path: at, id }) => ({ path: at, message: `cites ${id}, which sources.json does not list` })));
  }
}

function duplicates<T>(items: readonly T[], key: (item: T) => string): string[] {
  const seen = new Set<string>();
  return items.map(key).filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
}

function checkUnique(name: string, what: string, keys: string[]): void {
  if (keys.length > 0) throw new ClaimsReferenceError(name, keys.map((k) => ({ path: what, message: `${k} appears more than once` })));
}

function checkSignals(name: string, signals: readonly Signal[], projects: readonly ProjectFacts[]): void {
  const known = new Set(projects.map((p) => `${p.registry}|${p.projectId}`));
  const problems: Array<{ path: string; message: string }> = [];
  signals.forEach((signal, index) => {
    if (!known.has(`${signal.subject.registry}|${signal.subject.projectId}`)) {
      problems.push({ path: `signals[${index}].subject`, message: `no project entry for ${signal.subject.registry} ${signal.subject.projectId}` });
    }
    if (signal.kind === "rating") {
      try {
        ratingView(signal);
      } catch (error) {
        problems.push({ path: `signals[${index}]`, message: (error as Error).message });
      }
    }
  });
  if (problems.length > 0) throw new ClaimsReferenceError(name, problems);
}

/** Validates raw files into one reference. Throws ClaimsReferenceError naming the file and path. */
export function parseClaimsReference(raw: ClaimsReferenceFiles): ClaimsReference {
  const names = REFERENCE_FILE_NAMES;
  const sourcesFile = parseFile(names.sources, sourcesFileSchema, raw.sources);
  const labels = parseFile(names.labels, labelsFileSchema, raw.labels);
  const statuses = parseFile(names.statuses, statusesFileSchema, raw.statuses);
  const wording = parseFile(names.wording, wordingFileSchema, raw.wording);
  const parametersFile = parseFile(names.parameters, parametersFileSchema, raw.parameters);
  const signalFiles = raw.signals.map((file) => ({ name: file.name, parsed: parseFile(file.name, signalsFileSchema, file.body) }));
  const catalogue = sourcesFile.sources;
  const checked: Array<[string, unknown]> = [
    [names.labels, labels],
    [names.statuses, statuses],
    [names.wording, wording],
    [names.parameters, parametersFile],
    ...signalFiles.map((f): [string, unknown] => [f.name, f.parsed]),
  ];
  for (const [name, body] of checked) checkCitations(name, body, catalogue);
  checkUnique(names.labels, "ccpDecisions", duplicates(labels.ccpDecisions, (d) => d.id));
  checkUnique(names.labels, "corsiaExclusions", duplicates(labels.corsiaExclusions, (e) => e.id));
  checkUnique(names.statuses, "statuses", duplicates(statuses.statuses, (s) => `${s.registry} ${s.status}`));
  checkUnique(names.wording, "rules", duplicates(wording.rules, (r) => `${r.id} v${r.version}`));
  const projects = signalFiles.flatMap((f) => f.parsed.projects);
  checkUnique("signals", "projects", duplicates(projects, (p) => `${p.registry} ${p.projectId}`));
  for (const file of signalFiles) checkSignals(file.name, file.parsed.signals, projects);

  const files = [
    ...Object.entries({ [names.sources]: raw.sources, [names.labels]: raw.labels, [names.statuses]: raw.statuses, [names.wording]: raw.wording, [names.parameters]: raw.parameters }),
    ...raw.signals.map((f): [string, unknown] => [f.name, f.body]),
  ].map(([name, body]) => {
    const header = body as { format: string; dataVersion: string };
    return { name, format: header.format, dataVersion: header.dataVersion, sha256: canonicalHash(body) };
  });
  return {
    version: canonicalHash(files.map(({ name, sha256 }) => ({ name, sha256 }))),
    demo: signalFiles.some((f) => f.parsed.demo),
    files,
    sources: catalogue,
    labels,
    statuses,
    wording,
    parameters: parametersFile.parameters,
    projects,
    signals: signalFiles.flatMap((f) => f.parsed.signals),
    raw,
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ClaimsReferenceError(path.basename(file), [{ path: "", message: `cannot read as JSON: ${(error as Error).message}` }]);
  }
}

export type LoadClaimsReferenceParameters = {
  /** Folder with the five files and one or more `signals*.json`; the shipped demo set by default. */
  dir?: string;
};

export function loadClaimsReference(parameters: LoadClaimsReferenceParameters = {}): ClaimsReference {
  const dir = parameters.dir ?? DEFAULT_REFERENCE_DIR;
  const read = (name: string) => readJson(path.join(dir, name));
  const signalNames = readdirSync(dir).filter((name) => /^signals.*\.json$/.test(name)).sort();
  return parseClaimsReference({
    sources: read(REFERENCE_FILE_NAMES.sources),
    labels: read(REFERENCE_FILE_NAMES.labels),
    statuses: read(REFERENCE_FILE_NAMES.statuses),
    wording: read(REFERENCE_FILE_NAMES.wording),
    parameters: read(REFERENCE_FILE_NAMES.parameters),
    signals: signalNames.map((name) => ({ name, body: read(name) })),
  });
}

/** Sources by id as shown to people. Unknown ids are a programming error (the load checked data; code cites too). */
export function cite(reference: Pick<ClaimsReference, "sources">, ids: readonly string[]): Citation[] {
  return [...new Set(ids)].map((id) => {
    const source = reference.sources[id];
    if (source === undefined) throw new Error(`source ${id} is not in the catalogue`);
    return { id, title: source.title, url: source.url, kind: source.kind };
  });
}

export function projectFacts(reference: Pick<ClaimsReference, "projects">, registry: string, projectId: string): ProjectFacts | undefined {
  return reference.projects.find((p) => p.registry === registry && p.projectId === projectId);
}
