import fs from "node:fs";
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
