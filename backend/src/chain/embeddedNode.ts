import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

export type StartEmbeddedNodeParameters = {
  /** Interface to bind; keep it on loopback. */
  hostname?: string;
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Milliseconds between blocks with interval mining; 0 keeps automine (one block per transaction). */
  blockTimeMs?: number;
};

export type EmbeddedNode = {
  /** JSON-RPC URL of the node. */
  url: string;
  port: number;
  /** The Hardhat runtime the node runs in (compile, artifacts, the raw provider). */
  hre: HardhatRuntimeEnvironment;
  close(): Promise<void>;
};

/**
 * Loads the project's Hardhat runtime (compiling contracts if needed) without going through the Hardhat CLI.
 * The config path is pinned so the caller's working directory does not matter.
 */
export async function loadHardhat(): Promise<HardhatRuntimeEnvironment> {
  process.env.HARDHAT_CONFIG ??= path.resolve(__dirname, "..", "..", "..", "hardhat.config.ts");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as HardhatRuntimeEnvironment;
  await hre.run("compile", { quiet: true });
  return hre;
}

/**
 * Starts Hardhat Network as a JSON-RPC server inside this process.
 *
 * With interval mining, transactions from one sender may be pipelined (they queue until the next block, as on
 * Besu); with automine each must arrive in nonce order. The node's state lives only as long as the process.
 */
export async function startEmbeddedNode(params: StartEmbeddedNodeParameters = {}): Promise<EmbeddedNode> {
  const { hostname = "127.0.0.1", port = 8545, blockTimeMs = 1000 } = params;
  const hre = await loadHardhat();
  const { TASK_NODE_CREATE_SERVER } = await import("hardhat/builtin-tasks/task-names");
  const provider = hre.network.provider;
  await provider.request({ method: "hardhat_setLoggingEnabled", params: [false] });
  if (blockTimeMs > 0) {
    await provider.request({ method: "evm_setAutomine", params: [false] });
    await provider.request({ method: "evm_setIntervalMining", params: [blockTimeMs] });
  }
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname, port, provider })) as {
    listen(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  };
  const bound = await server.listen();
  return {
    url: `http://${hostname}:${bound.port}`,
    port: bound.port,
    hre,
    async close() {
      // Stop producing blocks first so nothing is mined against a closing server.
      await provider.request({ method: "evm_setIntervalMining", params: [0] }).catch(() => undefined);
      await server.close();
    },
  };
}
