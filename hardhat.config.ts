import path from "node:path";
import { subtask, type HardhatUserConfig } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

const SOLC_VERSION = "0.8.28";

// Compile offline with the WebAssembly compiler shipped by the `solc` npm package:
// these machines cannot download compilers. Fail loudly on a version mismatch.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  const longVersion = solc.version().replace(/\.Emscripten.*$/, "");
  if (args.solcVersion !== SOLC_VERSION || !longVersion.startsWith(`${SOLC_VERSION}+`)) {
    throw new Error(
      `solc mismatch: config wants ${args.solcVersion}, project pins ${SOLC_VERSION}, installed solc is ${longVersion}`,
    );
  }
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: args.solcVersion, longVersion };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  networks: {
    hardhat: { hardfork: "cancun" },
    localhost: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
  },
  paths: { tests: "test/contracts" },
  mocha: { timeout: 120_000 },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
};

export default config;
