/**
 * `npm run abi:write`: regenerates backend/src/chain/abi/generated.ts from the compiled contracts (run
 * `npx hardhat compile` first; CARBON_ARTIFACTS_DIR points at another artifacts folder). `--check` only reports the
 * drift and exits 1 when there is any.
 */
import fs from "node:fs";
import path from "node:path";
import { REPOSITORY_ARTIFACTS, abiDrift, generatedSource } from "../src/chain/abi/drift";
import { loadConfig } from "../src/config";

const artifactsDir = loadConfig().chain.artifactsDir ?? REPOSITORY_ARTIFACTS;
const target = path.join(__dirname, "..", "src", "chain", "abi", "generated.ts");
if (process.argv.includes("--check")) {
  const drift = abiDrift(artifactsDir);
  for (const line of drift) console.error(line);
  process.exitCode = drift.length === 0 ? 0 : 1;
} else {
  fs.writeFileSync(target, generatedSource(artifactsDir));
  console.log(`wrote ${path.relative(process.cwd(), target)} from ${artifactsDir}`);
}
