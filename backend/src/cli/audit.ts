/**
 * `carbon audit ...`: the auditor's commands. They read the chain over JSON-RPC only (no database):
 * - `verify-certificate <requestId>`: one retirement, from request to registry-confirmed burn, with its oracle quorum
 *   and the batch's custody head;
 * - `export <batchId>`: a batch's whole custody history as a JSON file;
 * - `verify-export <file>`: recomputes an export's heads and (unless --offline) compares it with the chain.
 *
 * Exit codes: 0 verified; 1 a check failed (a mismatch); 2 nothing to verify or cannot verify (unknown or
 * unconfirmed request, bad input, unreadable file, node unreachable, missing artifacts).
 */
import fs from "node:fs";
import { type CommanderError, Command, InvalidArgumentError, Option } from "commander";
import { type Address, isAddress } from "viem";
import { AuditExportFormatError, AuditNotFoundError, AuditRpcError } from "../audit/errors";
import { type CustodyExport, buildExport } from "../audit/exportHistory";
import { parseExport, verifyExport } from "../audit/verifyExport";
import { createAuditClient } from "../audit/history";
import { formatCertificateReport, formatExportVerification, toJson } from "../audit/report";
import { parseRequestId, verifyCertificate } from "../audit/verifyCertificate";
import { ensureAbiMatchesArtifacts } from "../chain/abi/drift";
import { ArtifactError } from "../chain/errors";
import { ConfigError, loadConfig } from "../config";
import { ValidationError } from "../errors";
import { registerEvidenceCommands } from "./evidence";

export const EXIT_VERIFIED = 0;
export const EXIT_MISMATCH = 1;
export const EXIT_CANNOT_VERIFY = 2;

function parseBlock(name: string) {
  return (text: string): bigint => {
    if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`${name}: expected a block number, got ${text}`);
    return BigInt(text);
  };
}

function parseAddress(text: string): Address {
  if (!isAddress(text, { strict: false })) throw new InvalidArgumentError(`not an address: ${text}`);
  return text as Address;
}

function parseBatchId(text: string): bigint {
  if (/^\d+$/.test(text) || /^0x[0-9a-fA-F]{1,64}$/.test(text)) return BigInt(text);
  throw new ValidationError("batchId", `expected a decimal or 0x-hex uint256, got ${text}`);
}

/** With CARBON_ARTIFACTS_DIR set (artifacts the auditor compiled), the built-in ABI must equal them. */
function checkArtifacts(): void {
  const dir = loadConfig().chain.artifactsDir;
  if (dir !== undefined) ensureAbiMatchesArtifacts(dir);
}

/** Runs an audit action: maps "cannot verify" errors to exit code 2 with a clear message (JSON too with --json). */
async function run(json: boolean, action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    const known =
      error instanceof ValidationError ||
      error instanceof ConfigError ||
      error instanceof AuditNotFoundError ||
      error instanceof AuditRpcError ||
      error instanceof ArtifactError ||
      error instanceof AuditExportFormatError;
    const message = error instanceof Error ? error.message : String(error);
    const text = known ? message : `audit failed: ${message}`;
    if (json) {
      const code =
        error instanceof AuditNotFoundError ? "NOT_FOUND" : error instanceof ValidationError ? "USAGE" : "CANNOT_VERIFY";
      process.stdout.write(`${toJson({ verdict: "ERROR", code, error: text })}\n`);
    }
    process.stderr.write(`${text}\n`);
    process.exitCode = EXIT_CANNOT_VERIFY;
  }
}

const rpcOption = () => new Option("--rpc <url>", "JSON-RPC URL of a node of the chain").env("RPC_URL");
const chunkOption = () =>
  new Option("--chunk <blocks>", "blocks per eth_getLogs query (halved automatically when the node refuses)").argParser(
    parseBlock("--chunk"),
  );

export function auditCommand(): Command {
  const audit = new Command("audit").description(
    "Auditor commands: verify retirements and custody history from chain data alone",
  );
  // Usage errors exit 2 like every other "cannot verify", so 1 always means a mismatch (inherited by subcommands).
  audit.exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? 0 : EXIT_CANNOT_VERIFY);
  });

  audit
    .command("verify-certificate")
    .description("Rebuild a retirement from chain logs (request, quorum, burn, custody head) and check every link")
    .argument("<requestId>", "retirement request id (bytes32)")
    .addOption(rpcOption().makeOptionMandatory())
    .requiredOption("--bridge <address>", "RegistryBridge address", parseAddress)
    .option("--json", "print the report as JSON")
    .option("--from-block <n>", "first block to scan (default: the contracts' deployment blocks)", parseBlock("--from-block"))
    .addOption(chunkOption())
    .action(
      async (requestId: string, o: { rpc: string; bridge: Address; json?: boolean; fromBlock?: bigint; chunk?: bigint }) => {
        const json = o.json === true;
        await run(json, async () => {
          checkArtifacts();
          const report = await verifyCertificate({
            client: createAuditClient(o.rpc),
            bridge: o.bridge,
            requestId: parseRequestId(requestId),
            fromBlock: o.fromBlock,
            chunk: o.chunk,
          });
          process.stdout.write(json ? `${toJson(report)}\n` : formatCertificateReport(report));
          return report.verdict === "VERIFIED" ? EXIT_VERIFIED : EXIT_MISMATCH;
        });
      },
    );

  audit
    .command("export")
    .description("Write a batch's full custody history (events, positions, running heads, on-chain head) as JSON")
    .argument("<batchId>", "batch id (decimal or 0x-hex uint256)")
    .addOption(rpcOption().makeOptionMandatory())
    .requiredOption("--bridge <address>", "RegistryBridge address", parseAddress)
    .option("--out <file>", "write to this file instead of stdout")
    .option("--from-block <n>", "first block (default: the token's deployment block)", parseBlock("--from-block"))
    .option("--to-block <n>", "last block (default: latest)", parseBlock("--to-block"))
    .addOption(chunkOption())
    .action(
      async (
        batchIdText: string,
        o: { rpc: string; bridge: Address; out?: string; fromBlock?: bigint; toBlock?: bigint; chunk?: bigint },
      ) => {
        await run(false, async () => {
          checkArtifacts();
          const exp = await buildExport({
            client: createAuditClient(o.rpc),
            bridge: o.bridge,
            batchId: parseBatchId(batchIdText),
            fromBlock: o.fromBlock,
            toBlock: o.toBlock,
            chunk: o.chunk,
          });
          const text = `${toJson(exp)}\n`;
          if (o.out === undefined) process.stdout.write(text);
          else {
            fs.writeFileSync(o.out, text);
            process.stderr.write(
              `wrote ${o.out}: ${exp.events.length} events, ${exp.movements} movements, blocks ` +
                `${exp.fromBlock}..${exp.toBlock}, head ${exp.finalHead}\n`,
            );
          }
          // An export whose recomputed head disagrees with the chain is still written, for investigation, but fails.
          if (exp.finalHead.toLowerCase() !== exp.onChainHead.toLowerCase()) {
            process.stderr.write(`custody head mismatch: recomputed ${exp.finalHead}, on-chain ${exp.onChainHead}\n`);
            return EXIT_MISMATCH;
          }
          return EXIT_VERIFIED;
        });
      },
    );

  audit
    .command("verify-export")
    .description("Recompute the heads of an export file and compare it with the chain (or only with itself, --offline)")
    .argument("<file>", "export file written by `carbon audit export`")
    .addOption(rpcOption().conflicts("offline"))
    .option("--offline", "check the file's own chain of heads only, without a node")
    .option("--json", "print the result as JSON")
    .addOption(chunkOption())
    .action(async (file: string, o: { rpc?: string; offline?: boolean; json?: boolean; chunk?: bigint }) => {
      const json = o.json === true;
      await run(json, async () => {
        if (o.offline !== true && o.rpc === undefined) throw new ValidationError("--rpc", "give --rpc <url>, or --offline");
        let text: string;
        try {
          text = fs.readFileSync(file, "utf8");
        } catch (error) {
          throw new ValidationError("file", `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
        const exp: CustodyExport = parseExport(text);
        const result = await verifyExport(
          exp,
          o.offline === true || o.rpc === undefined ? undefined : createAuditClient(o.rpc),
          o.chunk,
        );
        process.stdout.write(json ? `${toJson(result)}\n` : formatExportVerification(result));
        return result.verdict === "VERIFIED" ? EXIT_VERIFIED : EXIT_MISMATCH;
      });
    });

  registerEvidenceCommands(audit);
  return audit;
}
