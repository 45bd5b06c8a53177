/**
 * `carbon audit evidence | verify-evidence | verify-log | anchor-log`: the evidence package (docs/evidence.md).
 *
 * Exit codes as the other audit commands: 0 built / verified; 1 a check failed; 2 cannot build or verify (bad
 * input, unknown or empty scope, node or database unreachable).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Command, Option } from "commander";
import { Pool } from "pg";
import pino from "pino";
import { type Address, type Hex, isAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createAuditClient } from "../audit/history";
import { platformClients } from "../chain/clients";
import { loadConfig } from "../config";
import { migrate } from "../db";
import { BaseError } from "../errors";
import { buildEvidence } from "../evidence/build";
import type { EvidenceScope } from "../evidence/collectors";
import { EvidenceInputError } from "../evidence/errors";
import { stageFile } from "../evidence/files";
import { anchorHead, appendExport, verifyLog } from "../evidence/log";
import { verifierModules } from "../evidence/verifier";
import { createLogger } from "../logger";

const EXIT_OK = 0;
const EXIT_MISMATCH = 1;
const EXIT_CANNOT = 2;

async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${error instanceof BaseError ? message : `evidence: ${message}`}\n`);
    process.exitCode = EXIT_CANNOT;
  }
}

/** The database of `--database-url` or DATABASE_URL, migrated (the evidence log's tables), or undefined. */
async function openDatabase(url: string | undefined): Promise<Pool | undefined> {
  const config = loadConfig({ ...process.env, ...(url === undefined ? {} : { DATABASE_URL: url }) });
  const resolved = config.database.url?.reveal();
  if (resolved === undefined) return undefined;
  const logger = createLogger({ level: "warn", destination: pino.destination(2) });
  await migrate({ url: resolved, logger });
  return new Pool({ connectionString: resolved, max: 2 });
}

export type EvidenceOptions = {
  retirement?: string;
  batch?: string;
  entity?: string;
  year?: string;
  case?: string;
  rpc: string;
  bridge: string;
  settlement?: string;
  out: string;
  tsa?: string;
  databaseUrl?: string;
  requestedBy?: string;
  unlogged?: boolean;
};

/** The scope options given, by name; a valid command gives exactly one. */
function scopesGiven(o: EvidenceOptions): string[] {
  return [
    o.retirement && "--retirement",
    o.batch && "--batch",
    (o.entity || o.year) && "--entity/--year",
    o.case && "--case",
  ].filter((name): name is string => typeof name === "string" && name !== "");
}

/** The scope the options name: exactly one of them. */
export function scopeOf(o: EvidenceOptions): EvidenceScope {
  const given = scopesGiven(o);
  if (given.length !== 1)
    throw new EvidenceInputError(
      `give exactly one scope: --retirement <requestId>, --batch <batchId>, --entity <id> --year <FY> or --case <id> (got ` +
        `${given.join(", ") || "none"})`,
    );
  if (o.retirement !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(o.retirement))
      throw new EvidenceInputError(`--retirement: expected a request id (0x + 64 hex digits), got ${o.retirement}`);
    return { kind: "retirement", requestId: o.retirement.toLowerCase() as Hex };
  }
  if (o.batch !== undefined) {
    if (!/^\d{1,78}$/.test(o.batch) && !/^0x[0-9a-fA-F]{1,64}$/.test(o.batch))
      throw new EvidenceInputError(`--batch: expected a decimal or 0x-hex uint256, got ${o.batch}`);
    return { kind: "batch", batchId: BigInt(o.batch).toString() };
  }
  if (o.case !== undefined) return { kind: "case", caseId: o.case };
  if (o.entity === undefined || o.year === undefined) throw new EvidenceInputError("--entity and --year go together");
  return { kind: "entity", entityId: o.entity, year: o.year };
}

async function evidenceAction(o: EvidenceOptions): Promise<number> {
  const scope = scopeOf(o);
  if (!isAddress(o.bridge, { strict: false })) throw new EvidenceInputError(`--bridge: not an address: ${o.bridge}`);
  if (o.settlement !== undefined && !isAddress(o.settlement, { strict: false }))
    throw new EvidenceInputError(`--settlement: not an address: ${o.settlement}`);
  const outDir = path.dirname(path.resolve(o.out));
  if (!fs.existsSync(outDir)) throw new EvidenceInputError(`--out: folder ${outDir} does not exist`);
  const config = loadConfig(process.env);
  const database = await openDatabase(o.databaseUrl);
  if (database === undefined && o.unlogged !== true) {
    throw new EvidenceInputError(
      "every export is recorded in the evidence log: give --database-url (or DATABASE_URL), or --unlogged to build without a " +
        "record",
    );
  }
  try {
    const built = await buildEvidence({
      scope,
      client: createAuditClient(o.rpc),
      rpcUrl: o.rpc,
      bridge: o.bridge as Address,
      settlement: o.settlement as Address | undefined,
      database,
      tsaUrl: o.tsa ?? config.evidence.tsaUrl,
      tsaTimeoutMs: config.evidence.tsaTimeoutMs,
      configuredCommit: config.evidence.softwareCommit,
      fileName: path.basename(o.out),
    });
    const staged = stageFile(o.out, built.zip);
    let seq: number | undefined;
    try {
      if (database !== undefined) {
        const entry = await appendExport(database, {
          requestedBy: o.requestedBy ?? os.userInfo().username,
          scope,
          manifestRoot: built.root,
          fileName: path.basename(o.out),
        });
        seq = entry.seq;
      }
      staged.commit();
    } catch (error) {
      staged.abort();
      throw error;
    }
    const stamp = built.timestamp.stamped
      ? `time-stamped ${built.timestamp.genTime} by ${built.timestamp.tsa}`
      : `NO TIME STAMP: ${built.timestamp.reason}`;
    process.stdout.write(
      `wrote ${o.out}: ${built.files} files, ${built.zip.length} bytes, root ${built.root}; ${stamp}; ` +
        `${seq === undefined ? "not logged (--unlogged)" : `evidence log entry ${seq}`}\n`,
    );
    return EXIT_OK;
  } finally {
    await database?.end();
  }
}

export function registerEvidenceCommands(audit: Command): void {
  audit
    .command("evidence")
    .description("Build a deterministic, self-verifying evidence package (ZIP) for a retirement or a batch")
    .option("--retirement <requestId>", "one registry-confirmed retirement")
    .option("--batch <batchId>", "a batch's whole custody history")
    .option("--entity <id>", "a CCTS obligated entity (with --year; not available yet)")
    .option("--year <FY>", "compliance year of --entity")
    .option("--case <id>", "a KYC onboarding case (not available yet)")
    .addOption(new Option("--rpc <url>", "JSON-RPC URL of a node of the chain").env("RPC_URL").makeOptionMandatory())
    .requiredOption("--bridge <address>", "RegistryBridge address")
    .option("--settlement <address>", "Settlement address (default: found from the batch's fills)")
    .requiredOption("--out <file.zip>", "where to write the package")
    .option("--tsa <url>", "RFC 3161 time-stamping authority (default EVIDENCE_TSA_URL)")
    .option("--database-url <url>", "the platform database: its records go into the package, the export into the evidence log")
    .option("--requested-by <who>", "who asked for the package (logged; default: the OS user)")
    .option("--unlogged", "build without a database and without an evidence log entry")
    .action((o: EvidenceOptions) => run(() => evidenceAction(o)));

  audit
    .command("verify-evidence")
    .description("Check an evidence package: hashes, Merkle root, chain proofs, signatures, time stamp (offline unless --rpc)")
    .argument("<file>", "the package (.zip)")
    .option("--rpc <url>", "also compare the blocks and the custody head with this node")
    .option("--require-timestamp", "fail when the package has no time stamp")
    .option("--json", "print the result as JSON")
    .action((file: string, o: { rpc?: string; requireTimestamp?: boolean; json?: boolean }) =>
      run(async () => {
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(file);
        } catch (error) {
          throw new EvidenceInputError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
        const { verify } = verifierModules();
        const result = await verify.verifyEvidence(bytes, { rpc: o.rpc, requireTimestamp: o.requireTimestamp });
        process.stdout.write(
          o.json === true
            ? `${JSON.stringify(result, null, 2)}\n`
            : verify.formatVerification(result, `Evidence package ${path.basename(file)}`),
        );
        return result.verdict === "FAILED" ? EXIT_MISMATCH : EXIT_OK;
      }),
    );

  audit
    .command("verify-log")
    .description("Check the evidence log's hash chain and its on-chain anchors; names the first changed or deleted entry")
    .option("--database-url <url>", "the platform database (default DATABASE_URL)")
    .option("--rpc <url>", "also check each anchor transaction on this node")
    .action((o: { databaseUrl?: string; rpc?: string }) =>
      run(async () => {
        const database = await openDatabase(o.databaseUrl);
        if (database === undefined) throw new EvidenceInputError("verify-log needs --database-url (or DATABASE_URL)");
        try {
          const result = await verifyLog(database, o.rpc === undefined ? undefined : createAuditClient(o.rpc));
          const lines = [
            `Evidence log: ${result.entries} entries, ${result.anchors} ` +
              `anchors${o.rpc === undefined ? " (anchors checked against the table only; --rpc checks them on chain)" : ""}`,
          ];
          for (const p of result.problems) lines.push(`  ✗ ${p}`);
          lines.push(result.ok ? "Verdict: VERIFIED" : `Verdict: FAILED (first bad: ${result.firstBad})`);
          process.stdout.write(`${lines.join("\n")}\n`);
          return result.ok ? EXIT_OK : EXIT_MISMATCH;
        } finally {
          await database.end();
        }
      }),
    );

  audit
    .command("anchor-log")
    .description("Anchor the evidence log's head on chain: a zero-value transaction from EVIDENCE_ANCHOR_KEY to itself")
    .option("--database-url <url>", "the platform database (default DATABASE_URL)")
    .addOption(new Option("--rpc <url>", "JSON-RPC URL of a node of the chain").env("RPC_URL").makeOptionMandatory())
    .action((o: { databaseUrl?: string; rpc: string }) =>
      run(async () => {
        const key = loadConfig(process.env).evidence.anchorKey;
        if (key === undefined) throw new EvidenceInputError("anchor-log needs EVIDENCE_ANCHOR_KEY (0x + 64 hex digits)");
        const database = await openDatabase(o.databaseUrl);
        if (database === undefined) throw new EvidenceInputError("anchor-log needs --database-url (or DATABASE_URL)");
        try {
          const probe = createAuditClient(o.rpc);
          const { walletClient, publicClient } = platformClients(
            privateKeyToAccount(key.reveal()),
            { chainId: await probe.getChainId() },
            o.rpc,
          );
          const anchor = await anchorHead(database, walletClient, publicClient);
          process.stdout.write(
            anchor === undefined
              ? "the evidence log is empty: nothing to anchor\n"
              : `anchored entry ${anchor.seq} (${anchor.entryHash}) in tx ${anchor.txHash}, block ${anchor.blockNumber}\n`,
          );
          return EXIT_OK;
        } finally {
          await database.end();
        }
      }),
    );
}
