/**
 * `carbon start` compiles the contracts before anything loads them: a fresh clone has no `artifacts/` and no
 * generated factories, which the embedded chain deploys from (the processes' ABIs are built in: `chain/abi`). Hardhat's
 * compile is incremental, so on a checkout that is up to date this costs a few seconds and writes nothing.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PLATFORM_CONTRACTS } from "../chain/abi";
import { REPOSITORY_ARTIFACTS } from "../chain/abi/drift";
import type { Logger } from "../logger";
import { CompileError } from "./errors";

const REPOSITORY = path.resolve(__dirname, "..", "..", "..");

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
 * install without dev dependencies) the artifacts must already be there.
 */
export async function ensureContractsCompiled(logger: Logger): Promise<void> {
  const cli = hardhatCli();
  if (cli === undefined) {
    if (artifactsPresent(REPOSITORY_ARTIFACTS)) return;
    throw new CompileError(
      `The contracts are not compiled (${REPOSITORY_ARTIFACTS} has no platform artifacts) and Hardhat is not installed: ` +
        "run `npm install` (with dev dependencies) and `npx hardhat compile`.",
    );
  }
  const startedAt = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "compile", "--quiet"], {
      cwd: REPOSITORY,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0)
    throw new CompileError(`Compiling the contracts failed (hardhat compile exited with ${code}); see its output above.`);
  logger.info({ ms: Date.now() - startedAt }, "contracts compiled");
}
