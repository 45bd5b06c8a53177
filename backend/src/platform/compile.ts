/**
 * `carbon start` compiles the contracts before anything loads them: a fresh clone has no `artifacts/` (the ABIs the
 * indexer, relayer and oracles decode with) and no generated factories (the embedded chain's deployment). Hardhat's
 * compile is incremental, so on a checkout that is up to date this costs a few seconds and writes nothing.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PLATFORM_CONTRACTS, artifactsRoot } from "../chain/artifacts";
import { BaseError } from "../errors";
import type { Logger } from "../logger";

const REPOSITORY = path.resolve(__dirname, "..", "..", "..");

export class CompileError extends BaseError {
  override name = "CompileError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "CONTRACTS_NOT_COMPILED", retryable: false, details });
  }
}

function hardhatCli(): string | undefined {
  try {
    return require.resolve("hardhat/internal/cli/cli", { paths: [REPOSITORY] });
  } catch {
    return undefined;
  }
}

function artifactsPresent(root: string): boolean {
  return PLATFORM_CONTRACTS.every((name) => fs.existsSync(path.join(root, "contracts", `${name}.sol`, `${name}.json`)));
}

/**
 * Runs `hardhat compile --quiet` in the repository (its output goes to this process's stderr). Without Hardhat (an
 * install without dev dependencies) the artifacts must already be there (or be given by CARBON_ARTIFACTS_DIR).
 */
export async function ensureContractsCompiled(logger: Logger): Promise<void> {
  const cli = hardhatCli();
  if (cli === undefined) {
    if (artifactsPresent(artifactsRoot())) return;
    throw new CompileError(
      `The contracts are not compiled (${artifactsRoot()} has no platform artifacts) and Hardhat is not installed: ` +
        "run `npm install` (with dev dependencies) and `npx hardhat compile`, or set CARBON_ARTIFACTS_DIR.",
    );
  }
  const startedAt = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "compile", "--quiet"], { cwd: REPOSITORY, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new CompileError(`Compiling the contracts failed (hardhat compile exited with ${code}); see its output above.`);
  logger.info({ ms: Date.now() - startedAt }, "contracts compiled");
}
