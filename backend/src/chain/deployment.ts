import fs from "node:fs";
import path from "node:path";
import type { Deployment } from "../indexer/types";

/**
 * Reads `deployments/<network>.json` written by `scripts/deploy.ts` (DEPLOYMENT_FILE), for every process that
 * talks to a chain given by RPC_URL: the platform, worker processes, oracle nodes, the aggregator.
 */
export function readDeploymentFile(file: string): Deployment {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`DEPLOYMENT_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const key of ["chainId", "creditToken", "identityRegistry", "registryBridge", "settlement", "startBlock"]) {
    if (raw[key] === undefined) throw new Error(`DEPLOYMENT_FILE ${file}: missing "${key}"`);
  }
  return {
    chainId: Number(raw.chainId),
    creditToken: raw.creditToken as `0x${string}`,
    identityRegistry: raw.identityRegistry as `0x${string}`,
    registryBridge: raw.registryBridge as `0x${string}`,
    settlement: raw.settlement as `0x${string}`,
    paymentToken: raw.paymentToken as `0x${string}` | undefined,
    deployBlock: Number(raw.startBlock),
  };
}

/**
 * Writes `deployment` as `readDeploymentFile` reads it (the embedded chain's, so that `carbon worker`, `carbon oracle`
 * and `carbon aggregator` processes can join the running platform). Written to a temporary file and renamed: a
 * process reading it never sees half a file.
 */
export function writeDeploymentFile(file: string, deployment: Deployment): void {
  const { deployBlock, ...addresses } = deployment;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(temporary, `${JSON.stringify({ ...addresses, startBlock: Number(deployBlock) }, null, 2)}\n`);
  fs.renameSync(temporary, file);
}
