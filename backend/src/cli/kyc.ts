/**
 * `carbon kyc`: sanctions screening for operators and tests (docs/screening.md §10).
 *
 * - `carbon kyc screen --name "<name>" --type person|entity|vessel|aircraft [--dob YYYY-MM-DD] [--country XX]
 *   [--id [kind:]value]... [--json]`
 * - `carbon kyc screen --wallet <address> [--json]`
 * - `carbon kyc lists [--json]`: the lists screened against, their entry counts, versions and sources.
 *
 * The lists come from the embedded snapshots unless SANCTIONS_LISTS_DIR / SANCTIONS_LIST_URLS say otherwise, so the
 * commands work on a fresh clone. `--json` prints exactly one JSON object on stdout (the decision record, or
 * `{"error": ...}`).
 *
 * Exit codes: 0 a decision was made (clear, review or hold: read `decision`); 2 bad input (the message names the
 * field); 1 the lists or the configuration could not be loaded.
 */
import { Command } from "commander";
import { ValidationError } from "../errors";
import {
  type EntityKind,
  IDENTIFIER_KINDS,
  type IdentifierKind,
  type LoadedList,
  type QueryIdentifier,
  type ScreeningDecision,
  buildScreeningIndex,
  defaultSources,
  loadLists,
  loadScreeningConfig,
  validateNameQuery,
  validateWallet,
} from "../screening";

export const EXIT_DECIDED = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export type KycIo = { stdout: (text: string) => void; stderr: (text: string) => void; env: NodeJS.ProcessEnv };

const processIo: KycIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export type ScreenOptions = {
  name?: string;
  type?: string;
  dob?: string;
  country?: string;
  id?: string[];
  wallet?: string;
  json?: boolean;
};

/** `passport:AB123456` → typed; `AB123456` → any kind. */
export function parseIdentifierOption(text: string): QueryIdentifier {
  const colon = text.indexOf(":");
  const kind = colon > 0 ? text.slice(0, colon) : undefined;
  if (kind !== undefined && (IDENTIFIER_KINDS as readonly string[]).includes(kind))
    return { kind: kind as IdentifierKind, value: text.slice(colon + 1) };
  return { value: text };
}

function checkCombination(options: ScreenOptions): void {
  if (options.wallet !== undefined && options.name !== undefined)
    throw new ValidationError("--wallet", "screen a name or a wallet, not both");
  if (options.wallet === undefined && options.name === undefined)
    throw new ValidationError("--name", "give --name (with --type) or --wallet");
  if (options.wallet !== undefined && (options.type ?? options.dob ?? options.country) !== undefined) {
    throw new ValidationError("--wallet", "--type, --dob and --country apply to --name only");
  }
  if (options.name !== undefined && options.type === undefined)
    throw new ValidationError("--type", "required with --name: person, entity, vessel or aircraft");
}

function summary(decision: ScreeningDecision): string {
  const lines = [`decision ${decision.decision} (score ${decision.score})`];
  for (const candidate of decision.candidates) {
    lines.push(
      `  ${candidate.band.padEnd(6)} ${candidate.score.toFixed(4)}  ${candidate.list}:${candidate.id}  ${candidate.name}  ` +
        `[${candidate.programs.join(", ")}]`,
    );
    lines.push(`         matched ${candidate.breakdown.matchedNameType} name "${candidate.breakdown.matchedName}"`);
    for (const adjustment of candidate.breakdown.adjustments)
      lines.push(`         ${adjustment.rule} ${adjustment.effect}: ${adjustment.detail}`);
  }
  for (const list of decision.lists)
    lines.push(`  list ${list.id} ${list.version.slice(0, 16)}… (${list.entries} entries, ${list.loadedFrom})`);
  return `${lines.join("\n")}\n`;
}

async function loadConfiguredLists(io: KycIo): Promise<{ lists: LoadedList[]; bands: { review: number; hold: number } }> {
  const config = loadScreeningConfig(io.env);
  return { lists: await loadLists(defaultSources(), config.lists), bands: config.bands };
}

function fail(io: KycIo, json: boolean | undefined, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  const badInput = error instanceof ValidationError;
  if (json === true) {
    const code = (error as { code?: string }).code;
    io.stdout(`${JSON.stringify({ error: { message, field: badInput ? error.field : undefined, code } })}\n`);
  }
  io.stderr(`kyc: ${message}\n`);
  return badInput ? EXIT_BAD_INPUT : EXIT_FAILED;
}

/** The body of `carbon kyc screen`; returns the exit code (tests may call it directly). */
export async function runScreenCommand(options: ScreenOptions, io: KycIo = processIo): Promise<number> {
  try {
    checkCombination(options);
    // Input is checked before the lists are loaded, so bad input fails fast.
    const wallet = options.wallet === undefined ? undefined : validateWallet(options.wallet);
    const query =
      options.name === undefined
        ? undefined
        : validateNameQuery({
            name: options.name,
            type: options.type as EntityKind,
            dob: options.dob,
            country: options.country,
            identifiers: (options.id ?? []).map(parseIdentifierOption),
          });
    const { lists, bands } = await loadConfiguredLists(io);
    const index = buildScreeningIndex(lists, { bands });
    const decision = query === undefined ? index.screenWallet(wallet as string) : index.screenName(query);
    io.stdout(options.json === true ? `${JSON.stringify(decision)}\n` : summary(decision));
    return EXIT_DECIDED;
  } catch (error) {
    return fail(io, options.json, error);
  }
}

/** The body of `carbon kyc lists`. */
export async function runListsCommand(options: { json?: boolean }, io: KycIo = processIo): Promise<number> {
  try {
    const { lists } = await loadConfiguredLists(io);
    const rows = lists.map((list) => ({
      id: list.id,
      title: list.title,
      publisher: list.publisher,
      entries: list.entries.length,
      version: list.version,
      publishedAt: list.publishedAt,
      loadedFrom: list.loadedFrom,
      files: list.files,
    }));
    if (options.json === true) io.stdout(`${JSON.stringify({ lists: rows })}\n`);
    else
      for (const row of rows)
        io.stdout(`${row.id}  ${row.entries} entries  version ${row.version}  (${row.loadedFrom})\n  ${row.title}\n`);
    return EXIT_DECIDED;
  } catch (error) {
    return fail(io, options.json, error);
  }
}

export function kycCommand(): Command {
  const kyc = new Command("kyc").description("sanctions screening against the loaded lists (OFAC SDN, UN consolidated)");
  kyc
    .command("screen")
    .description(
      "screen a name or a wallet; prints the decision (clear, review, hold) with the matched entries and list versions",
    )
    .option("--name <name>", "the name to screen")
    .option("--type <type>", "person, entity, vessel or aircraft (required with --name)")
    .option("--dob <date>", "date of birth, YYYY-MM-DD or YYYY (persons)")
    .option("--country <code>", "ISO 3166-1 alpha-2: nationality of a person, country of registration of an entity")
    .option(
      "--id <identifier>",
      "an identifier, [kind:]value (kinds: passport, national-id, registration-number, ...); repeatable",
      (value: string, all: string[] = []) => [...all, value],
    )
    .option("--wallet <address>", "a digital-currency address to screen instead of a name")
    .option("--json", "print the decision record as one JSON object")
    .action(async (options: ScreenOptions) => {
      process.exitCode = await runScreenCommand(options);
    });
  kyc
    .command("lists")
    .description("the loaded lists: entry counts, versions (SHA-256 of the files) and where they were read from")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => {
      process.exitCode = await runListsCommand(options);
    });
  return kyc;
}
