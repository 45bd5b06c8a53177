/**
 * Where the platform contracts live: the `Deployment` every chain-facing part takes, and the deployment record
 * (`deployments/<network>.json` written by `scripts/deploy.ts`, `DEPLOYMENT_FILE`) that processes joining a chain
 * given by RPC_URL read: the platform, worker processes, oracle nodes, the aggregator.
 */
import fs from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import { DeploymentFileError } from "./errors";

/** The platform contracts of one deployment (the output of `scripts/deploy.ts` / the embedded stack). */
export type Deployment = {
  chainId: number;
  creditToken: Address;
  identityRegistry: Address;
  registryBridge: Address;
  settlement: Address;
  /** ERC-20 of on-chain payment legs. Not indexed: its transfers are the payment token's business. */
  paymentToken?: Address | undefined;
  /** First block of the deployment: where a fresh index starts. */
  deployBlock: number | bigint;
};

const REQUIRED_KEYS = ["chainId", "creditToken", "identityRegistry", "registryBridge", "settlement", "startBlock"] as const;

/** Reads a deployment record; a missing or unreadable file, or a missing key, is a `DeploymentFileError` naming it. */
export function readDeploymentFile(file: string): Deployment {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new DeploymentFileError(file, error instanceof Error ? error.message : String(error), error);
  }
  const missing = REQUIRED_KEYS.filter((key) => raw[key] === undefined);
  if (missing.length > 0) throw new DeploymentFileError(file, `missing ${missing.map((key) => `"${key}"`).join(", ")}`);
  return {
    chainId: Number(raw.chainId),
    creditToken: raw.creditToken as Address,
    identityRegistry: raw.identityRegistry as Address,
    registryBridge: raw.registryBridge as Address,
    settlement: raw.settlement as Address,
    paymentToken: raw.paymentToken as Address | undefined,
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
