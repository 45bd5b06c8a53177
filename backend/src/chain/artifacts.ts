/**
 * ABIs of the platform contracts, read from the Hardhat artifacts (`artifacts/contracts/<Name>.sol/<Name>.json`)
 * so the indexer and the relayer decode exactly what was compiled: no hand-written fragment can drift. A missing
 * or unreadable artifact fails with the command to run.
 */
import fs from "node:fs";
import path from "node:path";
import type { Abi } from "viem";
import { BaseError } from "../errors";

export const PLATFORM_CONTRACTS = ["CreditToken", "IdentityRegistry", "RegistryBridge", "Settlement"] as const;
export type PlatformContract = (typeof PLATFORM_CONTRACTS)[number];

export class ArtifactError extends BaseError {
  override name = "ArtifactError";
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { code: "CHAIN_ARTIFACT", retryable: false, details });
  }
}

/** `artifacts/` of the repository (override with CARBON_ARTIFACTS_DIR, as the auditor does). */
export function artifactsRoot(): string {
  return process.env.CARBON_ARTIFACTS_DIR ?? path.resolve(__dirname, "..", "..", "..", "artifacts");
}

const cache = new Map<string, Abi>();

/** The compiled ABI of one platform contract, from `root` (default the repository's artifacts; cached per file). */
export function loadAbi(contract: PlatformContract, root: string = artifactsRoot()): Abi {
  const file = path.join(root, "contracts", `${contract}.sol`, `${contract}.json`);
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new ArtifactError(
      `contract artifacts not found: ${file} is missing. Run \`npx hardhat compile\` in the repository first.`,
      { file },
    );
  }
  let abi: unknown;
  try {
    abi = (JSON.parse(text) as { abi?: unknown }).abi;
  } catch (error) {
    throw new ArtifactError(`contract artifact ${file} is unreadable (${(error as Error).message}); rerun \`npx hardhat compile\``, { file });
  }
  if (!Array.isArray(abi)) throw new ArtifactError(`contract artifact ${file} has no abi; rerun \`npx hardhat compile\``, { file });
  cache.set(file, abi as Abi);
  return abi as Abi;
}

/**
 * The custom errors of every platform contract in one ABI. A call into Settlement can revert with a bridge or a
 * token error (they bubble up), so revert data is decoded against all of them.
 */
export function platformErrorsAbi(): Abi {
  const seen = new Set<string>();
  const errors: Abi[number][] = [];
  for (const contract of PLATFORM_CONTRACTS) {
    for (const item of loadAbi(contract)) {
      if (item.type !== "error") continue;
      const key = `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
      if (seen.has(key)) continue;
      seen.add(key);
      errors.push(item);
    }
  }
  return errors;
}
